import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

/**
 * Statements of the minefield-records use cases beyond the generic register ones (those are in
 * registers.ts): the devices found in a record's hazard, to score the record against.
 */

export interface HazardFinding {
  lon: number;
  lat: number;
  /** Catalogue model when the finding names one, else the model as reported, else absent. */
  model?: string;
  quantity: number;
}

/**
 * The live (not archived) findings linked to a hazard, as WGS 84 points with their model and
 * quantity, in code order so that a score is reproducible.
 */
export async function findingsOfHazard(db: Kysely<Schema>, hazardId: string): Promise<HazardFinding[]> {
  const r = await sql<{ lon: number; lat: number; model: string | null; quantity: number }>`
    select ST_X(f.geom) as lon, ST_Y(f.geom) as lat, coalesce(o.model, f.model_text) as model, f.quantity
    from findings f left join ordnance_models o on o.id = f.ordnance_id
    where f.hazard_id = ${hazardId} and f.archived_at is null
    order by f.code`.execute(db);
  return r.rows.map((row) => ({
    lon: Number(row.lon),
    lat: Number(row.lat),
    ...(row.model ? { model: row.model } : {}),
    quantity: Number(row.quantity),
  }));
}
