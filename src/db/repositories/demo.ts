import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

/** True when no register holds a record and no user exists (a new installation). */
export async function isDatabaseEmpty(db: Kysely<Schema>): Promise<boolean> {
  const r = await sql<{ n: number }>`
    select (select count(*) from users) + (select count(*) from hazards) + (select count(*) from admin_areas)
      + (select count(*) from accidents) + (select count(*) from findings) as n`.execute(db);
  return Number(r.rows[0]!.n) === 0;
}

/**
 * Dates the demo's approved history as a programme that had run for years would have it: each
 * record's creation is dated (date of information and approval time, the next day) by its own
 * fact date (a hazard's date of information, an activity's start, a finding's date found...), and
 * records without one (organisations, admin areas, settlements...) by the earliest of those, so
 * the registers can be read "as at" a past date. Only the creations of the demo's own report are
 * touched; nothing later than yesterday is moved.
 */
export async function backdateDemoHistory(
  db: Kysely<Schema>,
  reportId: string,
  registers: Array<{ entity: string; table: string; dateColumn?: string }>,
): Promise<void> {
  for (const r of registers) {
    if (!r.dateColumn) continue;
    await sql`
      update record_changes c
      set date_of_information = t.d, created_at = (t.d + 1)::timestamptz
      from (select id, ${sql.ref(r.dateColumn)}::date as d from ${sql.table(r.table)}) t
      where c.report_id = ${reportId} and c.entity = ${r.entity} and c.op = 'create'
        and c.record_id = t.id and t.d is not null and t.d < current_date - 1`.execute(db);
  }
  await sql`
    with first as (
      select min(date_of_information) as d from record_changes
      where report_id = ${reportId} and date_of_information < current_date
    )
    update record_changes c
    set date_of_information = first.d - 1, created_at = first.d::timestamptz
    from first
    where first.d is not null and c.report_id = ${reportId} and c.op = 'create'
      and c.date_of_information >= current_date`.execute(db);
  // Later changes of the demo's own report (a task order started by its activity, a hazard closed
  // by its last release) were approved, in the story, the day after their date.
  await sql`
    update record_changes c set created_at = (c.date_of_information + 1)::timestamptz
    where c.report_id = ${reportId} and c.op = 'update' and c.date_of_information < current_date - 1`.execute(
    db,
  );
}

/** The ids of the records of `table` with the given external ids, by external id. */
export async function idsByExternalId(
  db: Kysely<Schema>,
  table: string,
  externalIds: string[],
): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const r = await sql<{ id: string; externalId: string }>`
    select id, external_id from ${sql.table(table)} where external_id in (${sql.join(externalIds)})`.execute(
    db,
  );
  return new Map(r.rows.map((row) => [row.externalId, row.id]));
}
