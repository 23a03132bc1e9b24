import type { Point } from 'geojson';
import { useEffect, useState } from 'react';
import { AGE_BANDS, QA_SEVERITIES, SEXES } from '../../../../src/domain/vocabularies.ts';
import { FormField } from '../../components/FormField.tsx';
import { PointInput } from '../../components/PointInput.tsx';
import { VocabOptions } from '../../components/VocabOptions.tsx';
import { useI18n } from '../../i18n/index.tsx';
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
type Counts = Record<string, Record<string, string>>;
interface NonConformity {
  key: number;
  description: string;
  severity: string;
}
let nextKey = 1;

function countsOf(b: unknown): Counts {
  const out: Counts = {};
  for (const [sex, bands] of Object.entries((b as Record<string, Record<string, number>>) ?? {}))
    out[sex] = Object.fromEntries(Object.entries(bands ?? {}).map(([k, v]) => [k, String(v)]));
  return out;
}

function beneficiaries(c: Counts): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [sex, bands] of Object.entries(c)) {
    const given = Object.entries(bands).filter(([, v]) => v.trim() !== '');
    if (given.length) out[sex] = Object.fromEntries(given.map(([k, v]) => [k, Number(v)]));
  }
  return out;
}

/** The other-records part of the report form: a risk education session or a QA visit. */
export function OtherRecordsSection({
  initial,
  onChange,
}: {
  initial: Extract<ReportFormContent, { kind: 'other_records' }> | null;
  onChange: (content: ReportFormContent) => void;
}) {
  const { t, tk } = useI18n();
  const [register, setRegister] = useState(initial?.record.register ?? 'risk-education');
  const props = initial?.record.properties ?? {};
  const [values, setValues] = useState<FieldValues>(() => valuesOf(props));
  const [point, setPoint] = useState<Point | null>(
    initial?.record.geometry?.type === 'Point' ? initial.record.geometry : null,
  );
  const [counts, setCounts] = useState<Counts>(() => countsOf(props.beneficiaries));
  const [ncs, setNcs] = useState<NonConformity[]>(() =>
    ((props.nonConformities as Array<{ description: string; severity: string }> | undefined) ?? []).map(
      (n) => ({
        key: nextKey++,
        ...n,
      }),
    ),
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
                nonConformities: ncs.map((n) => ({
                  description: n.description.trim(),
                  severity: n.severity,
                })),
              },
            }
          : {
              register,
              geometry: point,
              properties: {
                ...propsOf('risk-education', RE_FIELDS, values),
                beneficiaries: beneficiaries(counts),
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
            <div className="table-wrap">
              <table className="data" data-testid="beneficiaries">
                <thead>
                  <tr>
                    <th />
                    {AGE_BANDS.map((b) => (
                      <th key={b} scope="col">
                        {tk(`vocab.${b}`, b)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {SEXES.map((sex) => (
                    <tr key={sex}>
                      <th scope="row">{tk(`vocab.${sex}`, sex)}</th>
                      {AGE_BANDS.map((b) => (
                        <td key={b}>
                          <input
                            type="number"
                            min={0}
                            step={1}
                            className="narrow"
                            aria-label={`${tk(`vocab.${sex}`, sex)} ${tk(`vocab.${b}`, b)}`}
                            value={counts[sex]?.[b] ?? ''}
                            onChange={(e) =>
                              setCounts((all) => ({ ...all, [sex]: { ...all[sex], [b]: e.target.value } }))
                            }
                          />
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </fieldset>
        </>
      ) : (
        <>
          <RegisterFields slug="qa-visits" names={QA_FIELDS} values={values} idPrefix="r-qa" onChange={set} />
          <fieldset className="report-part wide">
            <legend>{t('field.nonConformities')}</legend>
            {ncs.map((n) => (
              <div key={n.key} className="report-item found-main">
                <FormField id={`r-nc-${n.key}-sev`} label={t('reportKinds.severity')}>
                  <select
                    id={`r-nc-${n.key}-sev`}
                    value={n.severity}
                    onChange={(e) =>
                      setNcs((all) =>
                        all.map((x) => (x.key === n.key ? { ...x, severity: e.target.value } : x)),
                      )
                    }
                  >
                    <VocabOptions values={QA_SEVERITIES} />
                  </select>
                </FormField>
                <FormField id={`r-nc-${n.key}-desc`} label={t('field.description')}>
                  <input
                    id={`r-nc-${n.key}-desc`}
                    type="text"
                    required
                    value={n.description}
                    onChange={(e) =>
                      setNcs((all) =>
                        all.map((x) => (x.key === n.key ? { ...x, description: e.target.value } : x)),
                      )
                    }
                  />
                </FormField>
                <div className="item-actions">
                  <button type="button" onClick={() => setNcs((all) => all.filter((x) => x.key !== n.key))}>
                    {t('reportForm.remove')}
                  </button>
                </div>
              </div>
            ))}
            <button
              type="button"
              onClick={() =>
                setNcs((all) => [...all, { key: nextKey++, description: '', severity: 'minor' }])
              }
            >
              {t('reportKinds.addNonConformity')}
            </button>
          </fieldset>
        </>
      )}
    </>
  );
}
