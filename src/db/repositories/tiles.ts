import { type Kysely, type RawBuilder, sql } from 'kysely';
import {
  accidents,
  adminAreas,
  findings,
  hazards,
  landRelease,
  minefieldRecords,
  type RegisterDef,
  settlements,
  siteVisits,
} from '../../domain/records.ts';
import { HAZARD_POINT_BELOW_M2 } from '../../geo/map-scale.ts';
import type { Schema } from '../connect.ts';
import { asAtSource, whereClauses as registerWhereClauses } from './registers.ts';

/**
 * Every statement behind the vector tiles. A tile is made in one of two ways from the same
 * rows and the same geometry pipeline:
 *
 * - `mvtTile`: PostgreSQL encodes it (`ST_AsMVTGeom` + `ST_AsMVT`), where PostGIS has protobuf.
 * - `tileFeatures`: the database only projects and snaps the geometry to tile coordinates with
 *   the very steps `ST_AsMVTGeom` takes before clipping (affine to tile units, snap to the
 *   integer grid, drop collinear points: ST_Affine, ST_SnapToGrid, ST_Simplify(…, 0) run the
 *   same liblwgeom code; a hazards tile of its outline band's own zoom reads those steps already
 *   made, migration 032), and the caller clips and encodes in JS. PGlite's PostGIS is built
 *   without protobuf, so there neither ST_AsMVT nor ST_AsMVTGeom exist; this path runs on
 *   PostgreSQL too, which is how a test proves both give the same features.
 */

export const TILE_EXTENT = 4096;
export const TILE_BUFFER = 64;
/** Findings are drawn as grid clusters below this zoom, as single points from it on. */
export const CLUSTER_BELOW_ZOOM = 12;
/** Hazards' points are drawn as grid clusters below this zoom (migration 031). */
export const HAZARD_CLUSTER_BELOW_ZOOM = 10;
/**
 * Side of a cluster cell in tile units (32 × 32 cells per tile: 16 px on a 512 px tile).
 * Cells are aligned on the Web Mercator world origin, so they never straddle a tile edge.
 */
export const CLUSTER_CELL = 128;

export type TilePropertyType = 'string' | 'number' | 'integer' | 'boolean';

export interface TileProperty {
  name: string;
  /** Column of the register table. */
  column: string;
  type: TilePropertyType;
  /** For a jsonb column: the key read from it (`names` → `name:ar`). */
  key?: string;
}

export interface TileLayer {
  /** URL segment and source-layer name. */
  name: string;
  register: RegisterDef;
  geometry: 'point' | 'polygon';
  properties: TileProperty[];
  /** Points are aggregated into grid clusters at zooms below this one. */
  clusterBelowZoom?: number;
  /**
   * The table of pre-aggregated cluster cells (kept by triggers, migrations 016 and 031), read for
   * an unfiltered cluster tile instead of aggregating the register's rows.
   */
  clusterTable?: 'finding_clusters' | 'hazard_point_clusters';
  /**
   * For a point layer of areas: a cluster of zoom z gathers only the records whose area_m2 is
   * under this at zoom z (those the map draws as points there; the others are polygons).
   */
  clusterBelowAreaM2?: (z: number) => number;
  /**
   * The table of the layer's outlines per zoom band (kept by triggers, migration 030): below
   * zoom 13 a tile reads them, already in Web Mercator, simplified, and without the records too
   * small to see there, instead of the register's own geometry.
   */
  outlineTable?: 'hazard_outlines';
  /**
   * The table of the layer's points already in Web Mercator (kept by triggers, migration 031),
   * read instead of making a point on each record's surface, except for a tile as at a date.
   */
  pointTable?: 'hazard_points';
  /**
   * A point layer of a polygon register: one point on each record's surface, so that an area too
   * small to see at a zoom still has a mark there.
   */
  pointOnSurface?: boolean;
}

/**
 * Languages of the name properties of the gazetteer's layers (`name:en`, `name:ru`, `name:ar`,
 * as OpenMapTiles names them): the map labels places in the reader's language when the record
 * has a name in it, and by `name` otherwise.
 */
export const LABEL_LANGUAGES = ['en', 'ru', 'ar'] as const;

const nameProps: TileProperty[] = LABEL_LANGUAGES.map((lang) => ({
  name: `name:${lang}`,
  column: 'names',
  key: lang,
  type: 'string',
}));

const idProp: TileProperty = { name: 'id', column: 'id', type: 'string' };
const codeProp: TileProperty = { name: 'code', column: 'code', type: 'string' };

export const TILE_LAYERS: TileLayer[] = [
  {
    name: 'hazards',
    register: hazards,
    geometry: 'polygon',
    properties: [
      idProp,
      codeProp,
      { name: 'type', column: 'type', type: 'string' },
      { name: 'status', column: 'status', type: 'string' },
      { name: 'areaM2', column: 'area_m2', type: 'number' },
    ],
    outlineTable: 'hazard_outlines',
  },
  {
    // Hazards as points: a 1 ha hazard is less than a pixel below zoom 10 and its polygon vanishes
    // from the tile; the map draws these marks where the polygon is too small to see.
    name: 'hazard-points',
    register: hazards,
    geometry: 'point',
    pointOnSurface: true,
    properties: [
      idProp,
      codeProp,
      { name: 'type', column: 'type', type: 'string' },
      { name: 'status', column: 'status', type: 'string' },
      { name: 'areaM2', column: 'area_m2', type: 'number' },
    ],
    // At a national view every hazard is a point: grouped into clusters there, as findings are.
    clusterBelowZoom: HAZARD_CLUSTER_BELOW_ZOOM,
    clusterTable: 'hazard_point_clusters',
    pointTable: 'hazard_points',
    clusterBelowAreaM2: (z) => HAZARD_POINT_BELOW_M2 / 4 ** z,
  },
  {
    name: 'land-release',
    register: landRelease,
    geometry: 'polygon',
    properties: [idProp, codeProp, { name: 'outcome', column: 'outcome', type: 'string' }],
  },
  {
    name: 'findings',
    register: findings,
    geometry: 'point',
    properties: [idProp, codeProp, { name: 'category', column: 'category', type: 'string' }],
    clusterBelowZoom: CLUSTER_BELOW_ZOOM,
    clusterTable: 'finding_clusters',
  },
  {
    name: 'accidents',
    register: accidents,
    geometry: 'point',
    properties: [
      idProp,
      codeProp,
      { name: 'deviceCategory', column: 'device_category', type: 'string' },
      { name: 'occurredOn', column: 'occurred_on', type: 'string' },
    ],
  },
  {
    name: 'settlements',
    register: settlements,
    geometry: 'point',
    properties: [
      idProp,
      { name: 'name', column: 'name', type: 'string' },
      ...nameProps,
      { name: 'kind', column: 'kind', type: 'string' },
      { name: 'population', column: 'population', type: 'integer' },
    ],
  },
  {
    // The perimeter of each record's first decoded reading (the stated one).
    name: 'minefield-records',
    register: minefieldRecords,
    geometry: 'polygon',
    properties: [
      idProp,
      codeProp,
      { name: 'name', column: 'name', type: 'string' },
      { name: 'layingDate', column: 'laying_date', type: 'string' },
    ],
  },
  {
    // The places of visits to sites (docs/evidence.md), drawn with the date and title.
    name: 'site-visits',
    register: siteVisits,
    geometry: 'polygon',
    properties: [
      idProp,
      codeProp,
      { name: 'title', column: 'title', type: 'string' },
      { name: 'visitedOn', column: 'visited_on', type: 'string' },
    ],
  },
  {
    name: 'admin-areas',
    register: adminAreas,
    geometry: 'polygon',
    properties: [
      idProp,
      { name: 'pcode', column: 'pcode', type: 'string' },
      { name: 'name', column: 'name', type: 'string' },
      ...nameProps,
      { name: 'level', column: 'level', type: 'integer' },
    ],
  },
];

/** Properties of a cluster feature. */
export const CLUSTER_PROPERTIES: Array<{ name: string; type: TilePropertyType }> = [
  { name: 'count', type: 'integer' },
  { name: 'cluster', type: 'boolean' },
];

export function tileLayer(name: string): TileLayer | undefined {
  return TILE_LAYERS.find((l) => l.name === name);
}

export interface TileFilters {
  /** Register column → value, as the list API's equality filters. */
  equals: Array<[column: string, value: string]>;
  adminAreaId?: string;
  from?: string;
  to?: string;
  text?: string;
  /** The register as at the end of this day (asAtSource), as the list API reads it. */
  asAt?: string;
}

export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

export interface TileQuery extends TileAddress {
  layer: TileLayer;
  filters: TileFilters;
}

/**
 * The zoom bands of the outlines (migration 030), each named by its deepest zoom: zooms 0–5 read
 * band 5, each zoom from 6 to 12 its own; from zoom 13 the register's own geometry.
 */
export const TILE_OUTLINE_BANDS = [5, 6, 7, 8, 9, 10, 11, 12] as const;

/** The outline band a tile reads, or undefined when it reads the register (or its state as at a date). */
export function outlineBand(q: TileQuery): number | undefined {
  if (!q.layer.outlineTable || q.filters.asAt) return undefined;
  return TILE_OUTLINE_BANDS.find((band) => q.z <= band);
}

/** Whether the tile is of its outline band's own zoom, whose grid the outlines are kept on (032). */
function onBandGrid(q: TileQuery): boolean {
  return outlineBand(q) === q.z;
}

export function isClustered(q: TileQuery): boolean {
  return q.layer.clusterBelowZoom !== undefined && q.z < q.layer.clusterBelowZoom;
}

/** Whether the tile has none of the list filters (archived records are never drawn anyway). */
export function isUnfiltered(f: TileFilters): boolean {
  return !f.equals.length && !f.adminAreaId && !f.from && !f.to && !f.text && !f.asAt;
}

/**
 * The tables a tile of the layer is made from: its register's, and the admin areas' when the
 * tile is filtered by one (its boundary decides which records are drawn).
 */
export function tileSourceTables(layer: TileLayer, filters: TileFilters): string[] {
  return filters.adminAreaId ? [layer.register.table, 'admin_areas'] : [layer.register.table];
}

/**
 * The generation of each map table (migration 016): bumped by every statement that writes it,
 * and committed with the write, so rows read after this statement are at least that new.
 */
export async function tileGenerations(db: Kysely<Schema>): Promise<Map<string, number>> {
  const rows = await db.selectFrom('tileGenerations').select(['tableName', 'generation']).execute();
  return new Map(rows.map((r) => [r.tableName, Number(r.generation)]));
}

/** A property read back by `tileFeatures`: the JS path's rows carry the same values ST_AsMVT sees. */
type Row = Record<string, unknown>;

export type TileFeatureRow =
  | { kind: 'point'; x: number; y: number; properties: Row }
  /** Polygon geometry in tile units, before clipping: GeoJSON Polygon/MultiPolygon coordinates. */
  | { kind: 'polygon'; geometry: TileGeometry; properties: Row };

type TileGeometry = { type: string; coordinates: unknown };

// Values typed as ST_AsMVT encodes them: uuid and date leave as text, numbers stay numbers.
function propertyExpr(p: TileProperty): RawBuilder<unknown> {
  // An empty name is no name: the label falls back to `name`.
  if (p.key !== undefined) return sql`nullif(t.${sql.ref(p.column)} ->> ${p.key}, '')`;
  const col = sql`t.${sql.ref(p.column)}`;
  if (p.type === 'string') return sql`${col}::text`;
  if (p.type === 'integer') return sql`${col}::int4`;
  if (p.type === 'number') return sql`${col}::float8`;
  return col;
}

// Property names are constants of TILE_LAYERS; quoted literally because they are camelCase
// and the CamelCasePlugin would rewrite an identifier node.
const alias = (name: string) => sql.raw(`"${name.replace(/"/g, '')}"`);

/** The layer's register, or its state as at the filters' date. */
const source = (q: TileQuery) => asAtSource(q.layer.register, q.filters.asAt);

/**
 * Whether the tile reads Web Mercator geometry kept for the layer (`o`, one row per record: the
 * band's outlines or the points on surface) instead of the register's own. Never a tile as at a
 * date, which reads the register as it stood.
 */
function readsKept(q: TileQuery): boolean {
  return keptPoints(q) !== undefined || outlineBand(q) !== undefined;
}

/** The table of points a tile reads, or undefined when it reads the register (or its state as at a date). */
const keptPoints = (q: TileQuery) => (q.filters.asAt ? undefined : q.layer.pointTable);

/** The rows a tile is made from: the layer's source `t` and its kept geometry `o` if any. */
function fromClause(q: TileQuery): RawBuilder<unknown> {
  const points = keptPoints(q);
  if (points) {
    // The points near the tile first, then each one's record by its key (planned as a join, the
    // register was read whole to hash it: thousands of points in a zoom 10 tile).
    return sql`${sql.table(points)} o cross join lateral (
      select * from ${sql.table(q.layer.register.table)} r where r.id = o.hazard_id limit 1) t, tile`;
  }
  const band = outlineBand(q);
  if (band === undefined) return sql`${source(q)} t, tile`;
  // The band is a literal, so that the band's partial index serves.
  return sql`${source(q)} t join ${sql.table(q.layer.outlineTable!)} o
    on o.hazard_id = t.id and o.band = ${sql.lit(band)}, tile`;
}

/**
 * The layer's list filters (archived records never drawn), limited to the rows near the tile:
 * by the register's geometry (WGS 84), or by the kept geometry (Web Mercator).
 */
function whereClauses(q: TileQuery): RawBuilder<unknown>[] {
  return [
    ...registerWhereClauses(q.layer.register, { ...q.filters, includeArchived: false }),
    readsKept(q) ? sql`o.geom && tile.menv` : sql`t.geom && tile.area`,
  ];
}

/**
 * The tile in Web Mercator, the area to read rows from (in the table's WGS 84, widened by the
 * margin so that the buffer is filled), and the affine factors of ST_AsMVTGeom: computed from
 * the same box2d with the same double arithmetic, so both paths snap to the same integers.
 */
function tileCte(q: TileQuery, marginUnits: number): RawBuilder<unknown> {
  const margin = marginUnits / TILE_EXTENT;
  return sql`tile as (
    select env,
      ST_Transform(ST_TileEnvelope(${q.z}::int, ${q.x}::int, ${q.y}::int, margin => ${margin}::float8), 4326) as area,
      ST_TileEnvelope(${q.z}::int, ${q.x}::int, ${q.y}::int, margin => ${margin}::float8) as menv,
      ${TILE_EXTENT}::float8 / (ST_XMax(env) - ST_XMin(env)) as fx,
      -(${TILE_EXTENT}::float8 / (ST_YMax(env) - ST_YMin(env))) as fy,
      ST_XMin(env) as xmin, ST_YMax(env) as ymax,
      ST_XMax(env) - ST_XMin(env) as width
    from (select ST_TileEnvelope(${q.z}::int, ${q.x}::int, ${q.y}::int) as env) e
  )`;
}

/**
 * The tile's geometry in Web Mercator: the kept geometry when the tile reads one, else the
 * layer's geometry (a point on the surface for a point layer of areas).
 */
function mercator(q: TileQuery): RawBuilder<unknown> {
  if (readsKept(q)) return sql`o.geom`;
  return q.layer.pointOnSurface
    ? sql`ST_Transform(ST_PointOnSurface(t.geom), 3857)`
    : sql`ST_Transform(t.geom, 3857)`;
}

/** Web Mercator geometry → tile units, snapped to the integer grid, collinear points dropped. */
const toTileUnits = (g: RawBuilder<unknown>) =>
  sql`ST_Simplify(ST_SnapToGrid(ST_Affine(${g}, tile.fx, 0, 0, tile.fy, -tile.xmin * tile.fx, -tile.ymax * tile.fy), 1), 0)`;
const pointToTileUnits = (g: RawBuilder<unknown>) =>
  sql`ST_SnapToGrid(ST_Affine(${g}, tile.fx, 0, 0, tile.fy, -tile.xmin * tile.fx, -tile.ymax * tile.fy), 1)`;

/** Only the records the map draws as points at the tile's zoom, for a layer that says which. */
function clusterAreaClauses(q: TileQuery): RawBuilder<unknown>[] {
  const below = q.layer.clusterBelowAreaM2?.(q.z);
  // A power of four: the division is exact, so this is the very test migration 031 makes.
  return below === undefined ? [] : [sql`t.area_m2 < ${below}::float8`];
}

/**
 * Points (findings, hazards' points) grouped into cells of CLUSTER_CELL tile units, aligned on
 * the world origin; each cell becomes one point at the mean position of its members. Rows are
 * read one cell beyond the tile on every side, so every cell that can reach into the buffer is
 * complete.
 */
function clusterCells(q: TileQuery): RawBuilder<unknown> {
  if (q.layer.clusterTable && isUnfiltered(q.filters)) {
    // The same cells, pre-aggregated: those of the tile and one more on every side.
    const perTile = TILE_EXTENT / CLUSTER_CELL;
    return sql`cells as (
      select c.n, c.sx / c.n as cx, c.sy / c.n as cy from ${sql.table(q.layer.clusterTable)} c
      where c.z = ${q.z}::int and c.n > 0
        and c.cx between ${q.x * perTile - 1}::int and ${(q.x + 1) * perTile}::int
        and c.cy between ${q.y * perTile - 1}::int and ${(q.y + 1) * perTile}::int
    )`;
  }
  return sql`cells as (
    select count(*)::int as n, avg(ST_X(p.g)) as cx, avg(ST_Y(p.g)) as cy
    from (
      select ${mercator(q)} as g from ${fromClause(q)}
      where ${sql.join([...whereClauses(q), ...clusterAreaClauses(q)], sql` and `)}
    ) p, tile
    group by floor((ST_X(p.g) + 20037508.342789244) / (tile.width * ${CLUSTER_CELL / TILE_EXTENT}::float8)),
             floor((20037508.342789244 - ST_Y(p.g)) / (tile.width * ${CLUSTER_CELL / TILE_EXTENT}::float8))
  )`;
}

/** PostgreSQL only: the tile encoded by PostGIS. Empty bytes when no feature falls in it. */
export async function mvtTile(db: Kysely<Schema>, q: TileQuery): Promise<Uint8Array> {
  const layerName = q.layer.name;
  let r: { rows: Array<{ mvt: Uint8Array | null }> };
  if (isClustered(q)) {
    r = await sql<{ mvt: Uint8Array | null }>`
      with ${tileCte(q, CLUSTER_CELL)}, ${clusterCells(q)}
      select ST_AsMVT(f, ${layerName}, ${TILE_EXTENT}, 'geom') as mvt from (
        select cells.n as "count", true as "cluster",
          ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(cells.cx, cells.cy), 3857), tile.env, ${TILE_EXTENT}, ${TILE_BUFFER}, true) as geom
        from cells, tile
      ) f where f.geom is not null`.execute(db);
  } else {
    const props = q.layer.properties.map((p) => sql`${propertyExpr(p)} as ${alias(p.name)}`);
    r = await sql<{ mvt: Uint8Array | null }>`
      with ${tileCte(q, TILE_BUFFER)}
      select ST_AsMVT(f, ${layerName}, ${TILE_EXTENT}, 'geom') as mvt from (
        select ${sql.join(props)},
          ST_AsMVTGeom(${mercator(q)}, tile.env, ${TILE_EXTENT}, ${TILE_BUFFER}, true) as geom
        from ${fromClause(q)}
        where ${sql.join(whereClauses(q), sql` and `)}
      ) f where f.geom is not null`.execute(db);
  }
  const mvt = r.rows[0]?.mvt;
  return mvt ? new Uint8Array(mvt.buffer, mvt.byteOffset, mvt.byteLength) : new Uint8Array(0);
}

/**
 * Both drivers: the rows of the tile with their geometry in tile units, unclipped (points
 * may lie outside the buffer, polygons may cross it); `src/io/mvt.ts` clips and encodes them.
 */
export async function tileFeatures(db: Kysely<Schema>, q: TileQuery): Promise<TileFeatureRow[]> {
  if (isClustered(q)) {
    const r = await sql<{ n: number; x: number; y: number }>`
      with ${tileCte(q, CLUSTER_CELL)}, ${clusterCells(q)}
      select cells.n as n, ST_X(p) as x, ST_Y(p) as y from cells, tile,
        lateral (select ${pointToTileUnits(sql`ST_SetSRID(ST_MakePoint(cells.cx, cells.cy), 3857)`)} as p) s`.execute(
      db,
    );
    return r.rows.map((row) => ({
      kind: 'point',
      x: row.x,
      y: row.y,
      properties: { count: row.n, cluster: true },
    }));
  }
  // The whole tile as one JSON value, an array per feature (its properties, then its geometry):
  // decoding thousands of rows one by one in the driver cost more than the statement (PGlite above
  // all); one text parsed once does not.
  const names = q.layer.properties.map((p) => p.name);
  const props = q.layer.properties.map(propertyExpr);
  const readProps = (values: unknown[]) => {
    const out: Row = {};
    names.forEach((n, i) => {
      const v = values[i];
      if (v !== null && v !== undefined) out[n] = v;
    });
    return out;
  };
  const features = async (geometry: RawBuilder<unknown>[], lateral?: RawBuilder<unknown>) => {
    const r = await sql<{ j: string | null }>`
      with ${tileCte(q, TILE_BUFFER)}
      select json_agg(json_build_array(${sql.join([...props, ...geometry])}))::text as j
      from ${fromClause(q)}${lateral ?? sql``}
      where ${sql.join(whereClauses(q), sql` and `)}`.execute(db);
    const j = r.rows[0]?.j;
    return j ? (JSON.parse(j) as unknown[][]) : [];
  };
  const n = names.length;
  if (q.layer.geometry === 'point') {
    const rows = await features(
      [sql`ST_X(s.p)`, sql`ST_Y(s.p)`],
      sql`, lateral (select ${pointToTileUnits(mercator(q))} as p) s`,
    );
    return rows.map((v) => ({
      kind: 'point',
      x: v[n] as number,
      y: v[n + 1] as number,
      properties: readProps(v),
    }));
  }
  // A tile of its band's own zoom reads the outline already on the grid (migration 032): the
  // same integers, moved by whole tiles.
  const geometry = onBandGrid(q)
    ? sql`ST_Translate(o.grid, ${-q.x * TILE_EXTENT}::float8, ${-q.y * TILE_EXTENT}::float8)`
    : toTileUnits(mercator(q));
  const rows = await features([sql`ST_AsGeoJSON(${geometry}, 0)::json`]);
  const out: TileFeatureRow[] = [];
  for (const v of rows) {
    const g = v[n] as TileGeometry | null;
    if (g) out.push({ kind: 'polygon', geometry: g, properties: readProps(v) });
  }
  return out;
}
