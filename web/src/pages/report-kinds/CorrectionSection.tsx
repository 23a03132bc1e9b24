import { useEffect, useState } from 'react';
import { KIND_CHANGES } from '../../../../src/domain/reports.ts';
import { FormField } from '../../components/FormField.tsx';
import { RecordPicker } from '../../components/RecordPicker.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { type FieldKind, fieldsOf, registerDef } from '../../lib/registers.ts';
import type { ReportFormContent } from '../../lib/report-changes.ts';
import { type FieldValues, propsOf, RegisterFields, valuesOf } from './fields.tsx';

/** Registers a correction may change, from the one table of what each report kind holds. */
const REGISTERS = Object.keys(KIND_CHANGES.correction);

/** The kinds of field the correction's inputs (RegisterFields) edit. */
const CORRECTABLE = new Set<FieldKind>([
  'string',
  'text',
  'integer',
  'number',
  'date',
  'enum',
  'enumArray',
  'ref',
  'idList',
  'boolean',
]);

/** The fields a correction offers: those typed as text, numbers, dates and code lists (not identity, shapes or lists of objects). */
function editable(slug: string): string[] {
  const def = registerDef(slug);
  if (!def) return [];
  const hidden = new Set([...(def.protectedFields ?? []), 'identity', 'externalId']);
  return fieldsOf(def)
    .filter((f) => !hidden.has(f.name) && CORRECTABLE.has(f.kind))
    .map((f) => f.name);
}

/**
 * The correction part of the report form: one approved record chosen with the record picker,
 * then some of its fields changed (only those touched are sent) or the record archived.
 */
export function CorrectionSection({
  initial,
  onChange,
}: {
  initial: Extract<ReportFormContent, { kind: 'correction' }> | null;
  onChange: (content: ReportFormContent) => void;
}) {
  const { t } = useI18n();
  const c = initial?.correction;
  const [register, setRegister] = useState(c?.register ?? 'hazards');
  const [id, setId] = useState(c?.id ?? '');
  const [archive, setArchive] = useState(c?.archive ?? false);
  const [values, setValues] = useState<FieldValues>(() => valuesOf(c?.properties ?? {}));
  /** The fields the user touched: a correction sends those and leaves the others as they are. */
  const [touched, setTouched] = useState<string[]>(() => Object.keys(c?.properties ?? {}));
  useEffect(() => {
    onChange({
      kind: 'correction',
      correction: { register, id, archive, properties: propsOf(register, touched, values) },
    });
  }, [register, id, archive, values, touched, onChange]);
  return (
    <>
      <FormField id="r-cor-register" label={t('reportKinds.correctRegister')}>
        <select
          id="r-cor-register"
          value={register}
          onChange={(e) => {
            setRegister(e.target.value);
            setId('');
            setValues({});
            setTouched([]);
          }}
        >
          {REGISTERS.map((r) => (
            <option key={r} value={r}>
              {t(`register.${r}`)}
            </option>
          ))}
        </select>
      </FormField>
      <FormField id="r-cor-record" label={t('reportKinds.correctRecord')} required>
        <RecordPicker slug={register} id="r-cor-record" required value={id} onChange={setId} />
      </FormField>
      <fieldset className="report-part wide">
        <legend>{t('reportKinds.correctWhat')}</legend>
        <label className="check">
          <input type="radio" name="r-cor-op" checked={!archive} onChange={() => setArchive(false)} />
          {t('reportKinds.correctFields')}
        </label>
        <label className="check">
          <input type="radio" name="r-cor-op" checked={archive} onChange={() => setArchive(true)} />
          {t('reportKinds.correctArchive')}
        </label>
      </fieldset>
      {!archive && (
        <>
          <p className="hint form-field wide">{t('reportKinds.correctHint')}</p>
          <RegisterFields
            slug={register}
            names={editable(register)}
            values={values}
            idPrefix="r-cor"
            changesOnly
            onChange={(name, v) => {
              setValues((all) => ({ ...all, [name]: v }));
              setTouched((all) => (all.includes(name) ? all : [...all, name]));
            }}
          />
        </>
      )}
    </>
  );
}
