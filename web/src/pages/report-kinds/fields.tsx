import type { ReactNode } from 'react';
import { FormField } from '../../components/FormField.tsx';
import { IdListInput } from '../../components/ListInputs.tsx';
import { RecordPicker } from '../../components/RecordPicker.tsx';
import { VocabOptions } from '../../components/VocabOptions.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { type FieldDesc, fieldsOf, registerDef } from '../../lib/registers.ts';

/** Field values as the form holds them: text as typed, code lists as arrays. */
export type FieldValues = Record<string, string | string[]>;

/** The descriptions of some fields of a register, in the order asked, read from the one schema source. */
export function describe(slug: string, names: readonly string[]): FieldDesc[] {
  const def = registerDef(slug);
  const all = def ? fieldsOf(def) : [];
  return names.flatMap((n) => all.filter((f) => f.name === n));
}

/** The form text of stored values (numbers as text, lists as lists). */
export function valuesOf(props: Record<string, unknown>): FieldValues {
  const out: FieldValues = {};
  for (const [k, v] of Object.entries(props)) {
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) out[k] = v.map(String);
    else if (typeof v !== 'object') out[k] = String(v);
  }
  return out;
}

/** Field values as a register takes them: numbers as numbers, blanks as null. */
export function propsOf(
  slug: string,
  names: readonly string[],
  values: FieldValues,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of describe(slug, names)) {
    const v = values[f.name];
    if (v === undefined) continue;
    if (Array.isArray(v)) out[f.name] = v;
    else if (f.kind === 'boolean') out[f.name] = v === 'true';
    else if (v.trim() === '') out[f.name] = null;
    else if (f.kind === 'integer' || f.kind === 'number') out[f.name] = Number(v.replace(',', '.'));
    else out[f.name] = v.trim();
  }
  return out;
}

/** Inputs for some fields of a register (code lists, references and lists of them, dates, numbers, text, yes/no). */
export function RegisterFields({
  slug,
  names,
  values,
  onChange,
  idPrefix,
  changesOnly = false,
}: {
  slug: string;
  names: readonly string[];
  values: FieldValues;
  onChange: (name: string, value: string | string[]) => void;
  idPrefix: string;
  /** Only the fields touched are sent (a correction): none is required, the record has them. */
  changesOnly?: boolean;
}) {
  const { t, tk } = useI18n();
  const required = (f: FieldDesc) => f.required && !changesOnly;
  return (
    <>
      {describe(slug, names).map((f) => {
        const id = `${idPrefix}-${f.name}`;
        const label = tk(`field.${f.name}`, f.name);
        const v = values[f.name];
        const text = typeof v === 'string' ? v : '';
        let input: ReactNode;
        switch (f.kind) {
          case 'enum':
            input = (
              <select
                id={id}
                value={text}
                required={required(f)}
                onChange={(e) => onChange(f.name, e.target.value)}
              >
                <option value="">{t('form.choose')}</option>
                <VocabOptions values={f.enumValues} />
              </select>
            );
            break;
          case 'enumArray': {
            const arr = Array.isArray(v) ? v : [];
            input = (
              <fieldset className="checks" id={id}>
                <legend className="visually-hidden">{label}</legend>
                {f.enumValues?.map((x) => (
                  <label key={x} className="check">
                    <input
                      type="checkbox"
                      checked={arr.includes(x)}
                      onChange={(e) =>
                        onChange(f.name, e.target.checked ? [...arr, x] : arr.filter((y) => y !== x))
                      }
                    />
                    {tk(`vocab.${x}`, x)}
                  </label>
                ))}
              </fieldset>
            );
            break;
          }
          case 'ref':
            input = (
              <RecordPicker
                slug={f.refSlug ?? ''}
                id={id}
                required={required(f)}
                value={text}
                onChange={(x) => onChange(f.name, x)}
              />
            );
            break;
          case 'date':
            input = (
              <input
                id={id}
                type="date"
                required={required(f)}
                value={text}
                onChange={(e) => onChange(f.name, e.target.value)}
              />
            );
            break;
          case 'integer':
          case 'number':
            input = (
              <input
                id={id}
                type="number"
                min={f.minimum}
                max={f.maximum}
                step={f.kind === 'integer' ? 1 : 'any'}
                required={required(f)}
                value={text}
                onChange={(e) => onChange(f.name, e.target.value)}
              />
            );
            break;
          case 'text':
            input = (
              <textarea id={id} rows={2} value={text} onChange={(e) => onChange(f.name, e.target.value)} />
            );
            break;
          case 'idList':
            input = (
              <IdListInput
                slug={f.refSlug ?? ''}
                id={id}
                value={Array.isArray(v) ? v : []}
                onChange={(ids) => onChange(f.name, ids)}
              />
            );
            break;
          case 'boolean':
            input = (
              <input
                id={id}
                type="checkbox"
                checked={text === 'true'}
                onChange={(e) => onChange(f.name, String(e.target.checked))}
              />
            );
            break;
          default:
            input = (
              <input
                id={id}
                type="text"
                maxLength={f.maxLength}
                required={required(f)}
                value={text}
                onChange={(e) => onChange(f.name, e.target.value)}
              />
            );
        }
        return (
          <FormField
            key={f.name}
            id={id}
            label={label}
            required={required(f)}
            wide={f.kind === 'enumArray' || f.kind === 'text' || f.kind === 'idList'}
          >
            {input}
          </FormField>
        );
      })}
    </>
  );
}
