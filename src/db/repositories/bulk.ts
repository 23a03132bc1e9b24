import { type Kysely, type RawBuilder, sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Schema } from '../connect.ts';
import { snake } from './registers.ts';

/**
 * Multi-row inserts for large loads (the demo programme, imports of thousands of events).
 * PGlite pays a fixed cost per statement, so rows go in batches of a few hundred per INSERT.
 * Geometry crosses this boundary as GeoJSON in WGS 84, like everywhere else.
 *
 * Rows are keyed by camelCase field names; the columns are their snake_case. Ids are made
 * here (UUID v4) unless a row brings its own, so callers can link rows of later batches to
 * earlier ones without reading them back.
 */

export type BulkRow = Record<string, unknown>;

export interface BulkOptions {
  /** GeoJSON columns (camelCase): `multi` wraps the value in ST_Multi (MultiPolygon columns). */
  geometry?: Record<string, { multi: boolean }>;
  /** Columns stored as jsonb. */
  json?: string[];
  /** Rows per statement (default 400). Kept well under PostgreSQL's 65 535 parameters. */
  batchSize?: number;
  /** Called after each batch with the rows written so far. */
  onBatch?: (done: number) => void;
  /** False for tables without an `id` column (link tables); then no ids are returned. */
  ids?: boolean;
}

const MAX_PARAMETERS = 60_000;

/**
 * Inserts `rows` into `table` and returns their ids in the order given.
 * Example: `await bulkInsert(trx, 'findings', [{ category: 'AP', foundOn: '2024-05-01',
 * geom: { type: 'Point', coordinates: [46.9, 39.9] } }], { geometry: { geom: { multi: false } } })`
 * returns `['…uuid…']`.
 */
export async function bulkInsert(
  db: Kysely<Schema>,
  table: string,
  rows: BulkRow[],
  opts: BulkOptions = {},
): Promise<string[]> {
  if (rows.length === 0) return [];
  const makeIds = opts.ids ?? true;
  const withIds = makeIds ? rows.map((r) => (typeof r.id === 'string' ? r : { ...r, id: uuidv7() })) : rows;
  const columns = columnsOf(withIds);
  const geometry = opts.geometry ?? {};
  const json = new Set(opts.json ?? []);
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? 400, Math.floor(MAX_PARAMETERS / columns.length)));
  const value = (column: string, v: unknown): RawBuilder<unknown> => {
    if (v === undefined || v === null) return sql`null`;
    const g = geometry[column];
    if (g) {
      const geom = sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(v)}), 4326)`;
      return g.multi ? sql`ST_Multi(${geom})` : geom;
    }
    if (json.has(column)) return sql`${JSON.stringify(v)}::jsonb`;
    return sql`${v}`;
  };
  let done = 0;
  for (let start = 0; start < withIds.length; start += batchSize) {
    const batch = withIds.slice(start, start + batchSize);
    const tuples = batch.map((row) => sql`(${sql.join(columns.map((c) => value(c, row[c])))})`);
    await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(snake(c))))})
      values ${sql.join(tuples)}`.execute(db);
    done += batch.length;
    opts.onBatch?.(done);
  }
  return makeIds ? withIds.map((r) => r.id as string) : [];
}

/** Every column any row sets, in first-seen order. */
function columnsOf(rows: BulkRow[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const [k, v] of Object.entries(row)) if (v !== undefined) seen.add(k);
  return [...seen];
}

/**
 * Every external id in `table` that starts with `prefix` (the ids a loader gives its records),
 * so a loader run again skips what it loaded before.
 * Example: `await externalIdsWithPrefix(db, 'findings', 'co-events:')` → Set { 'co-events:2005:17', … }.
 */
export async function externalIdsWithPrefix(
  db: Kysely<Schema>,
  table: string,
  prefix: string,
): Promise<Set<string>> {
  const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const r = await sql<{ externalId: string }>`
    select external_id from ${sql.table(table)} where external_id like ${pattern}`.execute(db);
  return new Set(r.rows.map((row) => row.externalId));
}

/**
 * Which of the record ids `ids` (UUIDs) `table` holds, archived records included: the reference
 * check of a bulk write in one statement.
 * Example: `await idsHeld(db, 'hazards', [a, b])` → Set { a } when only a exists.
 */
export async function idsHeld(db: Kysely<Schema>, table: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const r = await sql<{ id: string }>`
    select id::text as id from ${sql.table(table)} where id = any(${ids}::uuid[])`.execute(db);
  return new Set(r.rows.map((row) => row.id));
}

/** Model designation → id of the ordnance catalogue, for linking loaded records to models. */
export async function ordnanceIdsByModel(db: Kysely<Schema>): Promise<Map<string, string>> {
  const r = await sql<{ id: string; model: string }>`select id, model from ordnance_models`.execute(db);
  return new Map(r.rows.map((row) => [row.model, row.id]));
}

/** The id of the source record with this external id, if one exists. */
export async function sourceIdByExternalId(
  db: Kysely<Schema>,
  externalId: string,
): Promise<string | undefined> {
  const r = await sql<{ id: string }>`select id from sources where external_id = ${externalId}`.execute(db);
  return r.rows[0]?.id;
}
