import { type Kysely, type RawBuilder, sql } from 'kysely';
import type pg from 'pg';
import type { RegisterDef } from '../../domain/records.ts';
import type { Schema } from '../connect.ts';
import { copyLines, copyValue, ewkt } from '../copy.ts';
import { snake } from './registers.ts';

/**
 * The statements of file imports: which external ids a register already holds, PostGIS repair
 * of invalid polygons, the bulk write of validated records together with their approved
 * history, and the jobs of imports started over HTTP. Geometry crosses this boundary as
 * GeoJSON in WGS 84.
 */

/**
 * Which of the external ids `ids` `table` already holds (archived records included, since
 * the column is unique over all of them).
 * Example: `await externalIdsHeld(db, 'findings', ['H-001', 'H-002'])` → Set { 'H-001' }.
 */
export async function externalIdsHeld(
  db: Kysely<Schema>,
  table: string,
  ids: string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const r = await sql<{ externalId: string }>`
    select external_id from ${sql.table(table)} where external_id = any(${ids}::text[])`.execute(db);
  return new Set(r.rows.map((row) => row.externalId));
}

/**
 * The external ids an import has seen, in a temporary table of its transaction (dropped at its
 * end), so that the importer's memory does not grow with the file. `C` collation: ids compare as
 * bytes, as JavaScript strings of the same text do.
 */
export async function createSeenIds(db: Kysely<Schema>): Promise<void> {
  await sql`create temp table if not exists sg_import_seen (external_id text collate "C" primary key)
    on commit drop`.execute(db);
  await sql`delete from pg_temp.sg_import_seen`.execute(db);
}

/**
 * Adds the ids to the import's seen ids and returns those that were not there before.
 * Example: seen { 'H-1' }, `await addSeenIds(db, ['H-1', 'H-2'])` → Set { 'H-2' }.
 */
export async function addSeenIds(db: Kysely<Schema>, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const r = await sql<{ externalId: string }>`
    insert into pg_temp.sg_import_seen (external_id)
    select distinct id from unnest(${ids}::text[]) as u(id)
    on conflict do nothing returning external_id`.execute(db);
  return new Set(r.rows.map((row) => row.externalId));
}

/** Which of the ids the import has already seen. */
export async function seenIdsAmong(db: Kysely<Schema>, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const r = await sql<{ externalId: string }>`
    select external_id from pg_temp.sg_import_seen where external_id = any(${ids}::text[])`.execute(db);
  return new Set(r.rows.map((row) => row.externalId));
}

/**
 * Repairs an area with PostGIS: ST_MakeValid, then only its polygonal parts (a bow tie becomes
 * two triangles; dangling lines and points left by the repair are dropped), as a MultiPolygon.
 * Null when nothing polygonal is left. Runs under a savepoint so that a geometry PostGIS
 * refuses outright does not abort the import's transaction.
 * Example: the bow tie `POLYGON((0 0,1 1,1 0,0 1,0 0))` → a MultiPolygon of two triangles.
 */
export async function makeValidPolygons(
  db: Kysely<Schema>,
  geometry: unknown,
  inTransaction: boolean,
): Promise<unknown | null> {
  const query = sql<{ repaired: string | null }>`
    select case when ST_IsEmpty(p.g) then null else ST_AsGeoJSON(p.g, 9) end as repaired
    from (select ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geometry)}), 4326)), 3)) as g) p`;
  if (!inTransaction) {
    try {
      const r = await query.execute(db);
      return r.rows[0]?.repaired ? JSON.parse(r.rows[0].repaired) : null;
    } catch {
      return null;
    }
  }
  await sql`savepoint sg_repair`.execute(db);
  try {
    const r = await query.execute(db);
    await sql`release savepoint sg_repair`.execute(db);
    return r.rows[0]?.repaired ? JSON.parse(r.rows[0].repaired) : null;
  } catch {
    await sql`rollback to savepoint sg_repair`.execute(db);
    return null;
  }
}

/**
 * Defers, until finishBulkWrite, what the registers' statement triggers derive from the rows
 * a bulk write inserts (today the findings' cluster cells, migration 026): each statement only
 * notes its new rows' cells in a temporary table, and the finish adds them all at once. For the
 * rest of the transaction `db` is in; finishBulkWrite must run before it commits.
 */
export async function deferBulkDerivedData(db: Kysely<Schema>): Promise<void> {
  await sql`select set_config('safeground.bulk', 'deferred', true)`.execute(db);
}

/** Adds what deferBulkDerivedData deferred (the findings' cluster cells, at every zoom) and ends the deferral. */
export async function finishBulkWrite(db: Kysely<Schema>): Promise<void> {
  await sql`select sg_bulk_finish()`.execute(db);
}

/** Runs `work` under a savepoint: a failure undoes only its own statements, and is rethrown. */
export async function underSavepoint<T>(db: Kysely<Schema>, work: () => Promise<T>): Promise<T> {
  await sql`savepoint sg_import_row`.execute(db);
  try {
    const out = await work();
    await sql`release savepoint sg_import_row`.execute(db);
    return out;
  } catch (err) {
    await sql`rollback to savepoint sg_import_row`.execute(db);
    throw err;
  }
}

export interface BulkRecordsContext {
  reportId: string;
  actorId: string | null;
  /** Date of information of the history entries of records that carry no date of their own. */
  dateOfInformation: string;
  /** Column holding a record's own date of information (e.g. found_on), if the register has one. */
  dateColumn?: string;
}

/** Writable fields of a register as stored (identity fields are never imported). */
function writableFields(def: RegisterDef): string[] {
  return Object.keys(def.fields.properties).filter((f) => f !== 'identity');
}

/**
 * The approved-history entry of each inserted row, built from the row as stored (so that the
 * database defaults are in it, as in the history the one write path keeps): every writable
 * field, geometry and point fields as GeoJSON.
 */
function patchExpression(def: RegisterDef): RawBuilder<unknown> {
  const pairs: RawBuilder<unknown>[] = [];
  for (const f of writableFields(def)) {
    const col = sql`ins.${sql.ref(snake(f))}`;
    const value = (def.pointFields ?? []).includes(f) ? sql`ST_AsGeoJSON(${col}, 9)::jsonb` : col;
    pairs.push(sql`${f}::text, ${value}`);
  }
  if (def.geometry) pairs.push(sql`'geometry'::text, ST_AsGeoJSON(ins.geom, 9)::jsonb`);
  // jsonb_build_object takes at most 100 arguments: build it in pieces and merge.
  const chunks: RawBuilder<unknown>[] = [];
  for (let i = 0; i < pairs.length; i += 40)
    chunks.push(sql`jsonb_build_object(${sql.join(pairs.slice(i, i + 40))})`);
  return sql.join(chunks, sql` || `);
}

/**
 * A record's geometry as EWKT in WGS 84 (null for none), a polygon made a multipolygon when the
 * column holds those: what both bulk writes send, parsed by PostGIS's own geometry input.
 */
function geometryEwkt(g: unknown, multi: boolean): string | null {
  if (g === null || g === undefined) return null;
  const geometry = g as { type: string; coordinates: unknown };
  return ewkt(
    multi && geometry.type === 'Polygon'
      ? { type: 'MultiPolygon', coordinates: [geometry.coordinates] }
      : geometry,
  );
}

/**
 * Inserts validated records in one statement, with one `create` history entry per record in
 * record_changes, all linked to the import's report. The rows travel as one JSON parameter, typed
 * by the table's own columns (`jsonb_populate_recordset`; geometry as EWKT, read by the column's
 * input), which is far cheaper than thousands of bind parameters on both drivers (and, on PGlite,
 * some 20 % cheaper than a record per element with GeoJSON geometry). Every row of one call must
 * set the same fields: a field not set takes the column default. Returns the number of rows written.
 *
 * Example: `await insertRecordsWithHistory(trx, findings, [{ category: 'AP', foundOn: '2024-05-01',
 * geometry: { type: 'Point', coordinates: [46.9, 39.9] } }], ctx)` → 1.
 */
export async function insertRecordsWithHistory(
  db: Kysely<Schema>,
  def: RegisterDef,
  rows: Array<Record<string, unknown>>,
  ctx: BulkRecordsContext,
): Promise<number> {
  if (rows.length === 0) return 0;
  const fields = Object.keys(rows[0]!).filter((k) => k !== 'geometry');
  const names = fields.map(snake);
  const points = fields.map((f) => (def.pointFields ?? []).includes(f));
  const multi = def.geometry?.kind === 'MultiPolygon';
  const payload = rows.map((row) => {
    const r: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const v = row[fields[i]!];
      r[names[i]!] = points[i] ? geometryEwkt(v, false) : v === undefined ? null : v;
    }
    if (def.geometry) r.geom = geometryEwkt(row.geometry, multi);
    return r;
  });
  const columns = [...names, ...(def.geometry ? ['geom'] : [])].map((c) => sql.ref(c));
  const date = ctx.dateColumn
    ? sql`coalesce(ins.${sql.ref(ctx.dateColumn)}, ${ctx.dateOfInformation}::date)`
    : sql`${ctx.dateOfInformation}::date`;
  const r = await sql<{ n: number }>`
    with ins as (
      insert into ${sql.table(def.table)} (${sql.join(columns)}, created_by, updated_by)
      select ${sql.join(columns.map((c) => sql`r.${c}`))}, ${ctx.actorId}::uuid, ${ctx.actorId}::uuid
      from jsonb_populate_recordset(null::${sql.table(def.table)}, ${JSON.stringify(payload)}::jsonb) r
      returning *
    ), history as (
      insert into record_changes (entity, record_id, report_id, date_of_information, op, patch)
      select ${def.entity}, ins.id, ${ctx.reportId}::uuid, ${date}, 'create', ${patchExpression(def)}
      from ins
    )
    select count(*)::int as n from ins`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/**
 * insertRecordsWithHistory on PostgreSQL by COPY: the rows are streamed on the transaction's own
 * connection (`client`, from copyClient) into a temporary staging table shaped like the register
 * (created once per transaction, dropped at its end), then moved by one statement that empties
 * the staging table, inserts the rows into the register in their order (its triggers, checks and
 * unique keys apply as to any insert) and writes each record's `create` history entry from the row
 * as stored, as insertRecordsWithHistory does. Every row of one call must set the same fields.
 * Returns the number of rows written.
 */
export async function copyRecordsWithHistory(
  db: Kysely<Schema>,
  client: pg.PoolClient,
  def: RegisterDef,
  rows: Array<Record<string, unknown>>,
  ctx: BulkRecordsContext,
): Promise<number> {
  if (rows.length === 0) return 0;
  const stage = `sg_stage_${def.table}`;
  if (!staged.get(db)?.has(stage)) {
    await sql`create temp table if not exists ${sql.id(stage)} on commit drop as
      select t.*, 0 as sg_ord from ${sql.table(def.table)} t with no data`.execute(db);
    staged.set(db, (staged.get(db) ?? new Set()).add(stage));
  }
  const fields = Object.keys(rows[0]!).filter((k) => k !== 'geometry');
  const points = new Set(def.pointFields ?? []);
  const multi = def.geometry?.kind === 'MultiPolygon';
  const geometryText = (g: unknown, asMulti: boolean) => geometryEwkt(g, asMulti) ?? '\\N';
  const columns = [...fields.map(snake), ...(def.geometry ? ['geom'] : []), 'sg_ord'];
  function* lines() {
    for (const [i, row] of rows.entries()) {
      const cells = fields.map((f) => (points.has(f) ? geometryText(row[f], false) : copyValue(row[f])));
      if (def.geometry) cells.push(geometryText(row.geometry, multi));
      cells.push(String(i));
      yield `${cells.join('\t')}\n`;
    }
  }
  await copyLines(client, stage, columns, lines());
  const target = [...fields.map((f) => sql.ref(snake(f))), ...(def.geometry ? [sql.ref('geom')] : [])];
  const date = ctx.dateColumn
    ? sql`coalesce(ins.${sql.ref(ctx.dateColumn)}, ${ctx.dateOfInformation}::date)`
    : sql`${ctx.dateOfInformation}::date`;
  const r = await sql<{ n: number }>`
    with staged as (
      delete from ${sql.id(stage)} returning *
    ), ins as (
      insert into ${sql.table(def.table)} (${sql.join(target)}, created_by, updated_by)
      select ${sql.join(target.map((c) => sql`staged.${c}`))}, ${ctx.actorId}::uuid, ${ctx.actorId}::uuid
      from staged order by staged.sg_ord
      returning *
    ), history as (
      insert into record_changes (entity, record_id, report_id, date_of_information, op, patch)
      select ${def.entity}, ins.id, ${ctx.reportId}::uuid, ${date}, 'create', ${patchExpression(def)}
      from ins
    )
    select count(*)::int as n from ins`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/** Staging tables already created in a transaction. */
const staged = new WeakMap<object, Set<string>>();

// ---------------------------------------------------------------------------------------
// Import jobs (imports started over HTTP run in the background; the client polls the job)

export interface ImportJobRow {
  id: string;
  register: string;
  filename: string;
  options: Record<string, unknown>;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: { read: number; total?: number; percent?: number };
  result: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  locale: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

const jobColumns = sql`id, register, filename, options, status, progress, result, error, locale, created_by, created_at, updated_at`;

export async function insertImportJob(
  db: Kysely<Schema>,
  job: {
    register: string;
    filename: string;
    options: Record<string, unknown>;
    locale: string;
    createdBy: string | null;
  },
): Promise<ImportJobRow> {
  const r = await sql<ImportJobRow>`
    insert into import_jobs (register, filename, options, locale, created_by)
    values (${job.register}, ${job.filename}, ${JSON.stringify(job.options)}::jsonb, ${job.locale}, ${job.createdBy})
    returning ${jobColumns}`.execute(db);
  return r.rows[0]!;
}

export async function updateImportJob(
  db: Kysely<Schema>,
  id: string,
  set: {
    status: ImportJobRow['status'];
    progress?: ImportJobRow['progress'];
    result?: unknown;
    error?: unknown;
    rejectsCsv?: string;
  },
): Promise<void> {
  await sql`
    update import_jobs set status = ${set.status}, updated_at = now()
      ${set.progress !== undefined ? sql`, progress = ${JSON.stringify(set.progress)}::jsonb` : sql``}
      ${set.result !== undefined ? sql`, result = ${JSON.stringify(set.result)}::jsonb` : sql``}
      ${set.error !== undefined ? sql`, error = ${JSON.stringify(set.error)}::jsonb` : sql``}
      ${set.rejectsCsv !== undefined ? sql`, rejects_csv = ${set.rejectsCsv}` : sql``}
    where id = ${id}`.execute(db);
}

export async function importJobById(db: Kysely<Schema>, id: string): Promise<ImportJobRow | undefined> {
  const r = await sql<ImportJobRow>`select ${jobColumns} from import_jobs where id = ${id}`.execute(db);
  return r.rows[0];
}

export async function importJobRejects(db: Kysely<Schema>, id: string): Promise<string | null | undefined> {
  const r = await sql<{
    rejectsCsv: string | null;
  }>`select rejects_csv from import_jobs where id = ${id}`.execute(db);
  return r.rows[0] ? r.rows[0].rejectsCsv : undefined;
}

/** Jobs a process was running when it stopped can never finish: they are marked failed on start. */
export async function failInterruptedImportJobs(db: Kysely<Schema>): Promise<void> {
  await sql`
    update import_jobs set status = 'failed', updated_at = now(),
      error = jsonb_build_object('code', 'import.job.interrupted')
    where status in ('queued', 'running')`.execute(db);
}
