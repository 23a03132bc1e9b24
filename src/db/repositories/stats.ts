import { type Kysely, type RawBuilder, sql } from 'kysely';
import {
  accidents,
  activities,
  casualties,
  findings,
  hazards,
  landRelease,
  ordnance,
  riskEducation,
} from '../../domain/records.ts';
import type { Schema } from '../connect.ts';
import { asAtSource } from './registers.ts';

/**
 * Where and when the figures are taken: an admin area (records intersecting it), an
 * organisation, and the date the registers are read as at (their present state when absent).
 */
export interface StatsScope {
  adminAreaId?: string;
  organisationId?: string;
  asAt?: string;
}

/** snake_case keys of a row given as JSON to the camelCase the queries' rows have. */
function camelKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o))
    out[k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
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

export interface Period {
  from: string;
  to: string;
}

/**
 * The figures of the dashboard for a period and scope. Every figure is the count or sum of the
 * records one register list returns with the same filters (status/outcome/category, from, to,
 * adminArea, organisation, asAt), so each can be opened as the records that make it.
 */
export async function summary(db: Kysely<Schema>, period: Period, scope: StatsScope = {}) {
  const { from, to } = period;
  const at = scope.asAt;
  // As at a date, each register is folded from its history once per summary: the registers
  // read by more than one of the figures are materialised CTEs of one statement (a read replica
  // takes no temporary table), the others are read in place. Today, each figure is its own query
  // on the tables.
  const table = (def: { table: string }) => sql.table(def.table);
  const shared = (name: string) => (at ? sql.ref(name) : undefined);
  const src = {
    hazards: shared('as_at_hazards') ?? table(hazards),
    landRelease: shared('as_at_land_release') ?? table(landRelease),
    findings: shared('as_at_findings') ?? table(findings),
    accidents: shared('as_at_accidents') ?? table(accidents),
    casualties: asAtSource(casualties, at),
    activities: shared('as_at_activities') ?? table(activities),
    riskEducation: shared('as_at_risk_education') ?? table(riskEducation),
    ordnance: asAtSource(ordnance, at),
  };
  const inArea = (geom: RawBuilder<unknown>) =>
    scope.adminAreaId
      ? sql`and ST_Intersects(${geom}, (select aa.geom from admin_areas aa where aa.id = ${scope.adminAreaId}))`
      : sql``;
  // Released land and findings belong to the organisation of the activity that produced them.
  const byActivity = (activity: RawBuilder<unknown>) =>
    scope.organisationId
      ? sql`and exists (select 1 from ${src.activities} ac where ac.id = ${activity}
          and ac.organisation_id = ${scope.organisationId})`
      : sql``;
  const ofOrganisation = (column: RawBuilder<unknown>) =>
    scope.organisationId ? sql`and ${column} = ${scope.organisationId}` : sql``;
  const inPeriod = (column: RawBuilder<unknown>) => sql`${column} between ${from}::date and ${to}::date`;

  // Remaining area: the stored figure today; as at a date, the hazard's area less the land
  // released from it by then (the stored figure is today's).
  // (The land released is summed once per hazard in one pass, not looked up hazard by hazard.)
  const remaining = at
    ? sql`greatest(h.area_m2 - coalesce(rl.m2, 0), 0)`
    : sql`coalesce(h.remaining_area_m2, h.area_m2)`;
  const releasedByHazard = at
    ? sql`left join (select l.hazard_id, sum(l.area_m2) as m2 from ${src.landRelease} l
        where l.archived_at is null group by l.hazard_id) rl on rl.hazard_id = h.id`
    : sql``;
  const hazardWhere = sql`h.archived_at is null ${inArea(sql`h.geom`)} ${ofOrganisation(sql`h.organisation_id`)}`;
  const releaseWhere = sql`l.archived_at is null and ${inPeriod(sql`l.released_on`)}
    ${inArea(sql`l.geom`)} ${byActivity(sql`l.activity_id`)}`;
  const findingWhere = sql`f.archived_at is null and ${inPeriod(sql`f.found_on`)}
    ${inArea(sql`f.geom`)} ${byActivity(sql`f.activity_id`)}`;
  const accidentWhere = sql`a.archived_at is null and ${inPeriod(sql`a.occurred_on`)} ${inArea(sql`a.geom`)}`;
  const sessionWhere = sql`s.archived_at is null and ${inPeriod(sql`s.held_on`)} ${inArea(sql`s.geom`)}
    ${ofOrganisation(sql`s.organisation_id`)}`;

  const queries = {
    open: sql`
    select h.status, coalesce(sum(${remaining}), 0)::float8 as area_m2, count(*)::int as n
    from ${src.hazards} h ${releasedByHazard} where ${hazardWhere} and h.status <> 'closed'
    group by h.status`,
    released: sql`
    select to_char(l.released_on, 'YYYY-MM') as month, l.outcome,
      coalesce(sum(l.area_m2), 0)::float8 as area_m2, count(*)::int as n
    from ${src.landRelease} l where ${releaseWhere}
    group by 1, 2 order by 1, 2`,
    // The hazardous area at the end of each month of the period, from what is known (as at): the
    // area of hazards recorded by then less the land released from them by then.
    trend: sql`
    with months as (
      select (date_trunc('month', m) + interval '1 month - 1 day')::date as month_end
      from generate_series(date_trunc('month', ${from}::date), ${to}::date, interval '1 month') m
    ),
    hz as (
      select h.id, h.area_m2, coalesce(h.date_of_information, h.created_at::date) as since
      from ${src.hazards} h where ${hazardWhere}
    ),
    rel as (
      select l.hazard_id, l.area_m2, l.released_on from ${src.landRelease} l
      where l.archived_at is null and l.hazard_id in (select id from hz)
    )
    select to_char(m.month_end, 'YYYY-MM') as month,
      greatest(coalesce((select sum(hz.area_m2) from hz where hz.since <= m.month_end), 0)
        - coalesce((select sum(rel.area_m2) from rel where rel.released_on <= m.month_end), 0), 0)::float8 as area_m2
    from months m order by m.month_end`,
    byCategory: sql`
    select f.category, coalesce(sum(coalesce(f.quantity, 1)), 0)::int as quantity, count(*)::int as n
    from ${src.findings} f where ${findingWhere} group by f.category order by 1`,
    // A catalogued model by its ordnance record (the list filters by it), else the model as reported.
    byModel: sql`
    select coalesce(o.model, nullif(f.model_text, '')) as model, o.id as ordnance_id, f.category,
      coalesce(sum(coalesce(f.quantity, 1)), 0)::int as quantity
    from ${src.findings} f left join ${src.ordnance} o on o.id = f.ordnance_id
    where ${findingWhere} group by 1, 2, 3 order by 4 desc, 1 limit 20`,
    accidentCount: sql`
    select count(*)::int as n from ${src.accidents} a where ${accidentWhere}`,
    casualtyRows: sql`
    select c.outcome, c.casualty_status as status, c.sex, coalesce(c.age_band, 'unknown') as age_band,
      count(*)::int as n
    from ${src.casualties} c where c.archived_at is null
      and c.accident_id in (select a.id from ${src.accidents} a where ${accidentWhere})
    group by 1, 2, 3, 4`,
    sessions: sql`
    select count(*)::int as n from ${src.riskEducation} s where ${sessionWhere}`,
    beneficiaries: sql`
    select bs.key as sex, ba.key as age_band, coalesce(sum((ba.value #>> '{}')::int), 0)::int as n
    from ${src.riskEducation} s
      cross join lateral jsonb_each(coalesce(s.beneficiaries, '{}'::jsonb)) bs
      cross join lateral jsonb_each(case when jsonb_typeof(bs.value) = 'object' then bs.value else '{}'::jsonb end) ba
    where ${sessionWhere} group by 1, 2 order by 1, 2`,
  };
  type Rows = {
    open: { status: string; areaM2: number; n: number };
    released: { month: string; outcome: string; areaM2: number; n: number };
    trend: { month: string; areaM2: number };
    byCategory: { category: string; quantity: number; n: number };
    byModel: { model: string | null; ordnanceId: string | null; category: string; quantity: number };
    accidentCount: { n: number };
    casualtyRows: { outcome: string; status: string; sex: string; ageBand: string; n: number };
    sessions: { n: number };
    beneficiaries: { sex: string; ageBand: string; n: number };
  };
  type Results = { [K in keyof Rows]: { rows: Rows[K][] } };
  let results: Results;
  if (at) {
    // Each shared register is materialised with only the rows its figures read.
    const shares: Array<[string, RawBuilder<unknown>]> = [
      ['as_at_hazards', sql`select h.* from ${asAtSource(hazards, at)} h where ${hazardWhere}`],
      [
        'as_at_land_release',
        sql`select l.* from ${asAtSource(landRelease, at)} l where l.archived_at is null`,
      ],
      [
        'as_at_findings',
        sql`select f.* from ${asAtSource(findings, at)} f where f.archived_at is null
        and ${inPeriod(sql`f.found_on`)}`,
      ],
      ['as_at_accidents', sql`select a.* from ${asAtSource(accidents, at)} a where ${accidentWhere}`],
      ['as_at_risk_education', sql`select s.* from ${asAtSource(riskEducation, at)} s where ${sessionWhere}`],
    ];
    if (scope.organisationId)
      shares.push(['as_at_activities', sql`select ac.* from ${asAtSource(activities, at)} ac`]);
    const names = Object.keys(queries) as Array<keyof Rows>;
    // Each figure's rows as one JSON array column (in the order its query gives them).
    const r = await sql<Record<string, unknown[]>>`
      with ${sql.join(shares.map(([name, body]) => sql`${sql.ref(name)} as materialized (${body})`))}
      select ${sql.join(
        names.map(
          (k) =>
            sql`(select coalesce(jsonb_agg(to_jsonb(q)), '[]'::jsonb) from (${queries[k]}) q) as ${sql.ref(k)}`,
        ),
      )}`.execute(db);
    const row = r.rows[0]!;
    results = Object.fromEntries(
      names.map((k) => [k, { rows: (row[k] ?? []).map((x) => camelKeys(x as Record<string, unknown>)) }]),
    ) as unknown as Results;
  } else {
    const out: Partial<Record<keyof Rows, { rows: unknown[] }>> = {};
    for (const [k, q] of Object.entries(queries)) out[k as keyof Rows] = await q.execute(db);
    results = out as Results;
  }
  const { open, released, trend, byCategory, byModel, accidentCount, casualtyRows, sessions, beneficiaries } =
    results;

  const releasedM2 = { cancelled: 0, reduced: 0, cleared: 0 } as Record<string, number>;
  const releasedCount = { cancelled: 0, reduced: 0, cleared: 0 } as Record<string, number>;
  for (const r of released.rows) {
    releasedM2[r.outcome] = (releasedM2[r.outcome] ?? 0) + r.areaM2;
    releasedCount[r.outcome] = (releasedCount[r.outcome] ?? 0) + r.n;
  }
  const openByStatus = { open: 0, in_progress: 0 } as Record<string, number>;
  const openAreaByStatus = { open: 0, in_progress: 0 } as Record<string, number>;
  for (const r of open.rows) {
    openByStatus[r.status] = r.n;
    openAreaByStatus[r.status] = r.areaM2;
  }
  const tally = (key: 'outcome' | 'status' | 'sex' | 'ageBand') => {
    const out: Record<string, number> = {};
    for (const r of casualtyRows.rows) out[r[key]] = (out[r[key]] ?? 0) + r.n;
    return out;
  };
  const casualtiesByOutcome = tally('outcome');
  const beneficiariesBySex: Record<string, number> = {};
  const beneficiariesByAgeBand: Record<string, number> = {};
  for (const r of beneficiaries.rows) {
    beneficiariesBySex[r.sex] = (beneficiariesBySex[r.sex] ?? 0) + r.n;
    beneficiariesByAgeBand[r.ageBand] = (beneficiariesByAgeBand[r.ageBand] ?? 0) + r.n;
  }
  return {
    from,
    to,
    /** Hazards not closed: those open and those in progress (the list filters them by status). */
    openHazardAreaM2: open.rows.reduce((s, r) => s + r.areaM2, 0),
    openHazardCount: open.rows.reduce((s, r) => s + r.n, 0),
    openHazardsByStatus: openByStatus,
    openHazardAreaByStatusM2: openAreaByStatus,
    hazardAreaTrend: trend.rows,
    releasedM2,
    releasedCount,
    releasedByMonth: released.rows,
    findingsByCategory: Object.fromEntries(byCategory.rows.map((r) => [r.category, r.quantity])),
    findingRecordsByCategory: Object.fromEntries(byCategory.rows.map((r) => [r.category, r.n])),
    findingsByModel: byModel.rows.map((r) => ({
      model: r.model,
      ordnanceId: r.ordnanceId,
      category: r.category,
      quantity: r.quantity,
    })),
    accidentCount: accidentCount.rows[0]!.n,
    casualtiesThisYear: {
      total: casualtyRows.rows.reduce((s, r) => s + r.n, 0),
      killed: casualtiesByOutcome.killed ?? 0,
      injured: casualtiesByOutcome.injured ?? 0,
    },
    casualties: {
      byOutcome: casualtiesByOutcome,
      byStatus: tally('status'),
      bySex: tally('sex'),
      byAgeBand: tally('ageBand'),
    },
    riskEducation: {
      sessions: sessions.rows[0]!.n,
      beneficiaries: beneficiaries.rows.reduce((s, r) => s + r.n, 0),
      beneficiariesBySex,
      beneficiariesByAgeBand,
    },
  };
}
