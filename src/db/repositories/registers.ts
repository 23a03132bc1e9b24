import { type Kysely, type RawBuilder, sql } from 'kysely';
import { REFERENCE_TARGETS, type RegisterDef } from '../../domain/records.ts';
import type { Schema } from '../connect.ts';

/**
 * Every statement on the register tables. One generic repository serves all registers because
 * they share one shape (id, version, audit columns, optional geometry); what differs is data in
 * RegisterDef. Geometry crosses this boundary as GeoJSON in WGS 84.
 */

export type Row = Record<string, unknown>;

/** The column of a field: the snake_case of its camelCase name. */
export const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camelNames = new Map<string, string>();
/** The camelCase of a column name (remembered: every row of every list asks for the same few). */
const camel = (s: string) => {
  let name = camelNames.get(s);
  if (name === undefined) {
    name = s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if (camelNames.size < 10_000) camelNames.set(s, name);
  }
  return name;
};

const IDENTITY_COLUMNS = {
  name: 'identity_name',
  dateOfBirth: 'identity_date_of_birth',
  address: 'identity_address',
};

// Result keys come back camelCased by Kysely's CamelCasePlugin.
const IDENTITY_KEYS: Record<string, string> = {
  identityName: 'name',
  identityDateOfBirth: 'dateOfBirth',
  identityAddress: 'address',
};

/** Scalar columns (camelCase) read back for a register, excluding geometry and identity. */
function scalarFields(def: RegisterDef): string[] {
  const fields = Object.keys(def.fields.properties).filter(
    (f) => f !== 'identity' && !(def.pointFields ?? []).includes(f),
  );
  return [
    'id',
    'version',
    'createdAt',
    'updatedAt',
    'createdBy',
    'updatedBy',
    'archivedAt',
    ...fields,
    ...Object.keys(def.readOnly),
  ];
}

function selection(def: RegisterDef, opts: { identity?: boolean }): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = scalarFields(def).map((f) => sql`t.${sql.ref(snake(f))}`);
  if (def.geometry) parts.push(sql`ST_AsGeoJSON(t.geom, 9)::json as geometry`);
  for (const p of def.pointFields ?? [])
    parts.push(sql`ST_AsGeoJSON(t.${sql.ref(snake(p))}, 9)::json as ${sql.ref(p)}`);
  if (opts.identity && def.protectedFields?.includes('identity')) {
    for (const col of Object.values(IDENTITY_COLUMNS)) parts.push(sql`t.${sql.ref(col)}`);
  }
  return sql.join(parts);
}

/**
 * Turns a database row into the record's API shape (identity folded, archived flag), leaving out
 * the keys in `omit`. A `for…in` loop, not `Object.entries` or a spread: a list turns hundreds of
 * rows of some thirty columns a request, and those copies cost three times this loop.
 */
function fromRow(def: RegisterDef, row: Row, omit?: ReadonlySet<string>): Row {
  const out: Row = {};
  let identity: Row | undefined;
  for (const k in row) {
    if (omit?.has(k)) continue;
    const v = row[k];
    const identityField = IDENTITY_KEYS[k];
    if (identityField) {
      identity ??= {};
      identity[identityField] = v;
      continue;
    }
    out[camel(k)] =
      typeof v === 'string' && (k === 'geometry' || (def.pointFields ?? []).includes(k)) ? JSON.parse(v) : v;
  }
  out.archived = out.archivedAt !== null && out.archivedAt !== undefined;
  if (identity) out.identity = identity;
  return out;
}

/** Column → SQL value for an insert or update; geometry and JSON columns get their conversions. */
function toColumns(def: RegisterDef, values: Row): Array<[string, RawBuilder<unknown> | unknown]> {
  const cols: Array<[string, RawBuilder<unknown> | unknown]> = [];
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    if (k === 'geometry') {
      cols.push(['geom', v === null ? null : geomFromGeoJson(v, def.geometry?.kind === 'MultiPolygon')]);
    } else if ((def.pointFields ?? []).includes(k)) {
      cols.push([snake(k), v === null ? null : geomFromGeoJson(v, false)]);
    } else if (k === 'identity') {
      // null clears every identity field (an explicit clear); an object sets the fields it has.
      const id = v as Row | null;
      for (const [f, col] of Object.entries(IDENTITY_COLUMNS))
        if (id === null || f in id) cols.push([col, id?.[f] ?? null]);
    } else if ((def.jsonFields ?? []).includes(k) || (v !== null && typeof v === 'object')) {
      cols.push([snake(k), JSON.stringify(v)]);
    } else {
      cols.push([snake(k), v]);
    }
  }
  return cols;
}

function geomFromGeoJson(g: unknown, multi: boolean): RawBuilder<unknown> {
  const inner = sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(g)}), 4326)`;
  return multi ? sql`ST_Multi(${inner})` : inner;
}

const value = (v: unknown) =>
  v !== null && typeof v === 'object' && 'compile' in (v as object) ? (v as RawBuilder<unknown>) : sql`${v}`;

export async function insertRecord(
  db: Kysely<Schema>,
  def: RegisterDef,
  values: Row,
  actorId: string | null,
): Promise<Row> {
  const cols = toColumns(def, values);
  cols.push(['created_by', actorId], ['updated_by', actorId]);
  const r = await sql<Row>`
    with t as (
      insert into ${sql.table(def.table)} (${sql.join(cols.map(([c]) => sql.ref(c)))})
      values (${sql.join(cols.map(([, v]) => value(v)))})
      returning *
    )
    select ${selection(def, { identity: true })} from t`.execute(db);
  return fromRow(def, r.rows[0]!);
}

export type UpdateOutcome =
  | { kind: 'updated'; record: Row }
  | { kind: 'not_found' }
  | { kind: 'conflict'; version: number };

/** Updates when the stored version is `expectedVersion`; the version goes up by one. */
export async function updateRecord(
  db: Kysely<Schema>,
  def: RegisterDef,
  id: string,
  expectedVersion: number,
  values: Row,
  actorId: string | null,
): Promise<UpdateOutcome> {
  const cols = toColumns(def, values);
  cols.push(['updated_by', actorId]);
  return versionedUpdate(
    db,
    def,
    id,
    expectedVersion,
    sql.join(cols.map(([c, v]) => sql`${sql.ref(c)} = ${value(v)}`)),
  );
}

export async function archiveRecord(
  db: Kysely<Schema>,
  def: RegisterDef,
  id: string,
  expectedVersion: number,
  actorId: string | null,
): Promise<UpdateOutcome> {
  return versionedUpdate(
    db,
    def,
    id,
    expectedVersion,
    sql`archived_at = coalesce(archived_at, now()), updated_by = ${actorId}`,
  );
}

/** The optimistic-concurrency update both writes share: applied only at the expected version. */
async function versionedUpdate(
  db: Kysely<Schema>,
  def: RegisterDef,
  id: string,
  expectedVersion: number,
  sets: RawBuilder<unknown>,
): Promise<UpdateOutcome> {
  const r = await sql<Row>`
    with t as (
      update ${sql.table(def.table)} set ${sets}, version = version + 1
      where id = ${id} and version = ${expectedVersion}
      returning *
    )
    select ${selection(def, { identity: true })} from t`.execute(db);
  if (r.rows[0]) return { kind: 'updated', record: fromRow(def, r.rows[0]) };
  const current = await sql<{
    version: number;
  }>`select version from ${sql.table(def.table)} where id = ${id}`.execute(db);
  if (!current.rows[0]) return { kind: 'not_found' };
  return { kind: 'conflict', version: current.rows[0].version };
}

export async function getRecord(
  db: Kysely<Schema>,
  def: RegisterDef,
  id: string,
  opts: { identity?: boolean; forUpdate?: boolean; asAt?: string } = {},
): Promise<Row | undefined> {
  const r = await sql<Row>`
    select ${selection(def, opts)} from ${asAtSource(def, opts.forUpdate ? undefined : opts.asAt, id)} t where t.id = ${id}
    ${opts.forUpdate ? sql`for update` : sql``}`.execute(db);
  return r.rows[0] ? fromRow(def, r.rows[0]) : undefined;
}

export async function recordExists(db: Kysely<Schema>, table: string, id: string): Promise<boolean> {
  const r = await sql`select 1 from ${sql.table(table)} where id = ${id}`.execute(db);
  return r.rows.length > 0;
}

export interface ListQuery {
  /**
   * Read the register as at the end of this day (YYYY-MM-DD): the state folded from the changes
   * approved by then whose date of information is not after it (see asAtSource).
   */
  asAt?: string;
  bbox?: [number, number, number, number];
  equals: Array<[column: string, value: string]>;
  /** Integer columns and the least value they may hold (`manufacturedFrom=2021`). */
  atLeast?: Array<[column: string, value: number]>;
  adminAreaId?: string;
  from?: string;
  to?: string;
  text?: string;
  sortField: string;
  descending: boolean;
  limit: number;
  after?: { value: unknown; id: string };
  includeArchived: boolean;
  /** Records of this organisation through the activity that produced them (registers without their own). */
  activityOrganisationId?: string;
  /** Only these records (the area feed reads the records changed since a cursor). */
  ids?: string[];
}

/**
 * The register's table, or, as at a date, the same columns derived from its approved history:
 * each record's writable fields are the fold of its changes approved by the end of that day (in
 * the database session's time zone) whose date of information is not after it, in
 * date-of-information order (approval order within one date). A record without such a create
 * (or baseline) did not exist then; one whose archive is among them is archived. Columns outside
 * the history (identity, who created it, and derived read-only figures) are the present ones,
 * except polygon areas, recomputed from the geometry of the day.
 *
 * Most records have no change left out by the date and were changed in date order: their state
 * then is their present row (only version, updated_at and archived_at are taken from the
 * history), so only the others are folded and rebuilt from JSON. One pass over the register's
 * history decides which (record_changes_record_idx), and the fold of each record that needs it
 * reads only that record's changes.
 */
export function asAtSource(def: RegisterDef, asAt?: string, recordId?: string): RawBuilder<unknown> {
  if (!asAt) return sql.table(def.table);
  const cols: RawBuilder<unknown>[] = [];
  const field = (f: string) => sql`m.state -> ${f}`;
  const geometryOf = (f: string, multi: boolean) => {
    const g = sql`ST_SetSRID(ST_GeomFromGeoJSON(nullif(${field(f)}, 'null'::jsonb)::text), 4326)`;
    return sql`to_jsonb((${multi ? sql`ST_Multi(${g})` : g})::text)`;
  };
  for (const f of Object.keys(def.fields.properties)) {
    if (f === 'identity') continue;
    if ((def.pointFields ?? []).includes(f)) cols.push(sql`${snake(f)}::text, ${geometryOf(f, false)}`);
    else cols.push(sql`${snake(f)}::text, ${field(f)}`);
  }
  const multi = def.geometry?.kind === 'MultiPolygon';
  if (def.geometry) cols.push(sql`'geom', ${geometryOf('geometry', multi)}`);
  if (multi && 'areaM2' in def.readOnly) {
    const g = sql`ST_SetSRID(ST_GeomFromGeoJSON(nullif(${field('geometry')}, 'null'::jsonb)::text), 4326)`;
    cols.push(sql`'area_m2', to_jsonb(coalesce(ST_Area(${g}::geography, true), 0))`);
  }
  const history = sql`'version', to_jsonb(s.version), 'updated_at', to_jsonb(s.updated_at), 'archived_at', to_jsonb(s.archived_at)`;
  cols.push(history);
  // jsonb_build_object takes at most 100 arguments: the pairs are built in groups and joined.
  const groups: RawBuilder<unknown>[] = [];
  for (let i = 0; i < cols.length; i += 40)
    groups.push(sql`jsonb_build_object(${sql.join(cols.slice(i, i + 40))})`);
  const approved = (c: string) =>
    sql`${sql.ref(`${c}.date_of_information`)} <= ${asAt}::date and ${sql.ref(`${c}.created_at`)} < (${asAt}::date + 1)::timestamptz`;
  // Per record: its changes counted, whether the date leaves any out, and whether they were
  // approved in date order: each change's seq below the next one's in date-of-information
  // order (a window over record_changes_record_idx's own order, where two ordered aggregates
  // per record sorted every record's changes twice).
  return sql`(
    select a.* from (
      select c.record_id,
        count(*) filter (where c.inc)::int as version,
        count(*)::int as total,
        max(c.created_at) filter (where c.inc) as updated_at,
        min(c.created_at) filter (where c.inc and c.op = 'archive') as archived_at,
        bool_or(c.inc and c.op in ('create', 'baseline')) as existed,
        bool_and(c.next_seq is null or c.next_seq > c.seq) as in_order
      from (
        select c.record_id, c.seq, c.op, c.created_at, (${approved('c')}) as inc,
          lead(c.seq) over (partition by c.record_id order by c.date_of_information, c.seq) as next_seq
        from record_changes c
        where c.entity = ${def.entity} ${recordId ? sql`and c.record_id = ${recordId}` : sql``}
      ) c
      group by c.record_id
    ) s
    join ${sql.table(def.table)} cur on cur.id = s.record_id
    left join lateral (
      select sg_jsonb_merge(c.patch order by c.date_of_information, c.seq) filter (where c.op <> 'archive') as state
      from record_changes c
      where not (s.version = s.total and s.in_order)
        and c.entity = ${def.entity} and c.record_id = s.record_id and ${approved('c')}
    ) m on true
    cross join lateral jsonb_populate_record(cur,
      case when s.version = s.total and s.in_order then jsonb_build_object(${history})
      else ${sql.join(groups, sql` || `)} end) a
    where s.existed
  )`;
}

/**
 * The list filters of a register as SQL conditions on its table aliased `t` (the lists, counts,
 * exports, OGC API and vector tiles all filter through here).
 */
export function whereClauses(
  def: RegisterDef,
  q: Omit<ListQuery, 'sortField' | 'descending' | 'limit' | 'after'>,
): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [];
  if (!q.includeArchived) where.push(sql`t.archived_at is null`);
  if (q.ids) where.push(q.ids.length ? sql`t.id in (${sql.join(q.ids)})` : sql`false`);
  if (q.bbox && def.geometry) {
    const [w, s, e, n] = q.bbox;
    where.push(sql`ST_Intersects(t.geom, ST_MakeEnvelope(${w}, ${s}, ${e}, ${n}, 4326))`);
  }
  for (const [column, v] of q.equals) where.push(sql`t.${sql.ref(column)}::text = ${v}`);
  const parent = def.filters.through ? REFERENCE_TARGETS[def.filters.through] : undefined;
  if (parent && (q.from || q.to || q.adminAreaId || q.bbox)) {
    const inner = whereClauses(parent, {
      asAt: q.asAt,
      bbox: q.bbox,
      adminAreaId: q.adminAreaId,
      from: q.from,
      to: q.to,
      equals: [],
      includeArchived: q.includeArchived,
    });
    where.push(sql`t.${sql.ref(snake(def.filters.through!))} in (select t.id from ${asAtSource(parent, q.asAt)} t
      ${inner.length ? sql`where ${sql.join(inner, sql` and `)}` : sql``})`);
  }
  const activities = REFERENCE_TARGETS.activityId;
  if (q.activityOrganisationId && activities && 'activityId' in def.fields.properties) {
    where.push(sql`exists (select 1 from ${asAtSource(activities, q.asAt)} ac
      where ac.id = t.activity_id and ac.organisation_id = ${q.activityOrganisationId})`);
  }
  for (const [column, v] of q.atLeast ?? []) where.push(sql`t.${sql.ref(column)} >= ${v}`);
  if (q.adminAreaId && def.geometry) {
    where.push(sql`ST_Intersects(t.geom, (select a.geom from admin_areas a where a.id = ${q.adminAreaId}))`);
  }
  if (def.filters.date) {
    if (q.from) where.push(sql`t.${sql.ref(def.filters.date)} >= ${q.from}::date`);
    if (q.to) where.push(sql`t.${sql.ref(def.filters.date)} <= ${q.to}::date`);
  }
  if (q.text && def.filters.text.length) {
    const pattern = `%${q.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      sql`(${sql.join(
        def.filters.text.map((c) => sql`t.${sql.ref(c)} ilike ${pattern}`),
        sql` or `,
      )})`,
    );
  }
  return where;
}

/**
 * A list's filters with its keyset cursor (after the position, nulls last), and the column and
 * direction it is sorted by: one page of any list read starts here.
 */
function pageClauses(def: RegisterDef, q: Omit<ListQuery, 'asAt'>) {
  const where = whereClauses(def, q);
  const col = sql`t.${sql.ref(snake(q.sortField))}`;
  if (q.after) {
    const { value: v, id } = q.after;
    const cmp = q.descending ? sql`<` : sql`>`;
    where.push(
      v === null || v === undefined
        ? sql`(${col} is null and t.id ${cmp} ${id})`
        : sql`(${col} ${cmp} ${v} or (${col} = ${v} and t.id ${cmp} ${id}) or ${col} is null)`,
    );
  }
  const dir = q.descending ? sql`desc` : sql`asc`;
  return { where, col, dir };
}

/** One page of a register in the given order, after the cursor position (keyset paging, nulls last). */
export async function listRecords(db: Kysely<Schema>, def: RegisterDef, q: ListQuery): Promise<Row[]> {
  const { where, col, dir } = pageClauses(def, q);
  const r = await sql<Row>`
    select ${selection(def, {})} from ${asAtSource(def, q.asAt)} t
    ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
    order by ${col} ${dir} nulls last, t.id ${dir}
    limit ${q.limit}`.execute(db);
  return r.rows.map((row) => fromRow(def, row));
}

export async function countRecords(
  db: Kysely<Schema>,
  def: RegisterDef,
  q: Omit<ListQuery, 'sortField' | 'descending' | 'limit' | 'after'>,
): Promise<number> {
  const where = whereClauses(def, q);
  const r = await sql<{ n: number }>`
    select count(*)::int as n from ${asAtSource(def, q.asAt)} t
    ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}`.execute(db);
  return r.rows[0]!.n;
}

/**
 * One page of a register by position (`offset` records skipped) in the given order, for clients
 * that page by offset (OGC API - Features). Same filters and order as listRecords; `after` is ignored.
 */
export async function listRecordsOffset(
  db: Kysely<Schema>,
  def: RegisterDef,
  q: Omit<ListQuery, 'after'> & { offset: number },
): Promise<Row[]> {
  const where = whereClauses(def, q);
  const col = sql`t.${sql.ref(snake(q.sortField))}`;
  const dir = q.descending ? sql`desc` : sql`asc`;
  const r = await sql<Row>`
    select ${selection(def, {})} from ${asAtSource(def, q.asAt)} t
    ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
    order by ${col} ${dir} nulls last, t.id ${dir}
    limit ${q.limit} offset ${q.offset}`.execute(db);
  return r.rows.map((row) => fromRow(def, row));
}

export interface RegisterExtent {
  /** [minLon, minLat, maxLon, maxLat] of the records' geometries, or null when none has one. */
  bbox: [number, number, number, number] | null;
  /** First and last value of the register's date column ('YYYY-MM-DD'), or null. */
  dates: [string | null, string | null] | null;
}

/** Spatial and temporal extent of a register's records that are not archived. */
export async function registerExtent(
  db: Kysely<Schema>,
  def: RegisterDef,
  asAt?: string,
): Promise<RegisterExtent> {
  const dateCol = def.filters.date;
  const box = def.geometry
    ? sql`ST_XMin(e.box) as xmin, ST_YMin(e.box) as ymin, ST_XMax(e.box) as xmax, ST_YMax(e.box) as ymax`
    : sql`null as xmin, null as ymin, null as xmax, null as ymax`;
  type ExtentRow = Record<'xmin' | 'ymin' | 'xmax' | 'ymax', number | null> &
    Record<'first' | 'last', string | null>;
  const r = await sql<ExtentRow>`
    select ${box}, e.first::text as first, e.last::text as last
    from (
      select ${def.geometry ? sql`ST_Extent(t.geom)` : sql`null`} as box,
        ${dateCol ? sql`min(t.${sql.ref(dateCol)})` : sql`null`} as first,
        ${dateCol ? sql`max(t.${sql.ref(dateCol)})` : sql`null`} as last
      from ${asAtSource(def, asAt)} t where t.archived_at is null
    ) e`.execute(db);
  const row = r.rows[0];
  const bbox =
    row && row.xmin !== null && row.ymin !== null && row.xmax !== null && row.ymax !== null
      ? ([row.xmin, row.ymin, row.xmax, row.ymax].map(Number) as [number, number, number, number])
      : null;
  return { bbox, dates: dateCol ? [row?.first ?? null, row?.last ?? null] : null };
}

/** A row of a list sent as JSON: the record without its geometry, which comes as GeoJSON text. */
export interface ListFeatureRow {
  record: Row;
  /** The geometry as PostGIS wrote it (`ST_AsGeoJSON(geom, 9)`), not parsed; null without one. */
  geometryText: string | null;
  /** The lowest admin area the record lies in (the rule of `adminAreaNames`), null outside every one. */
  adminAreaName: string | null;
}

/** The columns of `listFeatureRows` that are not the record's. */
const FEATURE_ROW_EXTRAS: ReadonlySet<string> = new Set(['sgGeometryText', 'sgAdminAreaName']);

/**
 * One page of a register with a geometry as it is today (no `asAt`), for lists answered as JSON:
 * the same filters, order and page as `listRecords`, each record with its geometry as GeoJSON text
 * and its admin area's name, in one statement (the names are looked up for the page's rows only,
 * after the limit).
 */
export async function listFeatureRows(
  db: Kysely<Schema>,
  def: RegisterDef,
  q: Omit<ListQuery, 'asAt'>,
): Promise<ListFeatureRow[]> {
  const { where, col, dir } = pageClauses(def, q);
  const names = scalarFields(def).map(snake);
  const inner: RawBuilder<unknown>[] = names.map((c) => sql`t.${sql.ref(c)}`);
  for (const p of def.pointFields ?? [])
    inner.push(sql`ST_AsGeoJSON(t.${sql.ref(snake(p))}, 9)::json as ${sql.ref(snake(p))}`);
  const outer: RawBuilder<unknown>[] = [...names, ...(def.pointFields ?? []).map(snake)].map(
    (c) => sql`p.${sql.ref(c)}`,
  );
  const r = await sql<Row & { sgGeometryText: string | null; sgAdminAreaName: string | null }>`
    select ${sql.join(outer)},
      ST_AsGeoJSON(p.sg_geom, 9) as sg_geometry_text,
      case when p.sg_geom is null then null else (select a.name from admin_areas a
        where a.archived_at is null and a.id <> p.id and ST_Covers(a.geom, ST_PointOnSurface(p.sg_geom))
        order by a.level desc, a.name limit 1) end as sg_admin_area_name
    from (
      select ${sql.join(inner)}, t.geom as sg_geom from ${sql.table(def.table)} t
      ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
      order by ${col} ${dir} nulls last, t.id ${dir}
      limit ${q.limit}
    ) p
    order by p.${sql.ref(snake(q.sortField))} ${dir} nulls last, p.id ${dir}`.execute(db);
  return r.rows.map((row) => ({
    record: fromRow(def, row, FEATURE_ROW_EXTRAS),
    geometryText: row.sgGeometryText,
    adminAreaName: row.sgAdminAreaName,
  }));
}
