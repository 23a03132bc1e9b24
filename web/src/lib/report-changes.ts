import type { Geometry, Point } from 'geojson';
import type { ReportChange } from '../api/types.ts';

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

/** What the report form holds, for the two kinds of report it makes. */
export type ReportFormContent =
  | { kind: 'activity'; activity: ActivityInput }
  | { kind: 'hazard_status_change'; hazardId: string; status: string };

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
export function formOfChanges(kind: string, changes: ReportChange[]): ReportFormContent | null {
  if (kind === 'hazard_status_change') {
    const [only] = changes;
    const f = only && changes.length === 1 && only.op === 'update' ? feature(only) : null;
    if (only?.op !== 'update' || only.register !== 'hazards' || !f) return null;
    // Anything besides the status (a shape, other fields) is not the form's: it would be lost.
    if (f.geometry || Object.keys(f.props).some((k) => k !== 'status')) return null;
    return { kind, hazardId: only.id, status: text(f.props.status) };
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
