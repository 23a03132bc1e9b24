import type { Geometry, Point, Polygon } from 'geojson';
import {
  type Dispatch,
  type FormEvent,
  memo,
  type SetStateAction,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { ApiError, request } from '../api/client.ts';
import type { ProblemItem, Report, ReportWarning } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { ForbiddenPage } from '../components/ForbiddenPage.tsx';
import { FormField } from '../components/FormField.tsx';
import { type AreaGeometry, GeometryEditor } from '../components/GeometryEditor.tsx';
import { bboxOf } from '../components/MapView.tsx';
import { PointInput } from '../components/PointInput.tsx';
import { RecordPicker } from '../components/RecordPicker.tsx';
import { ReportAttachments } from '../components/ReportAttachments.tsx';
import { evidencePoints, type MapItem, ReportMap } from '../components/ReportMap.tsx';
import { VocabOptions } from '../components/VocabOptions.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useApiPaths } from '../lib/api-paths.ts';
import { useAuth } from '../lib/auth.tsx';
import { useProgrammeExtent } from '../lib/extent.ts';
import { useCan } from '../lib/permissions.ts';
import { fieldsOf, registerDef } from '../lib/registers.ts';
import { FORM_KINDS, formChanges, formOfChanges, type ReportFormContent } from '../lib/report-changes.ts';
import { Link, useRouter } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';
import { loadRecord } from './RecordPage.tsx';
import { changeOfPointer } from './Reports.tsx';
import { AccidentSection } from './report-kinds/AccidentSection.tsx';
import { CorrectionSection } from './report-kinds/CorrectionSection.tsx';
import { NewHazardSection } from './report-kinds/NewHazardSection.tsx';
import { OtherRecordsSection } from './report-kinds/OtherRecordsSection.tsx';
import { ACCIDENT_KEY, HAZARD_KEY, type SectionMap } from './report-kinds/section-map.ts';

/** Kinds whose part of the form is a section of its own (report-kinds/), which hands back its content. */
const SECTION_KINDS: readonly string[] = ['new_hazard', 'accident', 'other_records', 'correction'];

/** The code list of a register field, read from the one schema source. */
function codes(slug: string, field: string): string[] {
  const def = registerDef(slug);
  return (def && fieldsOf(def).find((f) => f.name === field)?.enumValues) || [];
}

/** The options of a register field's code list, labelled in the user's language. */
function CodeOptions({ slug, field }: { slug: string; field: string }) {
  return <VocabOptions values={codes(slug, field)} />;
}

/** The list with one item (found by its key) changed. */
function updateByKey<T extends { key: number }>(all: T[], key: number, change: Partial<T>): T[] {
  return all.map((x) => (x.key === key ? { ...x, ...change } : x));
}

interface Released {
  key: number;
  outcome: string;
  geometry: AreaGeometry | null;
}

/** The findings register's further fields, entered per finding (text as typed; numbers on save). */
const FOUND_TEXT = ['modelText', 'marking', 'manufacturer', 'lot'] as const;
const FOUND_CODES = ['condition', 'disposition'] as const;
const FOUND_NUMBERS = ['depthCm', 'yearOfManufacture'] as const;

interface Found {
  key: number;
  category: string;
  quantity: string;
  point: Point | null;
  /** ordnanceId, modelText, condition, depthCm, disposition, marking, manufacturer, lot, yearOfManufacture. */
  fields: Record<string, string>;
}

let nextKey = 1;

/** The one empty list of problems, so rows without any keep their props unchanged. */
const noProblems: string[] = [];

const releasedKey = (key: number) => `r${key}`;
const foundKey = (key: number) => `f${key}`;

/** A finding's further fields as the register takes them (numbers as numbers, blanks left out). */
function foundFields(f: Found): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f.fields)) {
    const s = v.trim();
    if (!s) continue;
    out[k] = (FOUND_NUMBERS as readonly string[]).includes(k) ? Number(s) : s;
  }
  return out;
}

function fieldsText(fields: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields ?? {})) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

/** One finding of the form: a compact row, with the register's further fields when it is chosen. */
const FoundRow = memo(function FoundRow({
  f,
  index,
  selected,
  placing,
  problems,
  setFound,
  select,
  place,
}: {
  f: Found;
  index: number;
  selected: boolean;
  placing: boolean;
  problems: string[];
  setFound: Dispatch<SetStateAction<Found[]>>;
  select: (key: string | null) => void;
  place: (key: string | null) => void;
}) {
  const { t, tk } = useI18n();
  const [open, setOpen] = useState(false);
  const id = `r-found-${f.key}`;
  const setField = (name: string, value: string) =>
    setFound((all) =>
      all.map((x) => (x.key === f.key ? { ...x, fields: { ...x.fields, [name]: value } } : x)),
    );
  return (
    <div
      className={`report-item found-item ${selected ? 'selected' : ''} ${problems.length ? 'invalid' : ''}`}
      data-testid={`found-${index}`}
      data-key={foundKey(f.key)}
      onFocusCapture={() => !selected && select(foundKey(f.key))}
    >
      <div className="found-main">
        <button
          type="button"
          className="item-number"
          aria-pressed={selected}
          title={t('reportForm.findingN', { n: index + 1 })}
          onClick={() => select(foundKey(f.key))}
        >
          {index + 1}
        </button>
        <label>
          {t('field.category')}
          <select
            value={f.category}
            onChange={(e) => setFound((all) => updateByKey(all, f.key, { category: e.target.value }))}
          >
            <CodeOptions slug="findings" field="category" />
          </select>
        </label>
        <label className="narrow">
          {t('field.quantity')}
          <input
            type="number"
            min={1}
            step={1}
            value={f.quantity}
            onChange={(e) => setFound((all) => updateByKey(all, f.key, { quantity: e.target.value }))}
          />
        </label>
        <div className="found-position">
          <label htmlFor={id}>{t('reportForm.position')}</label>
          <PointInput
            id={id}
            value={f.point}
            onChange={(p) => setFound((all) => updateByKey(all, f.key, { point: p }))}
            withMap={false}
            invalid={problems.length > 0 && !f.point}
          />
        </div>
        <div className="item-actions">
          <button
            type="button"
            className={placing ? 'primary' : undefined}
            onClick={() => place(placing ? null : foundKey(f.key))}
            data-testid="place-on-map"
          >
            {placing ? t('action.cancel') : t('reportForm.placeOnMap')}
          </button>
          <button type="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
            {open ? t('reportForm.fewerFields') : t('reportForm.moreFields')}
          </button>
          <button type="button" onClick={() => setFound((all) => all.filter((x) => x.key !== f.key))}>
            {t('reportForm.remove')}
          </button>
        </div>
      </div>
      {problems.length > 0 && (
        <ul className="field-problems" data-testid="found-problems">
          {problems.map((p) => (
            <li key={p} className="error">
              {p}
            </li>
          ))}
        </ul>
      )}
      {open && (
        <div className="found-details form-grid">
          <FormField id={`${id}-ordnance`} label={t('field.ordnanceId')}>
            <RecordPicker
              slug="ordnance"
              id={`${id}-ordnance`}
              value={f.fields.ordnanceId ?? ''}
              onChange={(v) => setField('ordnanceId', v)}
            />
          </FormField>
          {FOUND_CODES.map((name) => (
            <FormField key={name} id={`${id}-${name}`} label={tk(`field.${name}`, name)}>
              <select
                id={`${id}-${name}`}
                value={f.fields[name] ?? ''}
                onChange={(e) => setField(name, e.target.value)}
              >
                <option value="">{t('form.choose')}</option>
                <CodeOptions slug="findings" field={name} />
              </select>
            </FormField>
          ))}
          <FormField id={`${id}-depthCm`} label={t('field.depthCm')}>
            <input
              id={`${id}-depthCm`}
              type="number"
              min={0}
              max={1000}
              step={1}
              value={f.fields.depthCm ?? ''}
              onChange={(e) => setField('depthCm', e.target.value)}
            />
          </FormField>
          <FormField id={`${id}-yearOfManufacture`} label={t('field.yearOfManufacture')}>
            <input
              id={`${id}-yearOfManufacture`}
              type="number"
              min={1850}
              max={2100}
              step={1}
              value={f.fields.yearOfManufacture ?? ''}
              onChange={(e) => setField('yearOfManufacture', e.target.value)}
            />
          </FormField>
          {FOUND_TEXT.map((name) => (
            <FormField key={name} id={`${id}-${name}`} label={tk(`field.${name}`, name)}>
              <input
                id={`${id}-${name}`}
                type="text"
                value={f.fields[name] ?? ''}
                onChange={(e) => setField(name, e.target.value)}
              />
            </FormField>
          ))}
        </div>
      )}
    </div>
  );
});

/** The edit page of a draft or rejected report: the report form, filled from the report. */
export function ReportEdit({ id }: { id: string }) {
  const { t } = useI18n();
  const loaded = useAsync((signal) => request<Report>(`/api/v1/reports/${id}`, { signal }), [id]);
  if (loaded.error) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data)
    return (
      <p className="page-status" role="status">
        {t('app.loading')}
      </p>
    );
  const report = loaded.data.data;
  const content = formOfChanges(report.kind, report.payload.changes, report.hiddenIdentities);
  if (!['draft', 'rejected'].includes(report.status) || !content)
    return (
      <div className="page">
        <p className="page-status" data-testid="not-editable">
          {!content ? t('reportForm.notEditable', { id: report.id }) : t('reportForm.notEditableStatus')}
        </p>
        <p>
          <Link to={`/reports/${report.id}`}>{report.code}</Link>
        </p>
      </div>
    );
  return <ReportForm key={`${report.id}-${report.version}`} existing={{ report, content }} />;
}

/** `/reports/new`: the form, or for a role that may not enter reports a line saying so. */
export function NewReport() {
  const { t } = useI18n();
  const { can } = useCan();
  if (!can('report.create')) return <ForbiddenPage title={t('reports.new')} />;
  return <ReportForm />;
}

/** The report form: a new draft, or (with `existing`) the edit of a draft or rejected report. */
export function ReportForm({ existing }: { existing?: { report: Report; content: ReportFormContent } } = {}) {
  const { t, tk } = useI18n();
  const { user } = useAuth();
  const { navigate, search } = useRouter();
  const hasReportAttachments = !!useApiPaths()?.has('/api/v1/reports/{id}/attachments');
  const initial = existing?.content;
  const activity = initial?.kind === 'activity' ? initial.activity : null;
  const [kind, setKind] = useState<ReportFormContent['kind']>(
    initial?.kind ?? FORM_KINDS.find((k) => k === search.get('kind')) ?? 'activity',
  );
  /** The content a kind's own section hands back (new hazard, accident, other records, correction). */
  const [sectionContent, setSectionContent] = useState<ReportFormContent | null>(null);
  const onSection = useCallback((c: ReportFormContent) => setSectionContent(c), []);
  const [dateOfInformation, setDate] = useState(
    existing?.report.dateOfInformation ?? new Date().toISOString().slice(0, 10),
  );
  const [organisationId, setOrganisationId] = useState(
    activity?.organisationId ?? user?.organisationId ?? '',
  );
  const [hazardId, setHazardId] = useState(
    activity?.hazardId ??
      (initial?.kind === 'hazard_status_change' ? initial.hazardId : (search.get('hazard') ?? '')),
  );
  const [activityKind, setActivityKind] = useState(activity?.kind || 'clearance');
  const [method, setMethod] = useState(activity?.method ?? '');
  const [startDate, setStartDate] = useState(activity?.startDate ?? '');
  const [endDate, setEndDate] = useState(activity?.endDate ?? '');
  const [released, setReleased] = useState<Released[]>(
    activity
      ? activity.released.map((r) => ({
          key: nextKey++,
          outcome: r.outcome,
          geometry: r.geometry as AreaGeometry,
        }))
      : [{ key: nextKey++, outcome: 'cleared', geometry: null }],
  );
  const [found, setFound] = useState<Found[]>(
    activity
      ? activity.found.map((f) => ({
          key: nextKey++,
          category: f.category,
          quantity: String(f.quantity),
          point: f.point,
          fields: fieldsText(f.fields),
        }))
      : [],
  );
  const [status, setStatus] = useState(initial?.kind === 'hazard_status_change' ? initial.status : '');
  const [reason, setReason] = useState(existing?.report.reason ?? '');
  const [conflict, setConflict] = useState(false);
  const [problems, setProblems] = useState<ProblemItem[]>([]);
  /** Problems of one land-release polygon or finding, by its map key. */
  const [itemProblems, setItemProblems] = useState<Map<string, { texts: string[]; of: unknown }>>(new Map());
  /** An item's problems while it is as it was when they were found (any edit puts them away). */
  const problemsOf = (key: string, item: unknown): string[] => {
    const p = itemProblems.get(key);
    return p && p.of === item ? p.texts : noProblems;
  };
  const [saving, setSaving] = useState(false);
  /** The approval's check of the draft as last saved (POST /api/v1/reports/{id}/check). */
  const [check, setCheck] = useState<{ problems: ProblemItem[]; warnings: ReportWarning[] } | null>(null);
  const [checking, setChecking] = useState(false);
  /** The draft's version as last saved here: each save of the form sends it. */
  const version = useRef(existing?.report.version);
  /** Saves and checks run one after the other, so a save never races another. */
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const [selected, setSelected] = useState<string | null>(null);
  const [placing, setPlacing] = useState<string | null>(null);
  const [drawing, setDrawing] = useState<{ key: string; mode: 'replace' | 'add' } | null>(null);
  /** The last polygon drawn or point placed on the map for a kind's section (new hazard, accident). */
  const [sectionDrawn, setSectionDrawn] = useState<SectionMap['drawn']>(null);

  // The chosen hazard's outline, drawn under the report's changes (the latest choice wins).
  const hazard = useAsync(
    (signal) => (hazardId ? loadRecord('hazards', hazardId, signal) : Promise.resolve(null)),
    [hazardId],
  );
  const hazardGeometry = hazard.data?.geometry ?? null;

  const select = useCallback((key: string | null) => setSelected(key), []);
  const place = useCallback((key: string | null) => {
    setDrawing(null);
    setPlacing(key);
    if (key) setSelected(key);
  }, []);

  // A new hazard's polygon and an accident's position are drawn on the same map as everything else.
  const sectionGeometry =
    SECTION_KINDS.includes(kind) &&
    sectionContent?.kind === kind &&
    (sectionContent.kind === 'new_hazard' || sectionContent.kind === 'accident')
      ? sectionContent.geometry
      : null;
  const items = useMemo<MapItem[]>(() => {
    const out: MapItem[] = [];
    if (hazardGeometry) out.push({ key: 'hazard', geometry: hazardGeometry, role: 'hazard' });
    if (sectionGeometry && kind === 'new_hazard')
      out.push({ key: HAZARD_KEY, geometry: sectionGeometry, role: 'after' });
    if (kind === 'new_hazard' && sectionContent?.kind === 'new_hazard')
      for (const at of evidencePoints(sectionContent.properties))
        out.push({ key: HAZARD_KEY, geometry: at, role: 'evidence' });
    if (sectionGeometry && kind === 'accident')
      out.push({ key: ACCIDENT_KEY, geometry: sectionGeometry, role: 'after', movable: true });
    if (kind !== 'activity') return out;
    for (const r of released)
      if (r.geometry)
        out.push({
          key: releasedKey(r.key),
          geometry: r.geometry,
          role: 'released',
          problem: itemProblems.get(releasedKey(r.key))?.of === r,
        });
    for (const f of found)
      if (f.point)
        out.push({
          key: foundKey(f.key),
          geometry: f.point,
          role: 'found',
          movable: true,
          problem: itemProblems.get(foundKey(f.key))?.of === f,
        });
    return out;
  }, [hazardGeometry, sectionGeometry, sectionContent, released, found, kind, itemProblems]);

  // The map goes to the hazard once it is chosen; before that to the report's own changes or the programme.
  const programme = useProgrammeExtent();
  const [ownExtent] = useState(() =>
    bboxOf([
      ...released.map((r) => r.geometry),
      ...found.map((f) => f.point),
      initial && (initial.kind === 'new_hazard' || initial.kind === 'accident') ? initial.geometry : null,
    ]),
  );
  // A new hazard's polygon, once typed or drawn, is brought into view.
  const fit =
    bboxOf([hazardGeometry]) ??
    (kind === 'new_hazard' ? bboxOf([sectionGeometry]) : null) ??
    ownExtent ??
    programme;

  const onPlace = useCallback((key: string, p: Point) => {
    if (key === ACCIDENT_KEY) {
      setSectionDrawn({ key, geometry: p });
      setPlacing(null);
      setSelected(key);
      return;
    }
    const k = Number(key.slice(1));
    setFound((all) => updateByKey(all, k, { point: p }));
    setPlacing(null);
    setSelected(key);
  }, []);
  const onMove = useCallback((key: string, p: Point) => {
    if (key === ACCIDENT_KEY) {
      setSectionDrawn({ key, geometry: p });
      return;
    }
    const k = Number(key.slice(1));
    setFound((all) => updateByKey(all, k, { point: p }));
  }, []);
  const drawingRef = drawing;
  const onDrawn = useCallback(
    (key: string, polygon: Polygon) => {
      const mode = drawingRef?.mode ?? 'replace';
      if (key === HAZARD_KEY) {
        const before = sectionGeometry;
        const polys =
          mode === 'add' && before?.type === 'Polygon'
            ? [before.coordinates]
            : mode === 'add' && before?.type === 'MultiPolygon'
              ? before.coordinates
              : [];
        setSectionDrawn({
          key,
          geometry: polys.length
            ? { type: 'MultiPolygon', coordinates: [...polys, polygon.coordinates] }
            : polygon,
        });
        setDrawing(null);
        return;
      }
      const k = Number(key.slice(1));
      setReleased((all) =>
        all.map((r) => {
          if (r.key !== k) return r;
          if (mode === 'add' && r.geometry) {
            const polys = r.geometry.type === 'Polygon' ? [r.geometry.coordinates] : r.geometry.coordinates;
            return { ...r, geometry: { type: 'MultiPolygon', coordinates: [...polys, polygon.coordinates] } };
          }
          return { ...r, geometry: polygon };
        }),
      );
      setDrawing(null);
    },
    [drawingRef, sectionGeometry],
  );
  const sectionMap = useMemo<SectionMap>(
    () => ({
      drawing: drawing?.key ?? null,
      placing,
      startDrawing: (key, mode) => {
        setPlacing(null);
        setSelected(key);
        setDrawing({ key, mode });
      },
      startPlacing: (key) => {
        setDrawing(null);
        setPlacing(key);
        if (key) setSelected(key);
      },
      cancel: () => {
        setDrawing(null);
        setPlacing(null);
      },
      drawn: sectionDrawn,
    }),
    [drawing, placing, sectionDrawn],
  );

  // On a narrow screen the map sits above the form: bring it into view to place or draw on it.
  useEffect(() => {
    if ((placing || drawing) && window.matchMedia('(max-width: 1100px)').matches)
      document.querySelector('.report-layout-map')?.scrollIntoView({ block: 'start' });
  }, [placing, drawing]);

  // A change chosen on the map comes into view in the list (one chosen in the list is in view already).
  const fromMap = useRef(false);
  const selectOnMap = useCallback((key: string) => {
    fromMap.current = true;
    setSelected(key);
  }, []);
  useEffect(() => {
    if (!selected || !fromMap.current) return;
    fromMap.current = false;
    document.querySelector(`[data-key="${selected}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  /** Which item of the form a change of the report is: the activity first, then polygons, then findings. */
  const itemOfChange = (
    i: number,
    at: { released: Released[]; found: Found[] } = { released, found },
  ): { key: string; label: string; of: unknown } | null => {
    const { released, found } = at;
    if (kind !== 'activity' || i === 0) return null;
    if (i <= released.length) {
      const r = released[i - 1];
      return r ? { key: releasedKey(r.key), label: t('reportForm.releasedN', { n: i }), of: r } : null;
    }
    const f = found[i - 1 - released.length];
    return f
      ? { key: foundKey(f.key), label: t('reportForm.findingN', { n: i - released.length }), of: f }
      : null;
  };

  /** What the form cannot send yet: a polygon without a shape, a finding without a position. */
  const incomplete = () => {
    const local = new Map<string, { texts: string[]; of: unknown }>();
    const listed: ProblemItem[] = [];
    if (kind !== 'activity') return { local, listed };
    released.forEach((r, i) => {
      if (r.geometry) return;
      const detail = t('reportForm.releasedNoShape', { n: i + 1 });
      local.set(releasedKey(r.key), { texts: [detail], of: r });
      listed.push({ code: 'reportForm.releasedNoShape', detail });
    });
    found.forEach((f, i) => {
      if (f.point) return;
      const detail = t('reportForm.findingNoPosition', { n: i + 1 });
      local.set(foundKey(f.key), { texts: [detail], of: f });
      listed.push({ code: 'reportForm.findingNoPosition', detail });
    });
    return { local, listed };
  };

  const fromSection = SECTION_KINDS.includes(kind) && sectionContent?.kind === kind ? sectionContent : null;
  const content: ReportFormContent | null = fromSection
    ? fromSection
    : kind === 'activity'
      ? {
          kind,
          activity: {
            organisationId,
            hazardId,
            kind: activityKind,
            method,
            startDate,
            endDate,
            released: released.map((r) => ({ outcome: r.outcome, geometry: r.geometry as Geometry })),
            found: found.map((f) => ({
              category: f.category,
              quantity: Number(f.quantity) || 1,
              point: f.point as Point,
              fields: foundFields(f),
            })),
          },
        }
      : kind === 'hazard_status_change'
        ? { kind: 'hazard_status_change', hazardId, status }
        : null;
  const body = {
    kind,
    dateOfInformation,
    ...(reason.trim() ? { reason: reason.trim() } : {}),
    payload: { changes: content ? formChanges(content) : [] },
  };
  const bodyText = JSON.stringify(body);
  /** The body as last saved (or as loaded), so an unchanged form is not saved again. */
  const savedText = useRef(existing ? bodyText : '');

  const warningText = (w: ReportWarning) =>
    tk(`warning.${w.code}`, w.code, { ...w.params, other: w.other.code, change: w.change + 1 });

  /** Problems and warnings by item of the form, kept with the item as it was when they were found. */
  const byItem = (
    items: ProblemItem[],
    warnings: ReportWarning[],
    at: { released: Released[]; found: Found[] },
  ) => {
    const out = new Map<string, { texts: string[]; of: unknown }>();
    const add = (i: number | null, text: string) => {
      const item = i === null ? null : itemOfChange(i, at);
      if (item) out.set(item.key, { texts: [...(out.get(item.key)?.texts ?? []), text], of: item.of });
    };
    for (const p of items) add(changeOfPointer(p.pointer), p.detail ?? p.code);
    for (const w of warnings) add(w.change, warningText(w));
    return out;
  };

  /** The approval's dry run on the saved draft; its findings are shown beside the items at once. */
  const runCheck = async (id: string, at: { released: Released[]; found: Found[] }) => {
    const r = await request<{ problems?: ProblemItem[]; warnings?: ReportWarning[] }>(
      `/api/v1/reports/${id}/check`,
      { method: 'POST', body: {} },
    );
    const result = { problems: r.data.problems ?? [], warnings: r.data.warnings ?? [] };
    setCheck(result);
    setItemProblems(byItem(result.problems, result.warnings, at));
    return result;
  };

  const save = async (sent: typeof body): Promise<Report> => {
    const r = existing
      ? await request<Report>(`/api/v1/reports/${existing.report.id}`, {
          method: 'PUT',
          body: sent,
          headers: { 'If-Match': `"${version.current}"` },
        })
      : await request<Report>('/api/v1/reports', { method: 'POST', body: sent });
    version.current = r.data.version;
    savedText.current = JSON.stringify(sent);
    return r.data;
  };

  const showError = (err: unknown, at: { released: Released[]; found: Found[] }) => {
    if (err instanceof ApiError && err.status === 412) setConflict(true);
    else {
      const items =
        err instanceof ApiError ? err.items : [{ code: 'error.unexpected', detail: t('error.unexpected') }];
      setProblems(items);
      setItemProblems(byItem(items, [], at));
    }
  };

  // An open draft is checked as it is, then saved and checked again a second after each pause in
  // the typing or drawing, so the approval's problems show while the report is being made.
  const existingId = existing?.report.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once, for the draft as loaded
  useEffect(() => {
    if (!existingId) return;
    const at = { released, found };
    queue.current = queue.current.then(() => runCheck(existingId, at).catch(() => undefined));
  }, [existingId]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the body's text stands for every field of the form
  useEffect(() => {
    if (!existingId || !content || bodyText === savedText.current || saving) return;
    const timer = setTimeout(() => {
      const at = { released, found };
      const { local, listed } = incomplete();
      if (listed.length > 0) {
        setCheck({ problems: listed, warnings: [] });
        setItemProblems(local);
        return;
      }
      queue.current = queue.current.then(async () => {
        if (JSON.stringify(body) === savedText.current) return;
        setChecking(true);
        try {
          await save(body);
          setProblems([]);
          await runCheck(existingId, at);
        } catch (err) {
          showError(err, at);
        } finally {
          setChecking(false);
        }
      });
    }, 1000);
    return () => clearTimeout(timer);
  }, [bodyText, existingId, saving]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblems([]);
    setItemProblems(new Map());
    setConflict(false);
    // Nothing is left out silently: a polygon without a shape or a finding without a position is a problem to fix.
    const { local, listed } = incomplete();
    if (listed.length > 0) {
      setItemProblems(local);
      setProblems(listed);
      window.scrollTo(0, 0);
      return;
    }
    if (!content) return;
    const at = { released, found };
    setSaving(true);
    const run = queue.current.then(async () => {
      try {
        const r = await save(body);
        const result = await runCheck(r.id, at).catch(() => null);
        // A draft the approval would refuse or question stays open, with the check beside it.
        if (result && (result.problems.length > 0 || result.warnings.length > 0)) {
          if (!existing) navigate(`/reports/${r.id}/edit`);
          else window.scrollTo(0, 0);
          return;
        }
        navigate(`/reports/${r.id}`);
      } catch (err) {
        showError(err, at);
        window.scrollTo(0, 0);
      } finally {
        setSaving(false);
      }
    });
    queue.current = run;
    await run;
  };

  const problemText = (p: ProblemItem) => {
    const i = changeOfPointer(p.pointer);
    const text = p.detail ?? p.code;
    if (i === null) return text;
    const item = itemOfChange(i);
    return item
      ? t('reportForm.atItem', { it: item.label, msg: text })
      : t('reportForm.atChange', { change: i + 1, message: text });
  };

  const placingIndex = placing ? found.findIndex((f) => foundKey(f.key) === placing) : -1;
  const drawingIndex = drawing ? released.findIndex((r) => releasedKey(r.key) === drawing.key) : -1;
  const sectionMode =
    placing === ACCIDENT_KEY
      ? t('reportKinds.placingAccident')
      : drawing?.key === HAZARD_KEY
        ? t('reportKinds.drawingHazard')
        : null;

  return (
    <div className="page record-form report-form">
      <p className="muted no-print">
        <Link to="/reports/drafts">{t('reports.myDrafts')}</Link>
      </p>
      <h1>{existing ? t('reportForm.editTitle', { code: existing.report.code }) : t('reports.new')}</h1>
      {existing?.report.rejectionReason && (
        <div className="note" data-testid="edit-rejection-reason">
          <strong>{t('report.rejectionReason')}</strong> {existing.report.rejectionReason}
        </div>
      )}
      {conflict && existing && (
        <div className="conflict" role="alert" data-testid="conflict">
          <h2>{t('form.conflictTitle')}</h2>
          <p>{t('reportForm.conflictBody')}</p>
          <Link to={`/reports/${existing.report.id}`} className="button primary">
            {t('reportForm.conflictOpen')}
          </Link>
        </div>
      )}
      {problems.length > 0 && (
        <div className="error-summary" role="alert" data-testid="error-summary">
          <h2>{t('form.problemsTitle', { count: problems.length })}</h2>
          <ul>
            {problems.map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity of their own
              <li key={i}>{problemText(p)}</li>
            ))}
          </ul>
        </div>
      )}
      {(check || checking) && (
        <div className="check-result" role="status" aria-live="polite" data-testid="form-check">
          {checking && <p className="muted">{t('reportForm.checking')}</p>}
          {check && check.problems.length === 0 && check.warnings.length === 0 && (
            <p>{t('report.checkClean')}</p>
          )}
          {check && check.problems.length > 0 && (
            <>
              <h2>{t('reportForm.checkProblems', { count: check.problems.length })}</h2>
              <ul>
                {check.problems.map((p, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity of their own
                  <li key={i} className="error">
                    {problemText(p)}
                  </li>
                ))}
              </ul>
            </>
          )}
          {check && check.warnings.length > 0 && (
            <>
              <h2>{t('report.checkWarnings', { count: check.warnings.length })}</h2>
              <ul>
                {check.warnings.map((w) => (
                  <li key={w.id}>{warningText(w)}</li>
                ))}
              </ul>
            </>
          )}
          {existing && (
            <p>
              <Link to={`/reports/${existing.report.id}`}>{t('reportForm.openReport')}</Link>
            </p>
          )}
        </div>
      )}
      <form onSubmit={submit} className="report-layout">
        <div className="report-layout-main form-grid">
          <FormField id="r-kind" label={t('report.kind')}>
            <select
              id="r-kind"
              value={kind}
              disabled={!!existing}
              onChange={(e) => setKind(e.target.value as ReportFormContent['kind'])}
            >
              {FORM_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`report.kind.${k}`)}
                </option>
              ))}
            </select>
          </FormField>
          <FormField id="r-date" label={t('field.dateOfInformation')}>
            <input
              id="r-date"
              type="date"
              required
              value={dateOfInformation}
              onChange={(e) => setDate(e.target.value)}
            />
          </FormField>
          {(kind === 'activity' || kind === 'hazard_status_change') && (
            <FormField id="r-hazard" label={t('reportForm.hazard')}>
              <RecordPicker slug="hazards" id="r-hazard" required value={hazardId} onChange={setHazardId} />
            </FormField>
          )}
          {kind === 'new_hazard' && (
            <NewHazardSection
              initial={initial?.kind === kind ? initial : null}
              onChange={onSection}
              map={sectionMap}
            />
          )}
          {kind === 'accident' && (
            <AccidentSection
              initial={initial?.kind === kind ? initial : null}
              onChange={onSection}
              map={sectionMap}
            />
          )}
          {kind === 'other_records' && (
            <OtherRecordsSection initial={initial?.kind === kind ? initial : null} onChange={onSection} />
          )}
          {kind === 'correction' && (
            <CorrectionSection initial={initial?.kind === kind ? initial : null} onChange={onSection} />
          )}
          {kind === 'activity' && (
            <>
              <FormField id="r-org" label={t('field.organisationId')}>
                <RecordPicker
                  slug="organisations"
                  id="r-org"
                  required
                  value={organisationId}
                  onChange={setOrganisationId}
                />
              </FormField>
              <FormField id="r-akind" label={t('reportForm.activityKind')}>
                <select id="r-akind" value={activityKind} onChange={(e) => setActivityKind(e.target.value)}>
                  <CodeOptions slug="activities" field="kind" />
                </select>
              </FormField>
              <FormField id="r-method" label={t('field.method')}>
                <select id="r-method" value={method} onChange={(e) => setMethod(e.target.value)}>
                  <option value="">{t('form.choose')}</option>
                  <CodeOptions slug="activities" field="method" />
                </select>
              </FormField>
              <FormField id="r-start" label={t('field.startDate')}>
                <input
                  id="r-start"
                  type="date"
                  value={startDate}
                  onChange={(e) => setStartDate(e.target.value)}
                />
              </FormField>
              <FormField id="r-end" label={t('field.endDate')}>
                <input id="r-end" type="date" value={endDate} onChange={(e) => setEndDate(e.target.value)} />
              </FormField>
              <fieldset className="report-part">
                <legend>{t('reportForm.released')}</legend>
                <p className="hint">{t('reportForm.releasedHint')}</p>
                {released.map((r, i) => {
                  const key = releasedKey(r.key);
                  const own = problemsOf(key, r);
                  return (
                    <div
                      key={r.key}
                      className={`report-item ${selected === key ? 'selected' : ''} ${own.length ? 'invalid' : ''}`}
                      data-testid={`released-${i}`}
                      data-key={key}
                      onFocusCapture={() => selected !== key && setSelected(key)}
                    >
                      <div className="found-main">
                        <button
                          type="button"
                          className="item-number"
                          aria-pressed={selected === key}
                          title={t('reportForm.releasedN', { n: i + 1 })}
                          onClick={() => setSelected(key)}
                        >
                          {i + 1}
                        </button>
                        <label>
                          {t('field.outcome')}
                          <select
                            value={r.outcome}
                            onChange={(e) =>
                              setReleased((all) => updateByKey(all, r.key, { outcome: e.target.value }))
                            }
                          >
                            <CodeOptions slug="land-release" field="outcome" />
                          </select>
                        </label>
                        <div className="item-actions">
                          <button
                            type="button"
                            onClick={() => setReleased((all) => all.filter((x) => x.key !== r.key))}
                          >
                            {t('reportForm.remove')}
                          </button>
                        </div>
                      </div>
                      {own.length > 0 && (
                        <ul className="field-problems">
                          {own.map((p) => (
                            <li key={p} className="error">
                              {p}
                            </li>
                          ))}
                        </ul>
                      )}
                      <GeometryEditor
                        id={`r-released-${r.key}`}
                        value={r.geometry}
                        onChange={(g) => setReleased((all) => updateByKey(all, r.key, { geometry: g }))}
                        problems={[]}
                        drawOn={{
                          drawing: drawing?.key === key,
                          start: (mode) => {
                            setPlacing(null);
                            setSelected(key);
                            setDrawing({ key, mode });
                          },
                          cancel: () => setDrawing(null),
                        }}
                      />
                    </div>
                  );
                })}
                <button
                  type="button"
                  onClick={() =>
                    setReleased((all) => [...all, { key: nextKey++, outcome: 'cleared', geometry: null }])
                  }
                >
                  {t('reportForm.addReleased')}
                </button>
              </fieldset>
              <fieldset className="report-part">
                <legend>
                  {t('reportForm.found')}{' '}
                  <span className="count" data-testid="found-count">
                    {found.length}
                  </span>
                </legend>
                <p className="hint">{t('reportForm.foundHint')}</p>
                {found.map((f, i) => (
                  <FoundRow
                    key={f.key}
                    f={f}
                    index={i}
                    selected={selected === foundKey(f.key)}
                    placing={placing === foundKey(f.key)}
                    problems={problemsOf(foundKey(f.key), f)}
                    setFound={setFound}
                    select={select}
                    place={place}
                  />
                ))}
                <button
                  type="button"
                  data-testid="add-finding"
                  onClick={() => {
                    const key = nextKey++;
                    setFound((all) => [
                      ...all,
                      {
                        key,
                        category: codes('findings', 'category')[0] ?? 'AP',
                        quantity: '1',
                        point: null,
                        fields: {},
                      },
                    ]);
                    setSelected(foundKey(key));
                  }}
                >
                  {t('reportForm.addFound')}
                </button>
              </fieldset>
            </>
          )}
          {kind === 'hazard_status_change' && (
            <FormField id="r-status" label={t('field.status')}>
              <select id="r-status" required value={status} onChange={(e) => setStatus(e.target.value)}>
                <option value="">{t('form.choose')}</option>
                <CodeOptions slug="hazards" field="status" />
              </select>
            </FormField>
          )}
          <FormField
            id="r-reason"
            label={t('report.reason')}
            required={kind === 'hazard_status_change' || kind === 'correction'}
            wide
          >
            <textarea
              id="r-reason"
              rows={2}
              value={reason}
              required={kind === 'hazard_status_change' || kind === 'correction'}
              onChange={(e) => setReason(e.target.value)}
            />
          </FormField>
          <div className="form-actions">
            <button type="submit" className="primary" disabled={saving} data-testid="save-report">
              {saving
                ? t('reportForm.saving')
                : existing
                  ? t('reportForm.saveChanges')
                  : t('reportForm.saveDraft')}
            </button>
          </div>
        </div>
        <div className="report-layout-map">
          {(placingIndex >= 0 || drawingIndex >= 0 || sectionMode) && (
            <p className="map-mode" role="status" data-testid="map-mode">
              {placingIndex >= 0
                ? t('reportForm.placing', { n: placingIndex + 1 })
                : drawingIndex >= 0
                  ? t('reportForm.drawingReleased', { n: drawingIndex + 1 })
                  : sectionMode}{' '}
              <button
                type="button"
                onClick={() => {
                  setPlacing(null);
                  setDrawing(null);
                }}
              >
                {t('action.cancel')}
              </button>
            </p>
          )}
          <ReportMap
            label={t('reportMap.label')}
            items={items}
            selected={selected}
            onSelect={selectOnMap}
            fitTo={fit}
            placing={placing}
            onPlace={onPlace}
            onMove={onMove}
            drawing={drawing?.key ?? null}
            onDrawn={onDrawn}
          />
        </div>
      </form>
      {existing ? (
        hasReportAttachments && <ReportAttachments reportId={existing.report.id} editable />
      ) : (
        <p className="hint no-print" data-testid="attach-after-save">
          {t('attachment.afterSave')}
        </p>
      )}
    </div>
  );
}
