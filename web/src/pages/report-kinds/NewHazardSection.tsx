import type { Geometry } from 'geojson';
import { useEffect, useState } from 'react';
import { type AreaGeometry, GeometryEditor } from '../../components/GeometryEditor.tsx';
import { ObjectListInput } from '../../components/ListInputs.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { itemInput, type ListItem, listItems } from '../../lib/form-values.ts';
import { partsOf } from '../../lib/registers.ts';
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

/** The parts of a piece of evidence (type, description, where it was seen), from the register. */
const EVIDENCE_PARTS = partsOf('hazards', 'evidence');

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
  const [evidence, setEvidence] = useState<ListItem[]>(() =>
    ((initial?.properties.evidence as unknown[] | undefined) ?? []).map(itemInput),
  );
  useEffect(() => {
    onChange({
      kind: 'new_hazard',
      geometry: geometry as Geometry | null,
      properties: {
        ...propsOf('hazards', FIELDS, values),
        evidence: listItems(evidence, EVIDENCE_PARTS).value,
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
        <ObjectListInput
          id="r-hz-evidence"
          name="evidence"
          parts={EVIDENCE_PARTS}
          value={evidence}
          onChange={setEvidence}
          addLabel={t('reportKinds.addEvidence')}
        />
      </fieldset>
    </>
  );
}
