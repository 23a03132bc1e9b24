import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

/** True when no register holds a record and no user exists (a new installation). */
export async function isDatabaseEmpty(db: Kysely<Schema>): Promise<boolean> {
  const r = await sql<{ n: number }>`
    select (select count(*) from users) + (select count(*) from hazards) + (select count(*) from admin_areas)
      + (select count(*) from accidents) + (select count(*) from findings) as n`.execute(db);
  return Number(r.rows[0]!.n) === 0;
}
