import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

/**
 * Aggregates for the public: figures by admin area and year, and open hazards generalised to a
 * hexagon grid. Nothing here returns a record's own coordinates.
 */
export async function aggregatesByAdminArea(
  db: Kysely<Schema>,
  level: number,
  fromYear: number,
  toYear: number,
) {
  const from = `${fromYear}-01-01`;
  const to = `${toYear}-12-31`;
  const areas = await sql<{
    id: string;
    pcode: string;
    name: string;
    names: Record<string, string>;
    openHazards: number;
    remainingAreaM2: number;
  }>`
    select a.id, a.pcode, a.name, a.names,
      (select count(*)::int from hazards h where h.archived_at is null and h.status <> 'closed'
         and ST_Intersects(a.geom, ST_PointOnSurface(h.geom))) as open_hazards,
      (select coalesce(sum(coalesce(h.remaining_area_m2, h.area_m2)), 0)::float8 from hazards h
         where h.archived_at is null and h.status <> 'closed' and ST_Intersects(a.geom, ST_PointOnSurface(h.geom))) as remaining_area_m2
    from admin_areas a where a.level = ${level} and a.archived_at is null order by a.pcode`.execute(db);
  const released = await sql<{ areaId: string; year: number; outcome: string; areaM2: number }>`
    select a.id as area_id, extract(year from l.released_on)::int as year, l.outcome, sum(l.area_m2)::float8 as area_m2
    from land_release l join admin_areas a on a.level = ${level} and ST_Intersects(a.geom, ST_PointOnSurface(l.geom))
    where l.archived_at is null and l.released_on between ${from}::date and ${to}::date
    group by 1, 2, 3`.execute(db);
  const found = await sql<{ areaId: string; year: number; category: string; n: number }>`
    select a.id as area_id, extract(year from f.found_on)::int as year, f.category, sum(f.quantity)::int as n
    from findings f join admin_areas a on a.level = ${level} and ST_Intersects(a.geom, f.geom)
    where f.archived_at is null and f.found_on between ${from}::date and ${to}::date
    group by 1, 2, 3`.execute(db);
  const hurt = await sql<{ areaId: string; year: number; outcome: string; n: number }>`
    select a.id as area_id, extract(year from x.occurred_on)::int as year, c.outcome, count(*)::int as n
    from casualties c join accidents x on x.id = c.accident_id
      join admin_areas a on a.level = ${level} and ST_Intersects(a.geom, x.geom)
    where c.archived_at is null and x.archived_at is null and x.occurred_on between ${from}::date and ${to}::date
    group by 1, 2, 3`.execute(db);
  return { areas: areas.rows, released: released.rows, found: found.rows, hurt: hurt.rows };
}

/**
 * Open hazards counted on a hexagon grid (Web Mercator, `sizeM` from centre to vertex); each
 * hexagon carries the number of hazards whose remaining area touches it and their remaining
 * area within it, rounded to 1 000 m².
 */
export async function hazardHexagons(db: Kysely<Schema>, sizeM: number) {
  const r = await sql<{ geometry: string; hazards: number; remainingAreaM2: number }>`
    with open as (
      select id, ST_Transform(coalesce(remaining_geom, geom), 3857) as g from hazards
      where archived_at is null and status <> 'closed'
    ), extent as (select ST_Extent(g)::geometry as e from open),
    hex as (
      select h.geom from extent, ST_HexagonGrid(${sizeM}, ST_SetSRID(extent.e, 3857)) h where extent.e is not null
    )
    select ST_AsGeoJSON(ST_Transform(hex.geom, 4326), 5) as geometry, count(o.id)::int as hazards,
      round(sum(ST_Area(ST_Transform(ST_Intersection(o.g, hex.geom), 4326)::geography)) / 1000)::float8 * 1000 as remaining_area_m2
    from hex join open o on ST_Intersects(o.g, hex.geom)
    group by hex.geom`.execute(db);
  return r.rows.map((row) => ({ ...row, geometry: JSON.parse(row.geometry) }));
}
