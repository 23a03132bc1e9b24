import { type Kysely, type RawBuilder, sql } from 'kysely';
import { DEVICE_CATEGORIES } from '../../domain/vocabularies.ts';
import type { Schema } from '../connect.ts';

/**
 * Synthetic national-scale data for benchmarks, generated inside the database by
 * `insert … select … from generate_series` (no rows cross the wire, so a million findings
 * take seconds on PostgreSQL rather than minutes).
 *
 * Deterministic: every "random" number is a hash of (seed, row number, salt), not random(),
 * so the same seed gives the same data on PGlite and PostgreSQL and a finding can be placed
 * near "its" hazard by recomputing that hazard's centre from its row number.
 *
 * The country is a 10° × 8° box (about Afghanistan's size, lon 61–71, lat 30–38). 70 % of
 * hazards lie around 40 hotspots (contamination follows old front lines), the rest anywhere;
 * three findings in four lie within their hazard, the rest anywhere.
 */

export const SYNTHETIC_REGION = { west: 61, south: 30, east: 71, north: 38 } as const;
const HOTSPOTS = 40;
const M_PER_DEG_LAT = 111_320;

/** Uniform number in [0, 1) from a row-number expression, a salt and the seed. */
function unit(index: RawBuilder<unknown>, salt: number, seed: number): RawBuilder<number> {
  return sql<number>`((hashint8((${index})::int8 * 1000003 + ${salt * 7919 + seed * 104729}::int8)::int8 & 2147483647)::float8 / 2147483648.0)`;
}

/** Centre (lon, lat) and radius (m) of hazard number `h`, as SQL expressions. */
function hazardShape(h: RawBuilder<unknown>, seed: number) {
  const { west, south, east, north } = SYNTHETIC_REGION;
  const spot = sql`floor(${unit(h, 7, seed)} * ${HOTSPOTS})`;
  const spotLon = sql`(${west} + ${east - west} * ${unit(spot, 101, seed)})`;
  const spotLat = sql`(${south + 0.5} + ${north - south - 1} * ${unit(spot, 102, seed)})`;
  const nearSpot = sql`${unit(h, 8, seed)} < 0.7`;
  const lon = sql<number>`(case when ${nearSpot} then ${spotLon} + (${unit(h, 5, seed)} + ${unit(h, 9, seed)} - 1) * 0.6
    else ${west} + ${east - west} * ${unit(h, 5, seed)} end)`;
  const lat = sql<number>`(case when ${nearSpot} then ${spotLat} + (${unit(h, 6, seed)} + ${unit(h, 10, seed)} - 1) * 0.45
    else ${south} + ${north - south} * ${unit(h, 6, seed)} end)`;
  // Most hazards are small (tens of metres), a few cover kilometres.
  const radiusM = sql<number>`(40 + 1500 * power(${unit(h, 3, seed)}, 4))`;
  return { lon, lat, radiusM };
}

export interface SyntheticCounts {
  hazards: number;
  findings: number;
}

/**
 * Inserts hazards number `from`..`to` (1-based): star-shaped octagons around their centres,
 * always simple polygons (angles increase, radii stay positive).
 */
export async function insertSyntheticHazards(
  db: Kysely<Schema>,
  from: number,
  to: number,
  seed: number,
): Promise<void> {
  const h = sql`i`;
  const { lon, lat, radiusM } = hazardShape(h, seed);
  const vertex = sql`ST_MakePoint(
      s.lon + s.r * (0.6 + 0.4 * ${unit(sql`i * 8 + (k % 8)`, 4, seed)}) * cos(radians(45 * (k % 8))) / (${M_PER_DEG_LAT} * cos(radians(s.lat))),
      s.lat + s.r * (0.6 + 0.4 * ${unit(sql`i * 8 + (k % 8)`, 4, seed)}) * sin(radians(45 * (k % 8))) / ${M_PER_DEG_LAT})`;
  await sql`
    insert into hazards (type, status, geom, date_of_information, description)
    select
      case when ${unit(h, 1, seed)} < 0.55 then 'SHA' else 'CHA' end,
      case when ${unit(h, 2, seed)} < 0.6 then 'open' when ${unit(h, 2, seed)} < 0.8 then 'in_progress' else 'closed' end,
      ST_Multi(ST_SetSRID(ST_MakePolygon(ST_MakeLine(array(
        select ${vertex} from generate_series(0, 8) k order by k))), 4326)),
      date '2005-01-01' + floor(${unit(h, 11, seed)} * 7300)::int,
      'synthetic'
    from generate_series(${from}::int, ${to}::int) i,
      lateral (select ${lon} as lon, ${lat} as lat, ${radiusM} as r) s`.execute(db);
}

/**
 * Inserts findings number `from`..`to`: finding j belongs to hazard 1 + (j mod hazards) and
 * lies within its radius three times in four, else anywhere in the country.
 */
export async function insertSyntheticFindings(
  db: Kysely<Schema>,
  from: number,
  to: number,
  hazards: number,
  seed: number,
): Promise<void> {
  const { west, south, east, north } = SYNTHETIC_REGION;
  const j = sql`j`;
  const { lon, lat, radiusM } = hazardShape(sql`(1 + (j % ${Math.max(1, hazards)}))`, seed);
  const near = sql`${unit(j, 12, seed)} < 0.75`;
  // other_erw is the most common find, cluster munitions and AP mines next.
  const category = sql`(array[${sql.join([...DEVICE_CATEGORIES])}])[1 + floor(power(${unit(j, 13, seed)}, 1.6) * ${DEVICE_CATEGORIES.length})::int]`;
  await sql`
    insert into findings (category, quantity, found_on, geom, marking)
    select ${category}, 1 + floor(power(${unit(j, 14, seed)}, 6) * 20)::int,
      date '2005-01-01' + floor(${unit(j, 15, seed)} * 7300)::int,
      ST_SetSRID(ST_MakePoint(
        case when ${near} then s.lon + s.r * (${unit(j, 16, seed)} - 0.5) * 1.2 / (${M_PER_DEG_LAT} * cos(radians(s.lat)))
          else ${west} + ${east - west} * ${unit(j, 16, seed)} end,
        case when ${near} then s.lat + s.r * (${unit(j, 17, seed)} - 0.5) * 1.2 / ${M_PER_DEG_LAT}
          else ${south} + ${north - south} * ${unit(j, 17, seed)} end), 4326),
      'synthetic'
    from generate_series(${from}::int, ${to}::int) j,
      lateral (select ${lon} as lon, ${lat} as lat, ${radiusM} as r) s`.execute(db);
}

/** Rows of each kind already present, so that a re-run continues the numbering. */
export async function syntheticCounts(db: Kysely<Schema>): Promise<SyntheticCounts> {
  const r = await sql<{ hazards: number; findings: number }>`
    select (select count(*)::int from hazards where description = 'synthetic') as hazards,
           (select count(*)::int from findings where marking = 'synthetic') as findings`.execute(db);
  return r.rows[0]!;
}

/** Refreshes the planner's statistics after a bulk load. */
export async function analyseSynthetic(db: Kysely<Schema>): Promise<void> {
  await sql`analyze hazards`.execute(db);
  await sql`analyze findings`.execute(db);
}

/** Centres of some synthetic hazards (WGS 84), to aim benchmark tiles where data is. */
export async function syntheticHazardCentres(
  db: Kysely<Schema>,
  count: number,
): Promise<Array<[number, number]>> {
  const r = await sql<{ lon: number; lat: number }>`
    select ST_X(c) as lon, ST_Y(c) as lat from (
      select ST_Centroid(geom) as c from hazards where description = 'synthetic' and archived_at is null
      order by code limit ${count}
    ) s`.execute(db);
  return r.rows.map((row) => [row.lon, row.lat]);
}
