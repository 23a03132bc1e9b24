import type { Geometry, Point } from 'geojson';
import type { ReportChange } from '../api/types.ts';
import { registerDef } from './registers.ts';

/** What the report form holds for an activity report (clearance, survey, …). */
export interface ActivityInput {
  organisationId: string;
  hazardId: string;
  kind: string;
  method: string;
  startDate: string;
  endDate: string;
  released: Array<{ outcome: string; geometry: Geometry }>;
  found: FoundInput[];
}

/** A finding of the report: category, quantity and position, and any other register field given. */
export interface FoundInput {
  category: string;
  quantity: number;
  point: Point;
  /** Further fields of the findings register (ordnanceId, condition, depthCm, marking …). */
  fields?: Record<string, unknown>;
}

/** Finding fields the form fills itself (from the activity), not per finding. */
const FOUND_OWN = new Set(['category', 'quantity', 'foundOn', 'hazardId', 'activityId']);

/**
 * A casualty's identity as the form sends it: `'keep'` leaves `identity` out (the server keeps
 * what it holds), an object replaces it, `null` clears it.
 */
export type IdentityChoice = 'keep' | null | { name: string; dateOfBirth: string; address: string };

/** One casualty of an accident report: its register fields and what to do with its identity. */
export interface CasualtyInput {
  properties: Record<string, unknown>;
  identity: IdentityChoice;
  /** Read back from a saved report that holds an identity for it (never shown). */
  recorded?: boolean;
  /**
   * The change's name, kept across edits: a draft saved again carries a kept identity over to
   * the create with the same ref, so removing one casualty never hands its identity to another.
   */
  ref?: string;
}

/** One record of an "other records" report (risk education session, QA visit …). */
export interface OtherRecordInput {
  register: string;
  geometry: Geometry | null;
  properties: Record<string, unknown>;
}

/** A correction of one approved record: some fields changed, or the record archived. */
export interface CorrectionInput {
  register: string;
  id: string;
  archive: boolean;
  properties: Record<string, unknown>;
}

/** What the report form holds, for each kind of report it makes. */
export type ReportFormContent =
  | { kind: 'activity'; activity: ActivityInput }
  | { kind: 'hazard_status_change'; hazardId: string; status: string }
  | { kind: 'new_hazard'; geometry: Geometry | null; properties: Record<string, unknown> }
  | {
      kind: 'accident';
      geometry: Geometry | null;
      properties: Record<string, unknown>;
      casualties: CasualtyInput[];
    }
  | { kind: 'other_records'; record: OtherRecordInput }
  | { kind: 'correction'; correction: CorrectionInput };

/** The report kinds the form makes, in the order it offers them. */
export const FORM_KINDS = [
  'activity',
  'new_hazard',
  'accident',
  'hazard_status_change',
  'other_records',
  'correction',
] as const satisfies readonly ReportFormContent['kind'][];

/** Whether a register's records have a shape (sent as GeoJSON Features); the others are plain objects. */
function hasGeometry(register: string): boolean {
  return Boolean(registerDef(register)?.geometry);
}

/** A record as the register takes it: a Feature where records have a shape, else the plain fields. */
export function recordOf(
  register: string,
  geometry: Geometry | null,
  properties: Record<string, unknown>,
): unknown {
  return hasGeometry(register) ? { type: 'Feature', geometry, properties } : properties;
}

/** Properties as a change sends them: blanks (empty text, empty lists, undefined) left out. */
export function given(props: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(props).filter(
      ([, v]) => v !== '' && v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0),
    ),
  );
}

/** The identity a casualty change carries, or undefined to leave it out (kept by the server). */
function identityOf(choice: IdentityChoice): Record<string, unknown> | null | undefined {
  if (choice === 'keep') return undefined;
  if (choice === null) return null;
  return {
    name: choice.name.trim() || null,
    dateOfBirth: choice.dateOfBirth || null,
    address: choice.address.trim() || null,
  };
}

/** The changes of an accident report: the accident (named "acc"), then its casualties pointing at it. */
export function accidentChanges(
  geometry: Geometry | null,
  properties: Record<string, unknown>,
  casualties: CasualtyInput[],
): ReportChange[] {
  return [
    {
      op: 'create',
      register: 'accidents',
      ref: 'acc',
      record: { type: 'Feature', geometry, properties: given(properties) },
    },
    ...casualties.map((c): ReportChange => {
      const identity = identityOf(c.identity);
      const props: Record<string, unknown> = { ...given(c.properties), accidentId: '@ref:acc' };
      if (identity !== undefined) props.identity = identity;
      return {
        op: 'create',
        register: 'casualties',
        ...(c.ref ? { ref: c.ref } : {}),
        record: recordOf('casualties', null, props),
      };
    }),
  ];
}

/**
 * The changes of a clearance/activity report: the activity first (named "act"), then its
 * land-release polygons and findings, which point at it as "@ref:act".
 */
export function activityChanges(a: ActivityInput): ReportChange[] {
  const activity: Record<string, unknown> = {
    kind: a.kind,
    organisationId: a.organisationId,
    hazardId: a.hazardId,
  };
  if (a.method) activity.method = a.method;
  if (a.startDate) activity.startDate = a.startDate;
  if (a.endDate) activity.endDate = a.endDate;
  const releasedOn = a.endDate || a.startDate || undefined;
  return [
    {
      op: 'create',
      register: 'activities',
      ref: 'act',
      record: { type: 'Feature', geometry: null, properties: activity },
    },
    ...a.released.map(
      (r): ReportChange => ({
        op: 'create',
        register: 'land-release',
        record: {
          type: 'Feature',
          geometry: r.geometry,
          properties: {
            outcome: r.outcome,
            hazardId: a.hazardId,
            activityId: '@ref:act',
            ...(a.method ? { method: a.method } : {}),
            ...(releasedOn ? { releasedOn } : {}),
          },
        },
      }),
    ),
    ...a.found.map(
      (f): ReportChange => ({
        op: 'create',
        register: 'findings',
        record: {
          type: 'Feature',
          geometry: f.point,
          properties: {
            ...Object.fromEntries(
              Object.entries(f.fields ?? {}).filter(
                ([k, v]) => !FOUND_OWN.has(k) && v !== '' && v !== null && v !== undefined,
              ),
            ),
            category: f.category,
            quantity: f.quantity,
            foundOn: releasedOn ?? new Date().toISOString().slice(0, 10),
            hazardId: a.hazardId,
            activityId: '@ref:act',
          },
        },
      }),
    ),
  ];
}

/** The changes a report form content stands for. */
export function formChanges(content: ReportFormContent): ReportChange[] {
  if (content.kind === 'activity') return activityChanges(content.activity);
  if (content.kind === 'new_hazard')
    return [
      {
        op: 'create',
        register: 'hazards',
        record: { type: 'Feature', geometry: content.geometry, properties: given(content.properties) },
      },
    ];
  if (content.kind === 'accident')
    return accidentChanges(content.geometry, content.properties, content.casualties);
  if (content.kind === 'other_records') {
    const r = content.record;
    return [
      {
        op: 'create',
        register: r.register,
        record: recordOf(r.register, r.geometry, given(r.properties)),
      },
    ];
  }
  if (content.kind === 'correction') {
    const c = content.correction;
    if (c.archive) return [{ op: 'archive', register: c.register, id: c.id }];
    return [
      {
        op: 'update',
        register: c.register,
        id: c.id,
        record: hasGeometry(c.register) ? { type: 'Feature', properties: c.properties } : c.properties,
      },
    ];
  }
  return [
    {
      op: 'update',
      register: 'hazards',
      id: content.hazardId,
      record: { type: 'Feature', properties: { status: content.status } },
    },
  ];
}

interface FeatureShape {
  type?: unknown;
  geometry?: Geometry | null;
  properties?: Record<string, unknown>;
}

function feature(change: ReportChange): { props: Record<string, unknown>; geometry: Geometry | null } | null {
  if (change.op === 'archive') return null;
  if (!hasGeometry(change.register)) {
    const flat = change.record;
    return flat && typeof flat === 'object' && !Array.isArray(flat)
      ? { props: flat as Record<string, unknown>, geometry: null }
      : null;
  }
  const r = change.record as FeatureShape | null | undefined;
  if (r?.type !== 'Feature' || typeof r.properties !== 'object' || r.properties === null) return null;
  return { props: r.properties, geometry: r.geometry ?? null };
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Reads back the form content a report's changes came from, so a draft or a rejected report can
 * be edited in the form that made it; null when the changes are not of a shape the form makes
 * (a report written through the API with other records in it), which the page then says.
 */
export function formOfChanges(
  kind: string,
  changes: ReportChange[],
  /** Indexes of the changes holding an identity the reader may not see (the report's `hiddenIdentities`). */
  hiddenIdentities: readonly number[] = [],
): ReportFormContent | null {
  if (kind === 'hazard_status_change') {
    const [only] = changes;
    const f = only && changes.length === 1 && only.op === 'update' ? feature(only) : null;
    if (only?.op !== 'update' || only.register !== 'hazards' || !f) return null;
    // Anything besides the status (a shape, other fields) is not the form's: it would be lost.
    if (f.geometry || Object.keys(f.props).some((k) => k !== 'status')) return null;
    return { kind, hazardId: only.id, status: text(f.props.status) };
  }
  if (kind === 'new_hazard' || kind === 'other_records') {
    const [only] = changes;
    const f = only && changes.length === 1 && only.op === 'create' ? feature(only) : null;
    if (!only || !f) return null;
    if (kind === 'new_hazard')
      return only.register === 'hazards' ? { kind, geometry: f.geometry, properties: f.props } : null;
    return { kind, record: { register: only.register, geometry: f.geometry, properties: f.props } };
  }
  if (kind === 'correction') {
    const [only] = changes;
    if (!only || changes.length !== 1 || only.op === 'create') return null;
    if (only.op === 'archive')
      return { kind, correction: { register: only.register, id: only.id, archive: true, properties: {} } };
    const f = feature(only);
    if (!f || f.geometry) return null;
    return {
      kind,
      correction: { register: only.register, id: only.id, archive: false, properties: f.props },
    };
  }
  if (kind === 'accident') {
    const [first, ...rest] = changes;
    const acc = first?.op === 'create' && first.register === 'accidents' ? feature(first) : null;
    if (!acc || first?.op !== 'create' || first.ref !== 'acc') return null;
    const casualties: CasualtyInput[] = [];
    for (const [n, c] of rest.entries()) {
      const f = c.op === 'create' && c.register === 'casualties' ? feature(c) : null;
      if (f?.props.accidentId !== '@ref:acc') return null;
      const { accidentId: _a, identity, ...properties } = f.props;
      // An identity is never shown back: the form keeps it unless it is replaced or cleared.
      const recorded =
        hiddenIdentities.includes(n + 1) ||
        (typeof identity === 'object' &&
          identity !== null &&
          Object.values(identity).some((v) => v !== null));
      casualties.push({
        properties,
        identity: 'keep',
        ...(recorded ? { recorded } : {}),
        ...(c.op === 'create' && c.ref ? { ref: c.ref } : {}),
      });
    }
    return { kind, geometry: acc.geometry, properties: acc.props, casualties };
  }
  if (kind !== 'activity') return null;
  const [first, ...rest] = changes;
  const act = first && first.op === 'create' && first.register === 'activities' ? feature(first) : null;
  if (!act || first?.op !== 'create' || first.ref !== 'act') return null;
  const activity: ActivityInput = {
    organisationId: text(act.props.organisationId),
    hazardId: text(act.props.hazardId),
    kind: text(act.props.kind),
    method: text(act.props.method),
    startDate: text(act.props.startDate),
    endDate: text(act.props.endDate),
    released: [],
    found: [],
  };
  for (const c of rest) {
    const f = c.op === 'create' ? feature(c) : null;
    if (f?.props.activityId !== '@ref:act') return null;
    if (c.register === 'land-release' && f.geometry) {
      activity.released.push({ outcome: text(f.props.outcome), geometry: f.geometry });
    } else if (c.register === 'findings' && f.geometry?.type === 'Point') {
      const quantity = Number(f.props.quantity);
      const fields = Object.fromEntries(Object.entries(f.props).filter(([k]) => !FOUND_OWN.has(k)));
      activity.found.push({
        category: text(f.props.category),
        quantity: Number.isInteger(quantity) && quantity > 0 ? quantity : 1,
        point: f.geometry,
        ...(Object.keys(fields).length > 0 ? { fields } : {}),
      });
    } else return null;
  }
  return { kind, activity };
}

/** Consecutive new records of one register shown as one table from this many on (a report of 200 findings). */
const RUN_MIN = 3;

export type ChangeBlock = { kind: 'one'; index: number } | { kind: 'run'; start: number; end: number };

/** The changes in order, with each run of RUN_MIN or more new records of one register made one block. */
export function changeBlocks(changes: ReportChange[]): ChangeBlock[] {
  const out: ChangeBlock[] = [];
  let i = 0;
  while (i < changes.length) {
    let j = i + 1;
    if (changes[i].op === 'create')
      while (j < changes.length && changes[j].op === 'create' && changes[j].register === changes[i].register)
        j++;
    if (j - i >= RUN_MIN) out.push({ kind: 'run', start: i, end: j });
    else for (let k = i; k < j; k++) out.push({ kind: 'one', index: k });
    i = j;
  }
  return out;
}

/** Fields of a run split into those every record shares (shown once) and those that vary (columns). */
export function runFields(props: Array<Record<string, unknown>>): { common: string[]; varying: string[] } {
  const all: string[] = [];
  for (const p of props) for (const k of Object.keys(p)) if (!all.includes(k)) all.push(k);
  const common: string[] = [];
  const varying: string[] = [];
  for (const k of all) {
    const first = JSON.stringify(props[0][k] ?? null);
    (props.every((p) => JSON.stringify(p[k] ?? null) === first) ? common : varying).push(k);
  }
  return { common, varying };
}
