import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

export interface AccreditationScopeRow {
  id: string;
  code: string;
  activityKinds: string[];
  validFrom: string;
  validTo: string | null;
  suspended: boolean;
  suspendedFrom: string | null;
  suspendedReason: string | null;
  /** Whether the place lies in one of its admin areas; null when it has none (national) or the place is unknown. */
  inArea: boolean | null;
}

/**
 * The accreditations of an organisation (not archived), each with whether a place lies in its
 * admin areas: the place is a GeoJSON geometry when given, else the hazard's polygon; it lies in
 * an area when it meets it (ST_Intersects: a hazard partly in the area is in scope).
 */
export async function accreditationsOf(
  db: Kysely<Schema>,
  organisationId: string,
  place: { geometry: string | null; hazardId: string | null },
): Promise<AccreditationScopeRow[]> {
  const r = await sql<AccreditationScopeRow>`
    with place as (
      select coalesce(
        ST_SetSRID(ST_GeomFromGeoJSON(${place.geometry}::text), 4326),
        (select h.geom from hazards h where h.id = ${place.hazardId}::uuid)
      ) as geom
    )
    select a.id, a.code, a.activity_kinds, a.valid_from::text as valid_from, a.valid_to::text as valid_to,
      a.suspended, a.suspended_from::text as suspended_from, a.suspended_reason,
      case when jsonb_array_length(a.admin_area_ids) = 0 or (select geom from place) is null then null
        else exists (
          select 1 from admin_areas aa
          where aa.id::text in (select jsonb_array_elements_text(a.admin_area_ids))
            and ST_Intersects(aa.geom, (select geom from place))
        ) end as in_area
    from accreditations a
    where a.organisation_id = ${organisationId}::uuid and a.archived_at is null
    order by a.valid_from desc, a.code`.execute(db);
  return r.rows;
}

/** An organisation's code for messages: its acronym, else its name. */
export async function organisationLabel(db: Kysely<Schema>, id: string): Promise<string | undefined> {
  const r = await sql<{ label: string }>`
    select coalesce(acronym, name) as label from organisations where id = ${id}::uuid`.execute(db);
  return r.rows[0]?.label;
}

/** Whether any accreditation is recorded (not archived): until one is, the programme does not check them. */
export async function anyAccreditation(db: Kysely<Schema>): Promise<boolean> {
  const r = await sql<{ any: boolean }>`
    select exists (select 1 from accreditations where archived_at is null) as any`.execute(db);
  return r.rows[0]?.any === true;
}
