import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

/** Headline figures of the programme for the dashboard, for one calendar year. */
export async function summary(db: Kysely<Schema>, year: number) {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const open = await sql<{ areaM2: number; n: number }>`
    select coalesce(sum(coalesce(remaining_area_m2, area_m2)), 0)::float8 as area_m2, count(*)::int as n
    from hazards where archived_at is null and status <> 'closed'`.execute(db);
  const released = await sql<{ outcome: string; areaM2: number }>`
    select outcome, coalesce(sum(area_m2), 0)::float8 as area_m2 from land_release
    where archived_at is null and released_on between ${from}::date and ${to}::date group by outcome`.execute(
    db,
  );
  const findings = await sql<{ category: string; n: number }>`
    select category, coalesce(sum(quantity), 0)::int as n from findings
    where archived_at is null and found_on between ${from}::date and ${to}::date group by category`.execute(
    db,
  );
  const casualties = await sql<{ outcome: string; n: number }>`
    select c.outcome, count(*)::int as n from casualties c join accidents a on a.id = c.accident_id
    where c.archived_at is null and a.archived_at is null and a.occurred_on between ${from}::date and ${to}::date
    group by c.outcome`.execute(db);
  const releasedM2 = { cancelled: 0, reduced: 0, cleared: 0 } as Record<string, number>;
  for (const r of released.rows) releasedM2[r.outcome] = r.areaM2;
  const byOutcome = Object.fromEntries(casualties.rows.map((r) => [r.outcome, r.n]));
  return {
    year,
    openHazardAreaM2: open.rows[0]!.areaM2,
    openHazardCount: open.rows[0]!.n,
    releasedM2,
    findingsByCategory: Object.fromEntries(findings.rows.map((r) => [r.category, r.n])),
    casualtiesThisYear: {
      total: casualties.rows.reduce((s, r) => s + r.n, 0),
      killed: byOutcome.killed ?? 0,
      injured: byOutcome.injured ?? 0,
    },
  };
}
