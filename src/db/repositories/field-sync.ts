import { type Kysely, sql } from 'kysely';
import type { RegisterDef } from '../../domain/records.ts';
import type { Schema } from '../connect.ts';

/** The database's clock now: the high-water mark of an area feed. */
export async function databaseNow(db: Kysely<Schema>): Promise<string> {
  const r = await sql<{ now: Date | string }>`select clock_timestamp() as now`.execute(db);
  const now = r.rows[0]!.now;
  return now instanceof Date ? now.toISOString() : new Date(now).toISOString();
}

/**
 * Ids of a register's records written (created, updated, archived) after `since`, in id order
 * after `afterId`: every write touches `updated_at`, whichever path made it.
 */
export async function changedIds(
  db: Kysely<Schema>,
  def: RegisterDef,
  since: string,
  afterId: string | null,
  limit: number,
): Promise<string[]> {
  const r = await sql<{ id: string }>`select id from ${sql.table(def.table)}
    where updated_at > ${since}::timestamptz ${afterId ? sql`and id > ${afterId}` : sql``}
    order by id limit ${limit}`.execute(db);
  return r.rows.map((x) => x.id);
}
