import type { Point, Polygon } from 'geojson';
import type { ReportChange } from '../api/types.ts';
import { type CountsValue, countsInput, countsValue } from '../lib/form-values.ts';
import { accidentChanges, activityChanges, formChanges, type IdentityChoice } from '../lib/report-changes.ts';

/**
 * A report drafted on the device. Its `clientId` is made on the device and sent with the report,
 * so a create retried after a cut never makes a second report. The draft holds what the form
 * holds (kind by kind, reusing the web form's change builders in lib/report-changes.ts), the
 * positions with how they were taken, and where its sync stands.
 */
export const FIELD_KINDS = [
  'activity',
  'new_hazard',
  'accident',
  'hazard_status_change',
  'other_records',
] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

/**
 * The catalogue key naming a kind on the device: the report kind's, except that the only "other
 * record" the field app makes is a risk education session, and says so.
 */
export function fieldKindLabel(kind: FieldKind): string {
  return kind === 'other_records' ? 'fieldApp.kind.riskEducation' : `report.kind.${kind}`;
}

/** A position and how it was taken: GPS (with its accuracy and the number of fixes averaged), the map or typed. */
export interface Position {
  point: Point;
  source: 'gps' | 'map' | 'typed';
  /** Horizontal accuracy in metres the device reported (for an average, that of the mean). */
  accuracyM: number | null;
  fixes: number;
}

export interface DraftFinding {
  key: string;
  category: string;
  quantity: number;
  position: Position | null;
  condition: string;
  depthCm: string;
  modelText: string;
}

export interface DraftRelease {
  key: string;
  outcome: string;
  /** Corners as entered, one position per corner (the ring is closed when sent). */
  corners: Array<[number, number]>;
}

export interface DraftCasualty {
  key: string;
  sex: string;
  ageBand: string;
  casualtyStatus: string;
  outcome: string;
  /** The identity, encrypted on the device (only for roles that may read identities); never plain text. */
  identity: EncryptedValue | null;
}

export interface EncryptedValue {
  iv: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
}

export interface DraftContent {
  hazardId: string;
  // activity
  activityKind: string;
  method: string;
  startDate: string;
  endDate: string;
  released: DraftRelease[];
  found: DraftFinding[];
  // new hazard
  hazardType: string;
  hazardName: string;
  deviceCategories: string[];
  corners: Array<[number, number]>;
  benchmark: Position | null;
  // accident
  accidentPosition: Position | null;
  occurredOn: string;
  deviceCategory: string;
  /** yes, no or unknown. */
  demining: string;
  casualties: DraftCasualty[];
  // hazard status change
  status: string;
  // risk education session (other_records)
  sessionPosition: Position | null;
  heldOn: string;
  deliveryMethod: string;
  /** Beneficiaries by sex and age band, as typed. */
  beneficiaries: CountsValue;
  sessionNotes: string;
}

export type DraftState = 'draft' | 'pending' | 'sent' | 'refused';

/** Why the server refused a draft: its first problem, and every problem with the place in the form it points at. */
export interface Refusal {
  code: string;
  detail: string;
  /** Each fault: code, message, the server's JSON pointer and the form's place (`released.0`, `found.2`, `corners` …). */
  items?: Array<{ code: string; detail: string; pointer?: string; at: string }>;
}

export interface FieldDraft {
  clientId: string;
  kind: FieldKind;
  dateOfInformation: string;
  reason: string;
  content: DraftContent;
  state: DraftState;
  /** When the draft was put in the queue: drafts are sent in this order. */
  queuedAt: string;
  reportId: string | null;
  reportCode: string | null;
  /** The report exists on the server but the draft was changed after a refusal: send the new content. */
  resend?: boolean;
  /** The server's problem when it refused the draft, in the language it was asked in. */
  problem: Refusal | null;
  updatedAt: string;
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function emptyContent(): DraftContent {
  return {
    hazardId: '',
    activityKind: 'clearance',
    method: 'manual',
    startDate: today(),
    endDate: today(),
    released: [],
    found: [],
    hazardType: 'SHA',
    hazardName: '',
    deviceCategories: [],
    corners: [],
    benchmark: null,
    accidentPosition: null,
    occurredOn: today(),
    deviceCategory: 'unknown',
    demining: 'unknown',
    casualties: [],
    status: 'in_progress',
    sessionPosition: null,
    heldOn: today(),
    deliveryMethod: 'face_to_face',
    beneficiaries: countsInput(undefined),
    sessionNotes: '',
  };
}

export function newDraft(kind: FieldKind): FieldDraft {
  const now = new Date().toISOString();
  return {
    clientId: crypto.randomUUID(),
    kind,
    dateOfInformation: today(),
    reason: '',
    content: emptyContent(),
    state: 'draft',
    queuedAt: '',
    reportId: null,
    reportCode: null,
    problem: null,
    updatedAt: now,
  };
}

export function newKey(): string {
  return crypto.randomUUID().slice(0, 8);
}

/** A closed ring from corners as entered (the first corner repeated at the end when it is not already). */
export function polygonOf(corners: Array<[number, number]>): Polygon | null {
  if (corners.length === 0) return null;
  const ring = corners.map((c) => [c[0], c[1]]);
  const [fx, fy] = ring[0];
  const [lx, ly] = ring[ring.length - 1];
  if (fx !== lx || fy !== ly) ring.push([fx, fy]);
  return { type: 'Polygon', coordinates: [ring] };
}

/**
 * The report's changes as the server takes them. Identities arrive already decrypted (by the
 * sync, just before sending), one per casualty in order.
 */
export function draftChanges(
  draft: FieldDraft,
  organisationId: string,
  identities: IdentityChoice[] = [],
): ReportChange[] {
  const c = draft.content;
  if (draft.kind === 'activity')
    return activityChanges({
      organisationId,
      hazardId: c.hazardId,
      kind: c.activityKind,
      method: c.method,
      startDate: c.startDate,
      endDate: c.endDate,
      released: c.released.flatMap((r) => {
        const geometry = polygonOf(r.corners);
        return geometry ? [{ outcome: r.outcome, geometry }] : [];
      }),
      found: c.found.flatMap((f) =>
        f.position
          ? [
              {
                category: f.category,
                quantity: f.quantity,
                point: f.position.point,
                fields: {
                  ...(f.condition ? { condition: f.condition } : {}),
                  ...(f.depthCm.trim() ? { depthCm: Number(f.depthCm) } : {}),
                  ...(f.modelText.trim() ? { modelText: f.modelText.trim() } : {}),
                },
              },
            ]
          : [],
      ),
    });
  if (draft.kind === 'new_hazard')
    return formChanges({
      kind: 'new_hazard',
      geometry: polygonOf(c.corners),
      properties: {
        type: c.hazardType,
        name: c.hazardName.trim(),
        deviceCategories: c.deviceCategories,
        organisationId,
        ...(c.benchmark ? { benchmark: c.benchmark.point } : {}),
      },
    });
  if (draft.kind === 'accident')
    return accidentChanges(
      c.accidentPosition?.point ?? null,
      {
        occurredOn: c.occurredOn,
        deviceCategory: c.deviceCategory,
        demining: c.demining,
        ...(c.accidentPosition ? { pointPrecision: precisionOf(c.accidentPosition) } : {}),
        ...(c.hazardId ? { hazardId: c.hazardId } : {}),
      },
      c.casualties.map((k, i) => ({
        properties: {
          sex: k.sex,
          ageBand: k.ageBand,
          casualtyStatus: k.casualtyStatus,
          outcome: k.outcome,
        },
        identity: identities[i] ?? 'keep',
      })),
    );
  if (draft.kind === 'other_records')
    return formChanges({
      kind: 'other_records',
      record: {
        register: 'risk-education',
        geometry: c.sessionPosition?.point ?? null,
        properties: {
          organisationId,
          heldOn: c.heldOn,
          deliveryMethod: c.deliveryMethod,
          beneficiaries: countsValue(c.beneficiaries).value,
          ...(c.sessionNotes.trim() ? { description: c.sessionNotes.trim() } : {}),
        },
      },
    });
  return formChanges({ kind: 'hazard_status_change', hazardId: c.hazardId, status: c.status });
}

/** The accident register's precision class for a position (GPS accuracy in metres, or how it was entered). */
export function precisionOf(p: Position): string {
  if (p.source !== 'gps' || p.accuracyM === null) return p.source === 'typed' ? 'exact' : 'within_100m';
  if (p.accuracyM <= 10) return 'exact';
  if (p.accuracyM <= 100) return 'within_100m';
  return 'within_1km';
}

/**
 * The place in the draft's form a server problem points at, from its JSON pointer into the report
 * (`/payload/changes/2/record/geometry`): the changes are made in the order `draftChanges` makes
 * them, so the index names the form's item.
 */
export function placeOfPointer(draft: FieldDraft, pointer: string | undefined): string {
  if (!pointer) return 'report';
  if (pointer.startsWith('/reason')) return 'reason';
  if (pointer.startsWith('/dateOfInformation')) return 'dateOfInformation';
  const m = /^\/payload\/changes\/(\d+)(\/record(?:\/(geometry|properties\/(\w+)))?)?/.exec(pointer);
  if (!m) return 'report';
  const i = Number(m[1]);
  const geometry = m[3] === 'geometry';
  const field = m[4];
  const c = draft.content;
  if (draft.kind === 'activity') {
    const released = c.released.filter((r) => r.corners.length > 0).length;
    if (i === 0) return field === 'hazardId' ? 'hazard' : 'report';
    if (i <= released) return `released.${i - 1}`;
    const found = i - 1 - released;
    return found < c.found.filter((f) => f.position).length ? `found.${found}` : 'report';
  }
  if (draft.kind === 'new_hazard') {
    if (i !== 0) return 'report';
    return geometry ? 'corners' : field === 'type' ? 'hazardType' : 'report';
  }
  if (draft.kind === 'accident') {
    if (i !== 0) return 'report';
    return geometry ? 'position' : field === 'occurredOn' ? 'occurredOn' : 'report';
  }
  if (draft.kind === 'other_records') {
    if (i !== 0) return 'report';
    if (geometry) return 'sessionPosition';
    return field && ['heldOn', 'deliveryMethod', 'beneficiaries'].includes(field) ? field : 'report';
  }
  return field === 'status' ? 'status' : field === 'hazardId' || !field ? 'hazard' : 'report';
}
