import type { Point } from 'geojson';
import { useEffect, useState } from 'react';
import { SEXES } from '../../../../src/domain/vocabularies.ts';
import { FormField } from '../../components/FormField.tsx';
import { CountsInput, ObjectListInput } from '../../components/ListInputs.tsx';
import { PointInput } from '../../components/PointInput.tsx';
import { useI18n } from '../../i18n/index.tsx';
import {
  type CountsValue,
  countsInput,
  countsValue,
  itemInput,
  type ListItem,
  listItems,
} from '../../lib/form-values.ts';
import { partsOf } from '../../lib/registers.ts';
import type { ReportFormContent } from '../../lib/report-changes.ts';
import { type FieldValues, propsOf, RegisterFields, valuesOf } from './fields.tsx';

const RE_FIELDS = ['organisationId', 'heldOn', 'deliveryMethod', 'settlementId', 'description'] as const;
const QA_FIELDS = [
  'visitedOn',
  'activityId',
  'inspectedOrganisationId',
  'inspectingOrganisationId',
  'measuresTaken',
] as const;
/** The parts of a non-conformity (description, severity), from the register. */
const NC_PARTS = partsOf('qa-visits', 'nonConformities');

/** The other-records part of the report form: a risk education session or a QA visit. */
export function OtherRecordsSection({
  initial,
  onChange,
}: {
  initial: Extract<ReportFormContent, { kind: 'other_records' }> | null;
  onChange: (content: ReportFormContent) => void;
}) {
  const { t } = useI18n();
  const [register, setRegister] = useState(initial?.record.register ?? 'risk-education');
  const props = initial?.record.properties ?? {};
  const [values, setValues] = useState<FieldValues>(() => valuesOf(props));
  const [point, setPoint] = useState<Point | null>(
    initial?.record.geometry?.type === 'Point' ? initial.record.geometry : null,
  );
  const [counts, setCounts] = useState<CountsValue>(() => countsInput(props.beneficiaries));
  const [ncs, setNcs] = useState<ListItem[]>(() =>
    ((props.nonConformities as unknown[] | undefined) ?? []).map(itemInput),
  );
  useEffect(() => {
    onChange({
      kind: 'other_records',
      record:
        register === 'qa-visits'
          ? {
              register,
              geometry: null,
              properties: {
                ...propsOf('qa-visits', QA_FIELDS, values),
                nonConformities: listItems(ncs, NC_PARTS).value,
              },
            }
          : {
              register,
              geometry: point,
              properties: {
                ...propsOf('risk-education', RE_FIELDS, values),
                beneficiaries: countsValue(counts).value,
              },
            },
    });
  }, [register, values, point, counts, ncs, onChange]);
  const set = (name: string, v: string | string[]) => setValues((all) => ({ ...all, [name]: v }));
  return (
    <>
      <FormField id="r-other-register" label={t('reportKinds.recordKind')}>
        <select
          id="r-other-register"
          value={register}
          disabled={!!initial}
          onChange={(e) => setRegister(e.target.value)}
        >
          <option value="risk-education">{t('register.risk-education')}</option>
          <option value="qa-visits">{t('register.qa-visits')}</option>
        </select>
      </FormField>
      {register === 'risk-education' ? (
        <>
          <RegisterFields
            slug="risk-education"
            names={RE_FIELDS}
            values={values}
            idPrefix="r-re"
            onChange={set}
          />
          <FormField id="r-re-point" label={t('reportKinds.sessionPoint')} required wide>
            <PointInput id="r-re-point" value={point} onChange={setPoint} withMap />
          </FormField>
          <fieldset className="report-part wide">
            <legend>{t('field.beneficiaries')}</legend>
            <CountsInput
              id="r-re-beneficiaries"
              name="beneficiaries"
              rows={SEXES}
              value={counts}
              onChange={setCounts}
            />
          </fieldset>
        </>
      ) : (
        <>
          <RegisterFields slug="qa-visits" names={QA_FIELDS} values={values} idPrefix="r-qa" onChange={set} />
          <fieldset className="report-part wide">
            <legend>{t('field.nonConformities')}</legend>
            <ObjectListInput
              id="r-qa-nonConformities"
              name="nonConformities"
              parts={NC_PARTS}
              value={ncs}
              onChange={setNcs}
              addLabel={t('reportKinds.addNonConformity')}
            />
          </fieldset>
        </>
      )}
    </>
  );
}
