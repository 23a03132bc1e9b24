import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

/**
 * Spatial checks behind the land-release rules and the duplicate warnings. Areas and
 * distances on the ellipsoid (geography), never in degrees.
 */

export interface LandReleaseFit {
  hazardCode: string;
  hazardAreaM2: number;
  hazardStatus: string;
  /** Area of the polygon outside the hazard grown by the tolerance, m². */
  outsideM2: number;
  /** Farthest point of the polygon from the hazard, m. */
  farthestOutsideM: number;
  areaM2: number;
  /** Land already released from the hazard by other live polygons, m². */
  otherReleasedM2: number;
}

export async function landReleaseFit(
  db: Kysely<Schema>,
  hazardId: string,
  geometry: unknown,
  toleranceM: number,
  excludeId: string | null,
): Promise<LandReleaseFit | undefined> {
  const g = sql`ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geometry)}), 4326))`;
  const res = await sql<LandReleaseFit>`
    with h as (select id, code, geom, area_m2, status from hazards where id = ${hazardId}), p as (select ${g} as geom)
    select h.code as hazard_code, h.area_m2 as hazard_area_m2, h.status as hazard_status,
      ST_Area(ST_Difference(p.geom, ST_Buffer(h.geom::geography, ${toleranceM})::geometry)::geography, true) as outside_m2,
      coalesce((select max(ST_Distance(d.geom::geography, h.geom::geography))
        from ST_DumpPoints(p.geom) d), 0) as farthest_outside_m,
      ST_Area(p.geom::geography, true) as area_m2,
      coalesce((select sum(l.area_m2) from land_release l where l.hazard_id = h.id and l.archived_at is null
        and (${excludeId}::uuid is null or l.id <> ${excludeId}::uuid)), 0)::float8 as other_released_m2
    from h, p`.execute(db);
  return res.rows[0];
}

/** Open hazards that a new hazard overlaps, with the share of the new hazard they cover. */
export async function overlappingOpenHazards(
  db: Kysely<Schema>,
  geometry: unknown,
  excludeId: string | null,
) {
  const g = sql`ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geometry)}), 4326))`;
  const res = await sql<{ id: string; code: string; overlapM2: number; share: number }>`
    with p as (select ${g} as geom)
    select h.id, h.code,
      ST_Area(ST_Intersection(h.geom, p.geom)::geography, true) as overlap_m2,
      ST_Area(ST_Intersection(h.geom, p.geom)::geography, true) / nullif(ST_Area(p.geom::geography, true), 0) as share
    from hazards h, p
    where h.archived_at is null and h.status <> 'closed' and ST_Intersects(h.geom, p.geom)
      and (${excludeId}::uuid is null or h.id <> ${excludeId}::uuid)`.execute(db);
  return res.rows;
}

/** Findings within `distanceM` and `days` of a point and date. */
export async function nearbyFindings(
  db: Kysely<Schema>,
  point: unknown,
  foundOn: string,
  distanceM: number,
  days: number,
  excludeId: string | null,
) {
  const g = sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(point)}), 4326)`;
  const res = await sql<{ id: string; code: string; distanceM: number; foundOn: string }>`
    select f.id, f.code, ST_Distance(f.geom::geography, ${g}::geography) as distance_m, f.found_on
    from findings f
    where f.archived_at is null and ST_DWithin(f.geom::geography, ${g}::geography, ${distanceM})
      and abs(f.found_on - ${foundOn}::date) <= ${days}
      and (${excludeId}::uuid is null or f.id <> ${excludeId}::uuid)
    order by distance_m limit 10`.execute(db);
  return res.rows;
}

/** How far a point lies from a hazard's outline in metres (0 inside), or undefined when there is no such hazard. */
export async function distanceFromHazard(
  db: Kysely<Schema>,
  point: unknown,
  hazardId: string,
): Promise<{ id: string; code: string; distanceM: number } | undefined> {
  const g = sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(point)}), 4326)`;
  const res = await sql<{ id: string; code: string; distanceM: number }>`
    select h.id, h.code, ST_Distance(h.geom::geography, ${g}::geography) as distance_m
    from hazards h where h.id = ${hazardId}::uuid and h.geom is not null`.execute(db);
  return res.rows[0];
}

/** Casualties of accidents on a date, with their (encrypted) names, for the same-person check. */
export async function casualtiesOnDate(db: Kysely<Schema>, occurredOn: string) {
  const res = await sql<{ id: string; code: string; identityName: string | null }>`
    select c.id, c.code, c.identity_name from casualties c join accidents a on a.id = c.accident_id
    where c.archived_at is null and a.occurred_on = ${occurredOn}::date and c.identity_name is not null`.execute(
    db,
  );
  return res.rows;
}

export async function accidentDate(db: Kysely<Schema>, accidentId: string): Promise<string | undefined> {
  const res = await sql<{
    occurredOn: string;
  }>`select occurred_on from accidents where id = ${accidentId}`.execute(db);
  return res.rows[0]?.occurredOn;
}

export async function hazardState(db: Kysely<Schema>, hazardId: string) {
  const res = await sql<{
    status: string;
    type: string;
    remainingAreaM2: number;
    releasedAreaM2: number;
    areaM2: number;
  }>`
    select status, type, remaining_area_m2, released_area_m2, area_m2 from hazards where id = ${hazardId}`.execute(
    db,
  );
  return res.rows[0];
}

/** Tells the database triggers that this transaction re-opens a hazard on an approved report's reason. */
export async function setReopenReason(db: Kysely<Schema>, reason: string): Promise<void> {
  await sql`select set_config('safeground.reopen_reason', ${reason}, true)`.execute(db);
}
