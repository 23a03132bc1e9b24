import type { Kysely } from 'kysely';
import type { Schema } from '../../db/connect.ts';
import {
  accreditationsOf,
  anyAccreditation,
  organisationLabel,
} from '../../db/repositories/accreditations.ts';
import { getRecord } from '../../db/repositories/registers.ts';
import { registerBySlug } from '../../domain/records.ts';
import { isUuid } from '../list-query.ts';
import type { AccreditationScope } from './hooks.ts';
import { writeHooks } from './index.ts';

type Row = Record<string, unknown>;

/** What falls outside: the activity kind, the place, the dates, a suspension; `none`: no accreditation at all. */
export type AccreditationReason = 'kind' | 'area' | 'dates' | 'suspended' | 'none';

export interface AccreditationFinding {
  reason: AccreditationReason;
  /** The accreditation nearest to covering the work (the organisation when it has none). */
  other: { id: string; code: string };
  params: Record<string, string>;
}

/**
 * Whether the work a change records lies within an accreditation of its organisation. Applies
 * to every register whose write hooks declare `accreditationScope`; a change to any other
 * register, or one whose organisation or kind is not yet known (a reference to a record created
 * in the same report), gives nothing. `state` is the record as it will be (an update merged
 * over the stored record); `reportDate` stands for the dates when the record gives none.
 *
 * An accreditation covers the work when the kind is in its activity kinds, every date given lies
 * within valid from/to, the place meets one of its admin areas (none: the whole country; place
 * unknown: not checked) and it is not suspended on those dates. When none covers it, the one
 * that fails on the fewest counts (then the latest valid from) is named, with one finding per
 * count it fails on. An organisation with no accreditation gets the finding `none` once the
 * programme records accreditations at all (before that, nothing is checked).
 */
export async function accreditationFindings(
  db: Kysely<Schema>,
  change: { op: string; register: string; id?: string; record?: unknown },
  reportDate: string,
): Promise<AccreditationFinding[]> {
  const def = registerBySlug(change.register);
  const scope = def ? writeHooks(def).accreditationScope : undefined;
  if (!def || !scope || (change.op !== 'create' && change.op !== 'update')) return [];
  const body = (change.record ?? {}) as Row;
  const given = (body.properties && typeof body.properties === 'object' ? body.properties : body) as Row;
  let state: Row = { ...given };
  let geometry = body.geometry ?? null;
  if (change.op === 'update') {
    if (!change.id || !isUuid(change.id)) return [];
    const stored = await getRecord(db, def, change.id);
    if (!stored) return [];
    state = { ...stored, ...given };
    if (!('geometry' in body)) geometry = stored.geometry ?? null;
    if (!touchesScope(scope, given) && !('geometry' in body)) return [];
  }
  return check(db, scope, state, geometry, reportDate);
}

function touchesScope(scope: AccreditationScope, given: Row): boolean {
  return [scope.organisation, scope.kind, ...scope.dates, scope.hazard].some((f) => f && f in given);
}

async function check(
  db: Kysely<Schema>,
  scope: AccreditationScope,
  state: Row,
  geometry: unknown,
  reportDate: string,
): Promise<AccreditationFinding[]> {
  const organisationId = state[scope.organisation];
  const kind = state[scope.kind];
  if (typeof organisationId !== 'string' || !isUuid(organisationId) || typeof kind !== 'string') return [];
  const dates = scope.dates.map((f) => state[f]).filter((d): d is string => typeof d === 'string');
  if (dates.length === 0) dates.push(reportDate);
  const hazardId = scope.hazard ? state[scope.hazard] : undefined;
  const rows = await accreditationsOf(db, organisationId, {
    geometry: geometry && typeof geometry === 'object' ? JSON.stringify(geometry) : null,
    hazardId: typeof hazardId === 'string' && isUuid(hazardId) ? hazardId : null,
  });
  const first = [...dates].sort()[0]!;
  const last = [...dates].sort().at(-1)!;
  if (rows.length === 0) {
    if (!(await anyAccreditation(db))) return [];
    const label = (await organisationLabel(db, organisationId)) ?? organisationId;
    return [{ reason: 'none', other: { id: organisationId, code: label }, params: { kind, date: first } }];
  }
  const judged = rows.map((a) => {
    const fails: AccreditationReason[] = [];
    if (!a.activityKinds.includes(kind)) fails.push('kind');
    if (a.inArea === false) fails.push('area');
    if (first < a.validFrom || (a.validTo !== null && last > a.validTo)) fails.push('dates');
    if (a.suspended && (a.suspendedFrom === null || last >= a.suspendedFrom)) fails.push('suspended');
    return { a, fails };
  });
  if (judged.some((j) => j.fails.length === 0)) return [];
  // rows come latest valid from first; the stable sort keeps that order among equals.
  const nearest = judged.sort((x, y) => x.fails.length - y.fails.length)[0]!;
  const { a } = nearest;
  return nearest.fails.map((reason) => ({
    reason,
    other: { id: a.id, code: a.code },
    params: {
      kind,
      date: first === last ? first : `${first} – ${last}`,
      validFrom: a.validFrom,
      validTo: a.validTo ?? '…',
      suspendedReason: a.suspendedReason ?? '',
    },
  }));
}
