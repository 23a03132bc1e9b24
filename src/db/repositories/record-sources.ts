import { type Kysely, sql } from 'kysely';
import { sources } from '../../domain/records.ts';
import type { Schema } from '../connect.ts';
import { getRecord, type Row } from './registers.ts';

/** Which sources (documents) support which record, of any register. */
export async function sourcesOf(db: Kysely<Schema>, recordType: string, recordId: string): Promise<Row[]> {
  const r = await sql<{ sourceId: string }>`
    select source_id from record_sources where record_type = ${recordType} and record_id = ${recordId}
    order by created_at`.execute(db);
  const out: Row[] = [];
  for (const { sourceId } of r.rows) {
    const s = await getRecord(db, sources, sourceId);
    if (s) out.push(s);
  }
  return out;
}

/** Links a source; false when it was linked already. */
export async function linkSource(
  db: Kysely<Schema>,
  recordType: string,
  recordId: string,
  sourceId: string,
  actorId: string | null,
) {
  const r = await sql`insert into record_sources (record_type, record_id, source_id, created_by)
    values (${recordType}, ${recordId}, ${sourceId}, ${actorId}) on conflict do nothing`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function unlinkSource(
  db: Kysely<Schema>,
  recordType: string,
  recordId: string,
  sourceId: string,
) {
  const r = await sql`delete from record_sources
    where record_type = ${recordType} and record_id = ${recordId} and source_id = ${sourceId}`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}
