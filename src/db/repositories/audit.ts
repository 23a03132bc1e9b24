import { type Kysely, sql } from 'kysely';
import { type AuditEntry, auditHash, GENESIS_HASH } from '../../domain/audit-chain.ts';
import type { Schema } from '../connect.ts';

export interface AuditInput {
  actorId: string | null;
  action: string;
  entity: string;
  recordId: string | null;
  reportId?: string | null;
  before: unknown;
  after: unknown;
}

/**
 * Appends one entry to the hash chain. Must run inside the transaction of the change it records;
 * the advisory lock makes concurrent appends take turns so the chain stays linear. Two statements:
 * the lock and the last entry in one (`sg_audit_head`, migration 027), then the insert.
 */
export async function appendAudit(
  trx: Kysely<Schema>,
  input: AuditInput,
): Promise<AuditEntry & { hash: string }> {
  return (await appendAudits(trx, [input]))[0]!;
}

/**
 * Appends entries to the hash chain one after the other, in the same two statements as one entry
 * (the head, then one insert of them all): a bulk write's entries, one per 1 000 records.
 */
export async function appendAudits(
  trx: Kysely<Schema>,
  inputs: AuditInput[],
): Promise<Array<AuditEntry & { hash: string }>> {
  if (inputs.length === 0) return [];
  const last = await sql<{ seq: number; hash: string }>`
    select seq::int as seq, hash from sg_audit_head()`.execute(trx);
  let prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
  let seq = last.rows[0]?.seq ?? 0;
  const at = new Date().toISOString();
  const entries: Array<AuditEntry & { hash: string; prevHash: string }> = [];
  for (const input of inputs) {
    const entry: AuditEntry = {
      seq: ++seq,
      at,
      actorId: input.actorId,
      action: input.action,
      entity: input.entity,
      recordId: input.recordId,
      reportId: input.reportId ?? null,
      // Stored as jsonb, which drops undefined members: hash what will be read back.
      before: input.before === undefined ? null : JSON.parse(JSON.stringify(input.before)),
      after: input.after === undefined ? null : JSON.parse(JSON.stringify(input.after)),
    };
    const hash = auditHash(prevHash, entry);
    entries.push({ ...entry, hash, prevHash });
    prevHash = hash;
  }
  const rows = entries.map(
    (e) => sql`(${e.seq}, ${e.at}, ${e.actorId}, ${e.action}, ${e.entity}, ${e.recordId}, ${e.reportId},
      ${JSON.stringify(e.before)}::jsonb, ${JSON.stringify(e.after)}::jsonb, ${e.prevHash}, ${e.hash})`,
  );
  await sql`
    insert into audit_log (seq, at, actor_id, action, entity, record_id, report_id, before, after, prev_hash, hash)
    values ${sql.join(rows)}`.execute(trx);
  return entries.map(({ prevHash: _, ...entry }) => entry);
}

type StoredEntry = AuditEntry & { prevHash: string; hash: string };

function toEntry(r: Record<string, unknown>): StoredEntry {
  return {
    seq: Number(r.seq),
    at: new Date(r.at as string).toISOString(),
    actorId: (r.actorId as string | null) ?? null,
    action: r.action as string,
    entity: r.entity as string,
    recordId: (r.recordId as string | null) ?? null,
    reportId: (r.reportId as string | null) ?? null,
    before: r.before ?? null,
    after: r.after ?? null,
    prevHash: r.prevHash as string,
    hash: r.hash as string,
  };
}

/** Reads the chain in pages of `pageSize`, in order (for verification of large logs). */
export async function* readAuditChain(db: Kysely<Schema>, pageSize = 2000): AsyncGenerator<StoredEntry> {
  let after = 0;
  for (;;) {
    const r = await sql<Record<string, unknown>>`
      select seq, at, actor_id, action, entity, record_id, report_id, before, after, prev_hash, hash
      from audit_log where seq > ${after} order by seq limit ${pageSize}`.execute(db);
    for (const row of r.rows) yield toEntry(row);
    if (r.rows.length < pageSize) return;
    after = Number(r.rows[r.rows.length - 1]!.seq);
  }
}

/**
 * The change history of one record, oldest first. Each entry carries the approval of the report
 * that made the change (its code, kind, approver and when it was approved), when there is one.
 *
 * A record written by a bulk write (an import, the demo) has no audit entry of its own: its batch
 * was audited as one `bulk_create` entry (count and SHA-256 of the external ids). Its creation is
 * then told from its approved `create` history entry (the record as written, record_changes), with
 * the seq, time and actor of the report's first `bulk_create` entry for the register (found by
 * audit_log_bulk_idx, migration 033).
 */
export async function recordHistory(db: Kysely<Schema>, entity: string, recordId: string) {
  const r = await sql<Record<string, unknown>>`
    with h as (
      select a.seq, a.at, a.action, a.before, a.after, a.report_id, a.actor_id
      from audit_log a where a.entity = ${entity} and a.record_id = ${recordId}
      union all
      select b.seq, b.at, b.action, null, c.patch, c.report_id, b.actor_id
      from record_changes c
        cross join lateral (
          select seq, at, action, actor_id from audit_log b
          where b.report_id = c.report_id and b.entity = c.entity and b.action = 'bulk_create'
          order by b.seq limit 1) b
      where c.entity = ${entity} and c.record_id = ${recordId} and c.op = 'create'
        and not exists (select 1 from audit_log x
          where x.entity = c.entity and x.record_id = c.record_id and x.action = 'create')
    )
    select h.seq, h.at, h.action, h.before, h.after, h.report_id, h.actor_id, u.email as actor_email,
      r.code as report_code, r.kind as report_kind, r.status as report_status, r.decided_at,
      r.decided_by, coalesce(d.name, d.email) as decided_by_name
    from h left join users u on u.id = h.actor_id
      left join reports r on r.id = h.report_id
      left join users d on d.id = r.decided_by
    order by h.seq`.execute(db);
  return r.rows.map((row) => ({
    seq: Number(row.seq),
    at: new Date(row.at as string).toISOString(),
    action: row.action as string,
    actor: row.actorId ? { id: row.actorId as string, email: (row.actorEmail as string) ?? null } : null,
    reportId: (row.reportId as string) ?? null,
    approval:
      row.reportId && row.reportStatus === 'approved'
        ? {
            reportId: row.reportId as string,
            reportCode: row.reportCode as string,
            kind: row.reportKind as string,
            approvedAt: row.decidedAt ? new Date(row.decidedAt as string).toISOString() : null,
            approver: row.decidedBy
              ? { id: row.decidedBy as string, name: (row.decidedByName as string) ?? null }
              : null,
          }
        : null,
    before: row.before ?? null,
    after: row.after ?? null,
  }));
}
