import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

/** Where the figures are taken: an admin area (records intersecting it) and an organisation. */
export interface StatsScope {
  adminAreaId?: string;
  organisationId?: string;
}

/** The latest year in which land was released, a device found or an accident happened. */
export async function latestYearWithData(db: Kysely<Schema>): Promise<number | null> {
  const r = await sql<{ year: number | null }>`
    select extract(year from greatest(
      (select max(released_on) from land_release where archived_at is null),
      (select max(found_on) from findings where archived_at is null),
      (select max(occurred_on) from accidents where archived_at is null)))::int as year`.execute(db);
  return r.rows[0]?.year ?? null;
}

/** Headline figures of the programme for the dashboard, for one calendar year and scope. */
export async function summary(db: Kysely<Schema>, year: number, scope: StatsScope = {}) {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const inArea = (geom: string) =>
    scope.adminAreaId
      ? sql`and exists (select 1 from admin_areas aa where aa.id = ${scope.adminAreaId}
          and ST_Intersects(aa.geom, ${sql.ref(geom)}))`
      : sql``;
  // Released land and findings belong to the organisation of the activity that produced them.
  const byActivity = (activity: string) =>
    scope.organisationId
      ? sql`and exists (select 1 from activities ac where ac.id = ${sql.ref(activity)}
          and ac.organisation_id = ${scope.organisationId})`
      : sql``;
  const open = await sql<{ status: string; areaM2: number; n: number }>`
    select status, coalesce(sum(coalesce(remaining_area_m2, area_m2)), 0)::float8 as area_m2, count(*)::int as n
    from hazards h where archived_at is null and status <> 'closed' ${inArea('h.geom')}
    ${scope.organisationId ? sql`and organisation_id = ${scope.organisationId}` : sql``}
    group by status`.execute(db);
  const released = await sql<{ outcome: string; areaM2: number }>`
    select outcome, coalesce(sum(area_m2), 0)::float8 as area_m2 from land_release l
    where archived_at is null and released_on between ${from}::date and ${to}::date
    ${inArea('l.geom')} ${byActivity('l.activity_id')} group by outcome`.execute(db);
  const findings = await sql<{ category: string; n: number }>`
    select category, coalesce(sum(quantity), 0)::int as n from findings f
    where archived_at is null and found_on between ${from}::date and ${to}::date
    ${inArea('f.geom')} ${byActivity('f.activity_id')} group by category`.execute(db);
  const casualties = await sql<{ outcome: string; n: number }>`
    select c.outcome, count(*)::int as n from casualties c join accidents a on a.id = c.accident_id
    where c.archived_at is null and a.archived_at is null and a.occurred_on between ${from}::date and ${to}::date
    ${inArea('a.geom')} group by c.outcome`.execute(db);
  const releasedM2 = { cancelled: 0, reduced: 0, cleared: 0 } as Record<string, number>;
  for (const r of released.rows) releasedM2[r.outcome] = r.areaM2;
  const byOutcome = Object.fromEntries(casualties.rows.map((r) => [r.outcome, r.n]));
  const openByStatus = { open: 0, in_progress: 0 } as Record<string, number>;
  for (const r of open.rows) openByStatus[r.status] = r.n;
  return {
    year,
    /** Hazards not closed: those open and those in progress (the list filters them by status). */
    openHazardAreaM2: open.rows.reduce((s, r) => s + r.areaM2, 0),
    openHazardCount: open.rows.reduce((s, r) => s + r.n, 0),
    openHazardsByStatus: openByStatus,
    releasedM2,
    findingsByCategory: Object.fromEntries(findings.rows.map((r) => [r.category, r.n])),
    casualtiesThisYear: {
      total: casualties.rows.reduce((s, r) => s + r.n, 0),
      killed: byOutcome.killed ?? 0,
      injured: byOutcome.injured ?? 0,
    },
  };
}
