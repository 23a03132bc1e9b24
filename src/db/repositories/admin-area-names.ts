import { type Kysely, sql } from 'kysely';
import type { RegisterDef } from '../../domain/records.ts';
import type { Schema } from '../connect.ts';

/**
 * The name of the admin area each record lies in: the lowest level (highest `level`) whose
 * boundary covers a point of the record (its point on surface, so a polygon across a boundary
 * takes the unit holding most of its interior's representative point). An admin area is not its
 * own: for those the answer is the lowest other area covering it. Records without a geometry, or
 * outside every area, are left out of the map.
 */
export async function adminAreaNames(
  db: Kysely<Schema>,
  def: RegisterDef,
  ids: string[],
): Promise<Map<string, string>> {
  if (!def.geometry || ids.length === 0) return new Map();
  const r = await sql<{ id: string; name: string | null }>`
    select t.id::text as id,
      (select a.name from admin_areas a
        where a.archived_at is null and a.id <> t.id and ST_Covers(a.geom, ST_PointOnSurface(t.geom))
        order by a.level desc, a.name limit 1) as name
    from ${sql.table(def.table)} t
    where t.id = any(${ids}::uuid[]) and t.geom is not null`.execute(db);
  return new Map(r.rows.flatMap((row) => (row.name ? [[row.id, row.name] as [string, string]] : [])));
}
