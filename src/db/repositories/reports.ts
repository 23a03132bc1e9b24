import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

export interface ReportRow {
  id: string;
  code: string;
  kind: string;
  status: string;
  organisationId: string | null;
  dateOfInformation: string;
  payload: { changes: unknown[] };
  reason: string | null;
  warnings: unknown[];
  applied: unknown[];
  rejectionReason: string | null;
  submittedAt: string | null;
  submittedBy: string | null;
  reviewedAt: string | null;
  reviewedBy: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  /** The id the device gave the report (offline entry), unique per author. */
  clientId: string | null;
}

const columns = sql`id, code, kind, status, organisation_id, date_of_information, payload, reason, warnings, applied,
  rejection_reason, submitted_at, submitted_by, reviewed_at, reviewed_by, decided_at, decided_by, version, created_at,
  updated_at, created_by, client_id`;

export async function insertReport(
  db: Kysely<Schema>,
  r: {
    kind: string;
    status: string;
    organisationId: string | null;
    dateOfInformation: string;
    payload: unknown;
    reason: string | null;
    createdBy: string | null;
    clientId?: string | null;
  },
): Promise<ReportRow> {
  const res = await sql<ReportRow>`
    insert into reports (kind, status, organisation_id, date_of_information, payload, reason, created_by, updated_by, client_id)
    values (${r.kind}, ${r.status}, ${r.organisationId}, ${r.dateOfInformation}, ${JSON.stringify(r.payload)}::jsonb,
      ${r.reason}, ${r.createdBy}, ${r.createdBy}, ${r.clientId ?? null})
    returning ${columns}`.execute(db);
  return res.rows[0]!;
}

/**
 * A direct write's report, approved by its author as it is made: the row `insertReport` with status
 * `submitted` followed by `transitionReport` to `approved` (decided now, by the author) would
 * leave, version included, in one statement.
 */
export async function insertDirectReport(
  db: Kysely<Schema>,
  r: { organisationId: string | null; dateOfInformation: string; payload: unknown; createdBy: string | null },
): Promise<ReportRow> {
  const res = await sql<ReportRow>`
    insert into reports (kind, status, organisation_id, date_of_information, payload, reason, created_by,
      updated_by, decided_at, decided_by, version)
    values ('direct', 'approved', ${r.organisationId}, ${r.dateOfInformation}, ${JSON.stringify(r.payload)}::jsonb,
      null, ${r.createdBy}, ${r.createdBy}, now(), ${r.createdBy}, 2)
    returning ${columns}`.execute(db);
  return res.rows[0]!;
}

export async function reportById(
  db: Kysely<Schema>,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<ReportRow | undefined> {
  const res =
    await sql<ReportRow>`select ${columns} from reports where id = ${id} ${opts.forUpdate ? sql`for update` : sql``}`.execute(
      db,
    );
  return res.rows[0];
}

/** The report an author made with this device-given id, if any. */
export async function reportByClientId(
  db: Kysely<Schema>,
  createdBy: string,
  clientId: string,
): Promise<ReportRow | undefined> {
  const res = await sql<ReportRow>`select ${columns} from reports
    where created_by = ${createdBy} and client_id = ${clientId}`.execute(db);
  return res.rows[0];
}

/** Edits a draft or rejected report when its version is `version`. */
export async function updateReportContent(
  db: Kysely<Schema>,
  id: string,
  version: number,
  r: { dateOfInformation: string; payload: unknown; reason: string | null; actorId: string | null },
): Promise<ReportRow | undefined> {
  const res = await sql<ReportRow>`
    update reports set date_of_information = ${r.dateOfInformation}, payload = ${JSON.stringify(r.payload)}::jsonb,
      reason = ${r.reason}, updated_by = ${r.actorId}, version = version + 1
    where id = ${id} and version = ${version} and status in ('draft', 'rejected')
    returning ${columns}`.execute(db);
  return res.rows[0];
}

/**
 * Moves a report from one of `from` to `to`. Returns undefined when the report was not in one of
 * those states (someone else acted first): the caller answers 409.
 */
export async function transitionReport(
  db: Kysely<Schema>,
  id: string,
  from: string[],
  to: string,
  set: {
    actorId: string | null;
    rejectionReason?: string | null;
    warnings?: unknown[];
    applied?: unknown[];
    stamp: 'submitted' | 'reviewed' | 'decided';
  },
): Promise<ReportRow | undefined> {
  const stampCols = {
    submitted: sql`submitted_at = now(), submitted_by = ${set.actorId}`,
    reviewed: sql`reviewed_at = now(), reviewed_by = ${set.actorId}`,
    decided: sql`decided_at = now(), decided_by = ${set.actorId}`,
  }[set.stamp];
  const res = await sql<ReportRow>`
    update reports set status = ${to}, ${stampCols}, updated_by = ${set.actorId}, version = version + 1
      ${set.rejectionReason !== undefined ? sql`, rejection_reason = ${set.rejectionReason}` : sql``}
      ${set.warnings !== undefined ? sql`, warnings = ${JSON.stringify(set.warnings)}::jsonb` : sql``}
      ${set.applied !== undefined ? sql`, applied = ${JSON.stringify(set.applied)}::jsonb` : sql``}
    where id = ${id} and status in (${sql.join(from)})
    returning ${columns}`.execute(db);
  return res.rows[0];
}

export async function listReports(
  db: Kysely<Schema>,
  q: {
    status?: string;
    kind?: string;
    organisationId?: string;
    createdBy?: string;
    clientId?: string;
    limit: number;
    before?: string;
  },
): Promise<ReportRow[]> {
  const where = [sql`archived_at is null`];
  if (q.clientId) where.push(sql`client_id = ${q.clientId}`);
  if (q.status) where.push(sql`status = ${q.status}`);
  if (q.kind) where.push(sql`kind = ${q.kind}`);
  if (q.organisationId) where.push(sql`organisation_id = ${q.organisationId}`);
  if (q.createdBy) where.push(sql`created_by = ${q.createdBy}`);
  if (q.before) where.push(sql`code < ${q.before}`);
  const res = await sql<ReportRow>`select ${columns} from reports where ${sql.join(where, sql` and `)}
    order by code desc limit ${q.limit}`.execute(db);
  return res.rows;
}

// ---- the approved history of records ----

export interface ChangeRow {
  seq: number;
  entity: string;
  recordId: string;
  reportId: string | null;
  dateOfInformation: string;
  op: string;
  patch: Record<string, unknown>;
  reason: string | null;
}

export async function insertChange(
  db: Kysely<Schema>,
  c: {
    entity: string;
    recordId: string;
    reportId: string | null;
    dateOfInformation: string;
    op: string;
    patch: unknown;
  },
): Promise<number> {
  const res = await sql<{ seq: number }>`
    insert into record_changes (entity, record_id, report_id, date_of_information, op, patch)
    values (${c.entity}, ${c.recordId}, ${c.reportId}, ${c.dateOfInformation}, ${c.op}, ${JSON.stringify(c.patch)}::jsonb)
    returning seq::int as seq`.execute(db);
  return res.rows[0]!.seq;
}

/** Every approved change of a record with its report's reason, in approval order. */
export async function changesOf(db: Kysely<Schema>, entity: string, recordId: string): Promise<ChangeRow[]> {
  const res = await sql<ChangeRow>`
    select c.seq::int as seq, c.entity, c.record_id, c.report_id, c.date_of_information, c.op, c.patch, r.reason
    from record_changes c left join reports r on r.id = c.report_id
    where c.entity = ${entity} and c.record_id = ${recordId} order by c.seq`.execute(db);
  return res.rows;
}

/** The names a list of reports shows: who created each, for which organisation, about which hazards. */
export async function reportListNames(
  db: Kysely<Schema>,
  ids: { users: string[]; organisations: string[]; hazards: string[] },
): Promise<{ users: Map<string, string>; organisations: Map<string, string>; hazards: Map<string, string> }> {
  const none = ['00000000-0000-0000-0000-000000000000'];
  const list = (xs: string[]) => sql.join((xs.length ? xs : none).map((x) => sql`${x}::uuid`));
  const [users, organisations, hazards] = await Promise.all([
    sql<{ id: string; name: string }>`select id, name from users
      where id in (${list(ids.users)}) and name is not null`.execute(db),
    sql<{ id: string; name: string }>`select id, name from organisations
      where id in (${list(ids.organisations)})`.execute(db),
    sql<{ id: string; code: string }>`select id, code from hazards
      where id in (${list(ids.hazards)})`.execute(db),
  ]);
  return {
    users: new Map(users.rows.map((r) => [r.id, r.name])),
    organisations: new Map(organisations.rows.map((r) => [r.id, r.name])),
    hazards: new Map(hazards.rows.map((r) => [r.id, r.code])),
  };
}
