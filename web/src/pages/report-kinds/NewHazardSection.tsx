import type { Geometry } from 'geojson';
import { useEffect, useState } from 'react';
import { EVIDENCE_TYPES } from '../../../../src/domain/vocabularies.ts';
import { FormField } from '../../components/FormField.tsx';
import { type AreaGeometry, GeometryEditor } from '../../components/GeometryEditor.tsx';
import { VocabOptions } from '../../components/VocabOptions.tsx';
import { useI18n } from '../../i18n/index.tsx';
import type { ReportFormContent } from '../../lib/report-changes.ts';
import { type FieldValues, propsOf, RegisterFields, valuesOf } from './fields.tsx';
import { HAZARD_KEY, type SectionMap } from './section-map.ts';

const FIELDS = [
  'name',
  'type',
  'organisationId',
  'deviceCategories',
  'blockedLandUse',
  'beneficiaries',
  'description',
] as const;

interface Evidence {
  key: number;
  type: string;
  description: string;
}
let nextKey = 1;

/** The new-hazard part of the report form: the polygon (typed or drawn), type, devices, land use, evidence. */
export function NewHazardSection({
  initial,
  onChange,
  map,
}: {
  initial: Extract<ReportFormContent, { kind: 'new_hazard' }> | null;
  onChange: (content: ReportFormContent) => void;
  /** The report's map, to draw the polygon on (without it the editor has a map of its own). */
  map?: SectionMap;
}) {
  const { t } = useI18n();
  const [geometry, setGeometry] = useState<AreaGeometry | null>((initial?.geometry as AreaGeometry) ?? null);
  // A polygon drawn on the report's map comes back here.
  const drawn = map?.drawn;
  useEffect(() => {
    if (drawn?.key === HAZARD_KEY) setGeometry(drawn.geometry as AreaGeometry);
  }, [drawn]);
  const [values, setValues] = useState<FieldValues>(() => ({
    type: 'SHA',
    ...valuesOf(initial?.properties ?? {}),
  }));
  const [evidence, setEvidence] = useState<Evidence[]>(() =>
    ((initial?.properties.evidence as Array<{ type: string; description?: string }> | undefined) ?? []).map(
      (e) => ({
        key: nextKey++,
        type: e.type,
        description: e.description ?? '',
      }),
    ),
  );
  useEffect(() => {
    onChange({
      kind: 'new_hazard',
      geometry: geometry as Geometry | null,
      properties: {
        ...propsOf('hazards', FIELDS, values),
        evidence: evidence.map((e) => ({
          type: e.type,
          ...(e.description.trim() ? { description: e.description.trim() } : {}),
        })),
      },
    });
  }, [geometry, values, evidence, onChange]);
  return (
    <>
      <RegisterFields
        slug="hazards"
        names={FIELDS}
        values={values}
        idPrefix="r-hz"
        onChange={(name, v) => setValues((all) => ({ ...all, [name]: v }))}
      />
      <fieldset className="report-part" data-testid="hazard-polygon">
        <legend>{t('reportKinds.hazardPolygon')}</legend>
        <GeometryEditor
          id="r-hz-geometry"
          value={geometry}
          onChange={setGeometry}
          problems={[]}
          drawOn={
            map
              ? {
                  drawing: map.drawing === HAZARD_KEY,
                  start: (mode) => map.startDrawing(HAZARD_KEY, mode),
                  cancel: map.cancel,
                }
              : undefined
          }
        />
      </fieldset>
      <fieldset className="report-part">
        <legend>{t('field.evidence')}</legend>
        {evidence.map((e) => (
          <div key={e.key} className="report-item">
            <div className="found-main">
              <FormField id={`r-ev-${e.key}-type`} label={t('field.type')}>
                <select
                  id={`r-ev-${e.key}-type`}
                  value={e.type}
                  onChange={(ev) =>
                    setEvidence((all) =>
                      all.map((x) => (x.key === e.key ? { ...x, type: ev.target.value } : x)),
                    )
                  }
                >
                  <VocabOptions values={EVIDENCE_TYPES} />
                </select>
              </FormField>
              <FormField id={`r-ev-${e.key}-desc`} label={t('field.description')}>
                <input
                  id={`r-ev-${e.key}-desc`}
                  type="text"
                  value={e.description}
                  onChange={(ev) =>
                    setEvidence((all) =>
                      all.map((x) => (x.key === e.key ? { ...x, description: ev.target.value } : x)),
                    )
                  }
                />
              </FormField>
              <div className="item-actions">
                <button
                  type="button"
                  onClick={() => setEvidence((all) => all.filter((x) => x.key !== e.key))}
                >
                  {t('reportForm.remove')}
                </button>
              </div>
            </div>
          </div>
        ))}
        <button
          type="button"
          onClick={() =>
            setEvidence((all) => [...all, { key: nextKey++, type: EVIDENCE_TYPES[0], description: '' }])
          }
        >
          {t('reportKinds.addEvidence')}
        </button>
      </fieldset>
    </>
  );
}
