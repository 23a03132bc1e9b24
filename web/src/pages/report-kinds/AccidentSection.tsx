import type { Point } from 'geojson';
import { useEffect, useState } from 'react';
import { FormField } from '../../components/FormField.tsx';
import { PointInput } from '../../components/PointInput.tsx';
import { useI18n } from '../../i18n/index.tsx';
import type { IdentityChoice, ReportFormContent } from '../../lib/report-changes.ts';
import { type FieldValues, propsOf, RegisterFields, valuesOf } from './fields.tsx';
import { IdentitySection } from './IdentitySection.tsx';
import { ACCIDENT_KEY, type SectionMap } from './section-map.ts';

const ACCIDENT_FIELDS = [
  'occurredOn',
  'datePrecision',
  'pointPrecision',
  'deviceCategory',
  'ordnanceId',
  'demining',
  'hazardId',
  'description',
] as const;
const CASUALTY_FIELDS = [
  'sex',
  'age',
  'ageBand',
  'casualtyStatus',
  'outcome',
  'activityAtTime',
  'tamperedWithDevice',
  'displacementStatus',
  'referral',
] as const;

interface Casualty {
  key: number;
  values: FieldValues;
  identity: IdentityChoice;
  /** The saved report holds an identity for this casualty (not shown). */
  saved: boolean;
  ref?: string;
}

/** A name for a new casualty's change that no other casualty had (see CasualtyInput.ref). */
const newRef = () => `cas-${crypto.randomUUID().slice(0, 12)}`;
let nextKey = 1;

/** The accident part of the report form: where and when, the device, and each casualty. */
export function AccidentSection({
  initial,
  onChange,
  map,
}: {
  initial: Extract<ReportFormContent, { kind: 'accident' }> | null;
  onChange: (content: ReportFormContent) => void;
  /** The report's map, to place the position on (without it the input has a map of its own). */
  map?: SectionMap;
}) {
  const { t } = useI18n();
  const [point, setPoint] = useState<Point | null>(
    initial?.geometry?.type === 'Point' ? initial.geometry : null,
  );
  // A position placed or moved on the report's map comes back here.
  const drawn = map?.drawn;
  useEffect(() => {
    if (drawn?.key === ACCIDENT_KEY && drawn.geometry.type === 'Point') setPoint(drawn.geometry);
  }, [drawn]);
  const placing = map?.placing === ACCIDENT_KEY;
  const [values, setValues] = useState<FieldValues>(() => valuesOf(initial?.properties ?? {}));
  const [casualties, setCasualties] = useState<Casualty[]>(() =>
    (initial?.casualties ?? []).map((c) => ({
      key: nextKey++,
      values: valuesOf(c.properties),
      identity: c.identity,
      saved: c.recorded === true,
      ref: c.ref,
    })),
  );
  useEffect(() => {
    onChange({
      kind: 'accident',
      geometry: point,
      properties: propsOf('accidents', ACCIDENT_FIELDS, values),
      casualties: casualties.map((c) => ({
        properties: propsOf('casualties', CASUALTY_FIELDS, c.values),
        identity: c.identity,
        ref: c.ref,
      })),
    });
  }, [point, values, casualties, onChange]);
  const update = (key: number, change: Partial<Casualty>) =>
    setCasualties((all) => all.map((c) => (c.key === key ? { ...c, ...change } : c)));
  return (
    <>
      <FormField id="r-acc-point" label={t('reportKinds.accidentPoint')} required wide>
        <PointInput id="r-acc-point" value={point} onChange={setPoint} withMap={!map} />
        {map && (
          <button
            type="button"
            className={placing ? 'primary' : undefined}
            onClick={() => map.startPlacing(placing ? null : ACCIDENT_KEY)}
            data-testid="place-on-map"
          >
            {placing ? t('action.cancel') : t('reportForm.placeOnMap')}
          </button>
        )}
      </FormField>
      <RegisterFields
        slug="accidents"
        names={ACCIDENT_FIELDS}
        values={values}
        idPrefix="r-acc"
        onChange={(name, v) => setValues((all) => ({ ...all, [name]: v }))}
      />
      <fieldset className="report-part">
        <legend>
          {t('reportKinds.casualties')}{' '}
          <span className="count" data-testid="casualty-count">
            {casualties.length}
          </span>
        </legend>
        {casualties.map((c, i) => (
          <div key={c.key} className="report-item form-grid" data-testid={`casualty-${i}`}>
            <h3 className="form-field wide">{t('reportKinds.casualtyN', { n: i + 1 })}</h3>
            <RegisterFields
              slug="casualties"
              names={CASUALTY_FIELDS}
              values={c.values}
              idPrefix={`r-cas-${c.key}`}
              onChange={(name, v) => update(c.key, { values: { ...c.values, [name]: v } })}
            />
            <div className="form-field wide">
              <IdentitySection
                id={`r-cas-${c.key}-id`}
                saved={c.saved}
                value={c.identity}
                onChange={(identity) => update(c.key, { identity })}
              />
            </div>
            <p className="form-field wide">
              <button
                type="button"
                onClick={() => setCasualties((all) => all.filter((x) => x.key !== c.key))}
              >
                {t('reportForm.remove')}
              </button>
            </p>
          </div>
        ))}
        <button
          type="button"
          data-testid="add-casualty"
          onClick={() =>
            setCasualties((all) => [
              ...all,
              {
                key: nextKey++,
                values: { sex: 'unknown', casualtyStatus: 'civilian', outcome: 'injured' },
                identity: 'keep',
                saved: false,
                ref: newRef(),
              },
            ])
          }
        >
          {t('reportKinds.addCasualty')}
        </button>
      </fieldset>
    </>
  );
}
