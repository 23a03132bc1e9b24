import { type Kysely, type RawBuilder, sql } from 'kysely';
import { type Schema, withTransaction } from '../connect.ts';

/**
 * The set-based reads behind readiness, priorities and effort, over whole registers at once, and
 * the versioned planning settings. Distances are on the ellipsoid (geography), areas in m².
 *
 * As at a date (`asAt`), a record's state is read from its approved history (record_changes,
 * folded in date-of-information order): a hazard exists if created on or before the date and
 * not archived by then (a settlement, reference data, unless archived by then); status, blocked land use, population and households are the latest values
 * its changes gave on or before the date; a hazard's remaining area is its area less the land
 * released on or before the date, and it is closed when less than 1 m² remains. Geometry is the
 * current one (a hazard's whole polygon, since its remaining polygon at a past date is not kept).
 * Without `asAt` the current columns are read as they are.
 */

export type SettingsKind = 'readiness_rules' | 'priority_weights';

export interface SettingsVersion {
  kind: SettingsKind;
  version: number;
  settings: unknown;
  note: string | null;
  createdAt: string;
  createdBy: string | null;
}

const settingsColumns = sql`kind, version, settings, note, created_at, created_by`;

/**
 * One version of a kind of settings: the given version, or else the latest created on or before
 * the end of `inForceOn` (a date), or else the latest.
 */
export async function settingsVersion(
  db: Kysely<Schema>,
  kind: SettingsKind,
  opts: { version?: number; inForceOn?: string } = {},
): Promise<SettingsVersion | undefined> {
  const where = [sql`kind = ${kind}`];
  if (opts.version !== undefined) where.push(sql`version = ${opts.version}`);
  else if (opts.inForceOn !== undefined)
    where.push(sql`created_at < (${opts.inForceOn}::date + 1)::timestamp at time zone 'UTC'`);
  const r = await sql<SettingsVersion>`select ${settingsColumns} from planning_settings
    where ${sql.join(where, sql` and `)} order by version desc limit 1`.execute(db);
  return r.rows[0];
}

export async function settingsVersions(db: Kysely<Schema>, kind: SettingsKind): Promise<SettingsVersion[]> {
  const r = await sql<SettingsVersion>`select ${settingsColumns} from planning_settings
    where kind = ${kind} order by version desc`.execute(db);
  return r.rows;
}

/** Adds the next version if the latest is `expectedVersion`; undefined when another came first. */
export async function insertSettingsVersion(
  db: Kysely<Schema>,
  kind: SettingsKind,
  expectedVersion: number,
  settings: unknown,
  note: string | null,
  actorId: string | null,
): Promise<SettingsVersion | undefined> {
  const r = await sql<SettingsVersion>`
    insert into planning_settings (kind, version, settings, note, created_by)
    select ${kind}, ${expectedVersion + 1}, ${JSON.stringify(settings)}::jsonb, ${note}, ${actorId}
    where (select max(version) from planning_settings where kind = ${kind}) = ${expectedVersion}
    on conflict do nothing
    returning ${settingsColumns}`.execute(db);
  return r.rows[0];
}

export interface NationalPriorityRow {
  id: string;
  hazardId: string;
  level: number;
  effectiveFrom: string;
  reason: string | null;
  createdAt: string;
  createdBy: string | null;
}

export async function insertNationalPriority(
  db: Kysely<Schema>,
  p: {
    hazardId: string;
    level: number;
    effectiveFrom: string;
    reason: string | null;
    actorId: string | null;
  },
): Promise<NationalPriorityRow> {
  const r = await sql<NationalPriorityRow>`
    insert into national_priorities (hazard_id, level, effective_from, reason, created_by)
    values (${p.hazardId}, ${p.level}, ${p.effectiveFrom}, ${p.reason}, ${p.actorId})
    returning id, hazard_id, level, effective_from::text as effective_from, reason, created_at, created_by`.execute(
    db,
  );
  return r.rows[0]!;
}

export async function nationalPriorities(
  db: Kysely<Schema>,
  hazardId: string,
): Promise<NationalPriorityRow[]> {
  const r = await sql<NationalPriorityRow>`
    select id, hazard_id, level, effective_from::text as effective_from, reason, created_at, created_by
    from national_priorities where hazard_id = ${hazardId} order by effective_from desc, created_at desc`.execute(
    db,
  );
  return r.rows;
}

export async function hazardExists(db: Kysely<Schema>, hazardId: string): Promise<boolean> {
  const r = await sql`select 1 from hazards where id = ${hazardId}`.execute(db);
  return r.rows.length > 0;
}

// ---- the state of records as at a date ----

/** The latest value of `field` in the approved changes of a record on or before the date (jsonb). */
function fieldAsAt(entity: string, id: RawBuilder<unknown>, field: string, asAt: string) {
  return sql`(select c.patch->${field} from record_changes c
    where c.entity = ${entity} and c.record_id = ${id} and c.date_of_information <= ${asAt}::date and c.patch ? ${field}
    order by c.date_of_information desc, c.seq desc limit 1)`;
}

/** Whether a record existed (created, not archived) on the date; a record without history by its creation. */
function existedOn(entity: string, alias: string, asAt: string) {
  const id = sql.ref(`${alias}.id`);
  return sql`(case when exists (select 1 from record_changes c where c.entity = ${entity} and c.record_id = ${id})
      then exists (select 1 from record_changes c where c.entity = ${entity} and c.record_id = ${id}
          and c.op in ('create', 'baseline') and c.date_of_information <= ${asAt}::date)
        and not exists (select 1 from record_changes c where c.entity = ${entity} and c.record_id = ${id}
          and c.op = 'archive' and c.date_of_information <= ${asAt}::date)
      else ${sql.ref(`${alias}.created_at`)}::date <= ${asAt}::date and ${sql.ref(`${alias}.archived_at`)} is null end)`;
}

/** Hazards as at the date: id, code, name, type, status, remaining_m2, blocked (jsonb), open. */
function hazardState(asAt: string | undefined) {
  if (!asAt) {
    return sql`select h.id, h.code, h.name, h.type, h.status, coalesce(h.remaining_area_m2, h.area_m2) as remaining_m2,
        h.blocked_land_use as blocked,
        (h.status in ('open', 'in_progress') and coalesce(h.remaining_area_m2, h.area_m2) >= 1) as open
      from hazards h where h.archived_at is null`;
  }
  const id = sql.ref('h.id');
  return sql`select x.id, x.code, x.name, x.type,
        case when x.remaining_m2 < 1 then 'closed' else x.status end as status, x.remaining_m2, x.blocked,
        (x.status in ('open', 'in_progress') and x.remaining_m2 >= 1) as open
      from (
        select h.id, h.code, h.name, h.type,
          coalesce(${fieldAsAt('hazard', id, 'status', asAt)} #>> '{}', 'open') as status,
          coalesce(${fieldAsAt('hazard', id, 'blockedLandUse', asAt)}, '[]'::jsonb) as blocked,
          greatest(0, h.area_m2 - coalesce((select sum(lr.area_m2) from land_release lr
            where lr.hazard_id = h.id and lr.archived_at is null
              and coalesce(lr.released_on, lr.created_at::date) <= ${asAt}::date), 0)) as remaining_m2
        from hazards h where ${existedOn('hazard', 'h', asAt)}
        offset 0 -- each value once per hazard, not once per use above
      ) x`;
}

/**
 * Settlements as at the date: id, name, pcode, population, households, displaced, returned. The
 * gazetteer is reference data, not a dated fact: a settlement counts unless archived by the date,
 * and its figures are the latest its changes gave on or before the date, else its first ones.
 */
function settlementState(asAt: string | undefined, settlementId?: string) {
  const only = settlementId ? sql`and s.id = ${settlementId}` : sql``;
  if (!asAt) {
    return sql`select s.id, s.name, s.pcode, s.kind, s.population, s.households,
        s.displaced_households as displaced, s.returned_households as returned
      from settlements s where s.archived_at is null ${only}`;
  }
  const id = sql.ref('s.id');
  const int = (
    field: string,
    column: string,
  ) => sql`coalesce((${fieldAsAt('settlement', id, field, asAt)} #>> '{}')::int,
      (select (c.patch->>${field})::int from record_changes c where c.entity = 'settlement' and c.record_id = s.id
        and c.op in ('create', 'baseline') order by c.seq limit 1),
      case when not exists (select 1 from record_changes c where c.entity = 'settlement' and c.record_id = s.id)
        then ${sql.ref(`s.${column}`)} end)`;
  return sql`select s.id, s.name, s.pcode, s.kind, ${int('population', 'population')} as population,
      ${int('households', 'households')} as households, ${int('displacedHouseholds', 'displaced_households')} as displaced,
      ${int('returnedHouseholds', 'returned_households')} as returned
    from settlements s
    where not exists (select 1 from record_changes c where c.entity = 'settlement' and c.record_id = s.id
        and c.op = 'archive' and c.date_of_information <= ${asAt}::date)
      and (s.archived_at is null or exists (select 1 from record_changes c where c.entity = 'settlement'
        and c.record_id = s.id and c.op = 'archive'))
      ${only}`;
}

/**
 * Runs a national-scale read in a transaction (the caller's, if `db` is one) with PostgreSQL's
 * JIT compilation off for the rest of it. PostGIS gives its distance functions a high cost, so
 * these plans cross `jit_above_cost` and the server spent seconds compiling them for a query that
 * runs in a fraction of that (docs/benchmarks.md, "Readiness and priorities"). The embedded
 * database has no JIT; the setting is accepted and changes nothing there.
 */
function withoutJit<T>(db: Kysely<Schema>, work: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
  return withTransaction(db, async (trx) => {
    await sql`set local jit = off`.execute(trx);
    return work(trx);
  });
}

/**
 * A box around `geom` (SRID 4326) holding every point within `metres` of it on the ellipsoid: a
 * prefilter for the GiST index on geometry, before the exact distance on geography. Latitude is
 * widened by `metres` over 110 000 m a degree (a degree of latitude is never shorter than
 * 110 574 m), longitude by `metres` over 111 000 m × cos(latitude) (a degree of longitude is never
 * shorter than 111 319 m × cos(latitude)), taken at the latitude farthest from the equator the
 * box reaches, so the box is never too small at any latitude (up to ±89°).
 */
function reach(geom: RawBuilder<unknown>, metres: number) {
  const dLat = metres / 110_000;
  return sql`ST_Expand(${geom}, ${metres} / (111000.0 * cos(radians(least(89.0,
      greatest(abs(ST_YMin(${geom}::box3d)), abs(ST_YMax(${geom}::box3d))) + ${dLat}::float8)))), ${dLat}::float8)`;
}

export interface SettlementFactsRow {
  id: string;
  name: string;
  pcode: string | null;
  kind: string;
  population: number | null;
  households: number | null;
  displaced: number | null;
  returned: number | null;
  lon: number;
  lat: number;
  hazards: Array<{
    id: string;
    code: string;
    type: string;
    status: string;
    distanceM: number;
    remainingAreaM2: number;
    blockedLandUse: string[];
  }> | null;
  accidents: Array<{
    id: string;
    code: string;
    occurredOn: string;
    distanceM: number;
    casualties: number;
  }> | null;
  riskEducation: Array<{ id: string; code: string; heldOn: string; beneficiaries: number }> | null;
}

/**
 * The settlements as at the date with their point, once (SQL, the body of a CTE over `st`): `id`,
 * `geom` (for the index boxes), `g` (the point as geography, for the distances), population and
 * displaced households.
 */
const settlementPoints = sql`select st.id, st.population, st.displaced, s.geom, s.geom::geography as g
  from st join settlements s on s.id = st.id`;

/**
 * The settlement–hazard pairs within `metres` (SQL, the body of a CTE): each settlement of `sp`
 * (`settlementPoints`) and each hazard whose polygon — its remaining polygon now, its whole
 * polygon as at a date — lies within `metres` of it on the ellipsoid, with that distance
 * (`distance_m`) and the settlement's population and displaced households. One index probe per
 * settlement (the hazards' GiST on geometry, through `reach`), the exact `ST_DWithin` on
 * geography, and `ST_Distance` only for the pairs kept. Hazards of every status: the caller keeps
 * the open ones. Readiness and priorities find their pairs with this one rule.
 */
function settlementHazardPairs(metres: number, asAt: string | undefined, hazardId?: string) {
  const hazardGeom = asAt ? sql`h.geom` : sql`coalesce(h.remaining_geom, h.geom)`;
  const only = hazardId ? sql`and h.id = ${hazardId}` : sql``;
  return sql`select p.settlement_id, p.population, p.displaced, p.hazard_id, ST_Distance(p.sg, p.hg) as distance_m
    from (
      select sp.id as settlement_id, sp.population, sp.displaced, h.id as hazard_id, sp.g as sg,
        ${hazardGeom}::geography as hg
      from sp join hazards h on h.geom && ${reach(sql`sp.geom`, metres)} ${only}
      offset 0
    ) p
    where ST_DWithin(p.sg, p.hg, ${metres})`;
}

/**
 * Per settlement: the open hazards within `hazardReachM` (distance to the remaining polygon; as at
 * a date, to the whole polygon), the accidents within `accidentReachM` on or before the date, and
 * the risk education sessions held for it or within `riskEducationReachM` on or before the date.
 *
 * Set-based: each kind of pair (settlement–hazard, settlement–accident, settlement–session) is
 * found once with one index probe per settlement, then grouped by settlement; no per-settlement
 * subquery reads a whole common table (docs/benchmarks.md, "Readiness and priorities").
 */
export async function settlementFacts(
  db: Kysely<Schema>,
  q: {
    asAt?: string;
    asAtDate: string;
    hazardReachM: number;
    accidentReachM: number;
    riskEducationReachM: number;
    settlementId?: string;
  },
): Promise<SettlementFactsRow[]> {
  const r = await withoutJit(db, (trx) =>
    sql<SettlementFactsRow>`
    with hz as materialized (${hazardState(q.asAt)}),
    st as materialized (${settlementState(q.asAt, q.settlementId)}),
    sp as materialized (${settlementPoints}),
    near as materialized (${settlementHazardPairs(q.hazardReachM, q.asAt)}),
    hz_near as (
      select n.settlement_id, json_agg(json_build_object('id', hz.id, 'code', hz.code, 'type', hz.type,
          'status', hz.status, 'distanceM', round(n.distance_m::numeric, 1),
          'remainingAreaM2', round(hz.remaining_m2::numeric, 1), 'blockedLandUse', hz.blocked)
          order by n.distance_m, hz.code) as hazards
      from near n join hz on hz.id = n.hazard_id
      where hz.open
      group by n.settlement_id
    ),
    acc_pairs as materialized (
      select p.settlement_id, p.id, ST_Distance(p.sg, p.ag) as distance_m
      from (
        select sp.id as settlement_id, a.id, sp.g as sg, a.geom::geography as ag
        from sp join accidents a on a.geom && ${reach(sql`sp.geom`, q.accidentReachM)}
        where a.archived_at is null and a.occurred_on <= ${q.asAtDate}::date
        offset 0
      ) p
      where ST_DWithin(p.sg, p.ag, ${q.accidentReachM})
    ),
    casualties_of as (
      select c.accident_id, count(*) as n from casualties c
      where c.archived_at is null and c.accident_id in (select id from acc_pairs)
      group by c.accident_id
    ),
    acc_near as (
      select p.settlement_id, json_agg(json_build_object('id', a.id, 'code', a.code,
          'occurredOn', a.occurred_on::text, 'distanceM', round(p.distance_m::numeric, 1),
          'casualties', coalesce(k.n, 0)) order by a.occurred_on desc, a.code) as accidents
      from acc_pairs p join accidents a on a.id = p.id
      left join casualties_of k on k.accident_id = a.id
      group by p.settlement_id
    ),
    -- Sessions held for the settlement and sessions nearby are found apart: an OR of both would
    -- defeat the spatial index.
    re_pairs as (
      select st.id as settlement_id, e.id
      from st join risk_education_sessions e on e.settlement_id = st.id
      where e.archived_at is null and e.held_on <= ${q.asAtDate}::date
      union
      select sp.id as settlement_id, e.id
      from sp join risk_education_sessions e on e.geom && ${reach(sql`sp.geom`, q.riskEducationReachM)}
      where e.archived_at is null and e.held_on <= ${q.asAtDate}::date
        and ST_DWithin(sp.g, e.geom::geography, ${q.riskEducationReachM})
    ),
    re_near as (
      select p.settlement_id, json_agg(json_build_object('id', e.id, 'code', e.code, 'heldOn', e.held_on::text,
          'beneficiaries', e.beneficiaries_total) order by e.held_on desc, e.code) as risk_education
      from re_pairs p join risk_education_sessions e on e.id = p.id
      group by p.settlement_id
    )
    select st.*, ST_X(s.geom) as lon, ST_Y(s.geom) as lat,
      hz_near.hazards, acc_near.accidents, re_near.risk_education
    from st join settlements s on s.id = st.id
    left join hz_near on hz_near.settlement_id = st.id
    left join acc_near on acc_near.settlement_id = st.id
    left join re_near on re_near.settlement_id = st.id
    order by st.name, st.id`.execute(trx),
  );
  return r.rows;
}

export interface HazardFactsRow {
  id: string;
  code: string;
  name: string | null;
  status: string;
  remainingM2: number;
  blocked: string[];
  nationalPriority: number;
  population: number;
  displaced: number;
  nearestSettlementM: number | null;
  settlements: number;
  accidents: number;
  lastAccidentOn: string | null;
  method: string | null;
}

/**
 * Per open hazard as at the date: its national priority in force, the settlements within
 * `settlementReachM` (population, displaced households, nearest distance), the accidents within
 * `accidentReachM` or linked to it in the `accidentYears` before the date, and the method of its
 * latest activity started by then (for its productivity).
 *
 * Set-based as `settlementFacts`: the settlement–hazard pairs are found by the same rule (one
 * index probe per settlement), the nearby accidents by one probe per accident of the period.
 */
export async function hazardFacts(
  db: Kysely<Schema>,
  q: {
    asAt?: string;
    asAtDate: string;
    settlementReachM: number;
    accidentReachM: number;
    accidentYears: number;
    hazardId?: string;
  },
): Promise<HazardFactsRow[]> {
  const hazardGeom = q.asAt ? sql`h.geom` : sql`coalesce(h.remaining_geom, h.geom)`;
  const only = q.hazardId ? sql`and hz.id = ${q.hazardId}` : sql``;
  const onlyHazard = q.hazardId ? sql`and h.id = ${q.hazardId}` : sql``;
  const since = sql`(${q.asAtDate}::date - make_interval(days => ${Math.round(q.accidentYears * 365.25)}))::date`;
  const r = await withoutJit(db, (trx) =>
    sql<HazardFactsRow>`
    with hz as materialized (${hazardState(q.asAt)}),
    st as materialized (${settlementState(q.asAt)}),
    open as materialized (select hz.* from hz where hz.open ${only}),
    np as (
      select distinct on (p.hazard_id) p.hazard_id, p.level from national_priorities p
      where p.effective_from <= ${q.asAtDate}::date
      order by p.hazard_id, p.effective_from desc, p.created_at desc
    ),
    sp as materialized (${settlementPoints}),
    pairs as materialized (${settlementHazardPairs(q.settlementReachM, q.asAt, q.hazardId)}),
    near as (
      select p.hazard_id, coalesce(sum(p.population), 0)::int as population,
        coalesce(sum(p.displaced), 0)::int as displaced, min(p.distance_m) as nearest_m,
        count(*)::int as settlements
      from pairs p
      group by p.hazard_id
    ),
    -- Linked and nearby accidents are read apart: an OR of both would defeat the spatial index.
    acc_pairs as (
      select a.hazard_id, a.id, a.occurred_on
      from accidents a
      where a.hazard_id is not null ${q.hazardId ? sql`and a.hazard_id = ${q.hazardId}` : sql``}
        and a.archived_at is null and a.occurred_on <= ${q.asAtDate}::date and a.occurred_on > ${since}
      union
      select h.id as hazard_id, a.id, a.occurred_on
      from accidents a join hazards h on h.geom && ${reach(sql`a.geom`, q.accidentReachM)} ${onlyHazard}
      where a.archived_at is null and a.occurred_on <= ${q.asAtDate}::date and a.occurred_on > ${since}
        and ST_DWithin(a.geom::geography, ${hazardGeom}::geography, ${q.accidentReachM})
    ),
    acc as (
      select hazard_id, count(distinct id)::int as accidents, max(occurred_on)::text as last_on
      from acc_pairs group by hazard_id
    )
    select o.id, o.code, o.name, o.status, o.remaining_m2, o.blocked,
      coalesce(np.level, 0) as national_priority,
      coalesce(near.population, 0) as population, coalesce(near.displaced, 0) as displaced,
      near.nearest_m as nearest_settlement_m, coalesce(near.settlements, 0) as settlements,
      coalesce(acc.accidents, 0) as accidents, acc.last_on as last_accident_on,
      (select coalesce(t.kind, a.method) from activities a left join teams t on t.id = a.team_id
       where a.hazard_id = o.id and a.archived_at is null
         and a.method not in ('survey', 'not_applicable') and coalesce(a.start_date, a.created_at::date) <= ${q.asAtDate}::date
       order by a.start_date desc nulls last, a.code desc limit 1) as method
    from open o
    left join np on np.hazard_id = o.id
    left join near on near.hazard_id = o.id
    left join acc on acc.hazard_id = o.id
    order by o.code`.execute(trx),
  );
  return r.rows;
}

/**
 * A hazard's terrain (text, or null when not recorded) as at the date: the latest value its
 * approved changes gave on or before the date (by date of information, as its status); a hazard
 * without history, its present value. Without `asAt`, its present value.
 */
function terrainOf(hazardId: RawBuilder<unknown>, asAt: string | undefined) {
  if (!asAt) return sql`(select th.terrain from hazards th where th.id = ${hazardId})`;
  return sql`coalesce(${fieldAsAt('hazard', hazardId, 'terrain', asAt)} #>> '{}',
    case when not exists (select 1 from record_changes c where c.entity = 'hazard' and c.record_id = ${hazardId})
      then (select th.terrain from hazards th where th.id = ${hazardId}) end)`;
}

/** The terrain of hazards as at the date (or now), by id; hazards without one are left out. */
export async function hazardTerrains(
  db: Kysely<Schema>,
  hazardIds: string[],
  asAt: string | undefined,
): Promise<Map<string, string>> {
  if (!hazardIds.length) return new Map();
  const r = await sql<{ id: string; terrain: string | null }>`
    select h.id, ${terrainOf(sql.ref('h.id'), asAt)} as terrain
    from hazards h where h.id = any(${hazardIds}::uuid[])`.execute(db);
  return new Map(r.rows.filter((x) => x.terrain !== null).map((x) => [x.id, x.terrain!]));
}

export interface ProductivitySample {
  method: string;
  /** Terrain of the activity's hazard as at the date; null when not recorded or no hazard. */
  terrain: string | null;
  m2PerTeamDay: number;
}

/**
 * One productivity sample per completed survey or clearance activity ended on or before the date
 * with land reduced or cleared: that area over its team-days (teams × (end − start + 1); an
 * activity that records no number of teams used one). Its group (`method`) is the kind of the
 * team it names (`manual`, `mechanical`, `mdd` … — the first three are also method codes, so a
 * manual team and the manual method are one group), else its method; its `terrain` is its
 * hazard's as at `asAt` (now without one).
 */
export async function productivitySamples(
  db: Kysely<Schema>,
  asAtDate: string,
  asAt?: string,
): Promise<ProductivitySample[]> {
  const r = await sql<ProductivitySample>`
    select s.method, case when s.hazard_id is null then null else ${terrainOf(sql.ref('s.hazard_id'), asAt)} end as terrain,
      s.m2_per_team_day
    from (
      select coalesce(t.kind, a.method) as method, a.hazard_id,
        sum(lr.area_m2) / (coalesce(a.teams, 1) * ((a.end_date - a.start_date) + 1)) as m2_per_team_day
      from activities a
      left join teams t on t.id = a.team_id
      join land_release lr on lr.activity_id = a.id and lr.archived_at is null and lr.outcome in ('reduced', 'cleared')
      where a.archived_at is null and a.status = 'completed' and a.start_date is not null and a.end_date is not null
        and a.end_date <= ${asAtDate}::date and a.kind in ('TS', 'clearance', 'BAC', 'road_clearance')
      group by a.id, t.kind, a.method, a.hazard_id, a.teams, a.start_date, a.end_date
    ) s`.execute(db);
  return r.rows.map((x) => ({ method: x.method, terrain: x.terrain, m2PerTeamDay: Number(x.m2PerTeamDay) }));
}

// ---- task orders ----

export interface TaskOrderStateRow {
  id: string;
  code: string;
  state: string;
  version: number;
  organisationId: string;
  hazardIds: string[];
}

/** The state of task orders by id (no lock). */
export async function taskOrderStates(db: Kysely<Schema>, ids: string[]): Promise<TaskOrderStateRow[]> {
  if (!ids.length) return [];
  const r = await sql<TaskOrderStateRow>`
    select t.id, t.code, t.state, t.version, t.organisation_id, t.hazard_ids
    from task_orders t where t.id = any(${ids}::uuid[]) and t.archived_at is null`.execute(db);
  return r.rows;
}

/** Moves a task order to `state` (a rule of its register, not a client's write); the version goes up. */
export async function setTaskOrderState(
  db: Kysely<Schema>,
  id: string,
  state: string,
  actorId: string | null,
): Promise<void> {
  await sql`update task_orders set state = ${state}, version = version + 1, updated_by = ${actorId}
    where id = ${id}`.execute(db);
}

/**
 * The task orders naming this hazard, not yet completed or cancelled, whose every hazard is
 * closed or has less than 1 m² left (archived hazards do not hold an order open).
 */
export async function taskOrdersDone(
  db: Kysely<Schema>,
  hazardId: string,
): Promise<Array<{ id: string; code: string; state: string }>> {
  const r = await sql<{ id: string; code: string; state: string }>`
    select t.id, t.code, t.state from task_orders t
    where t.archived_at is null and t.state in ('issued', 'started', 'suspended')
      and t.hazard_ids @> ${JSON.stringify([hazardId])}::jsonb
      and not exists (
        select 1 from jsonb_array_elements_text(t.hazard_ids) e(id)
        join hazards h on h.id = e.id::uuid
        where h.archived_at is null and h.status <> 'closed' and coalesce(h.remaining_area_m2, h.area_m2) >= 1)`.execute(
    db,
  );
  return r.rows;
}

export interface TaskOrderHazardRow {
  taskOrderId: string;
  hazardId: string;
  code: string;
  status: string;
  areaM2: number;
  remainingM2: number;
}

/** The hazards of task orders as at the date (or now): area, remaining area and status. */
export async function taskOrderHazards(
  db: Kysely<Schema>,
  taskOrderIds: string[],
  asAt: string | undefined,
): Promise<TaskOrderHazardRow[]> {
  if (!taskOrderIds.length) return [];
  const r = await sql<TaskOrderHazardRow>`
    with hz as (${hazardState(asAt)})
    select t.id as task_order_id, h.id as hazard_id, h.code, coalesce(hz.status, h.status) as status,
      h.area_m2, coalesce(hz.remaining_m2, h.area_m2) as remaining_m2
    from task_orders t
    cross join lateral jsonb_array_elements_text(t.hazard_ids) with ordinality e(id, n)
    join hazards h on h.id = e.id::uuid
    left join hz on hz.id = h.id
    where t.id = any(${taskOrderIds}::uuid[])
    order by t.id, e.n`.execute(db);
  return r.rows.map((x) => ({ ...x, areaM2: Number(x.areaM2), remainingM2: Number(x.remainingM2) }));
}

export interface TaskOrderActivityRow {
  taskOrderId: string;
  activities: number;
  firstStart: string | null;
  lastEnd: string | null;
}

/** The activities done under task orders, started on or before the date: count, first start, last end. */
export async function taskOrderActivities(
  db: Kysely<Schema>,
  taskOrderIds: string[],
  asAtDate: string,
): Promise<TaskOrderActivityRow[]> {
  if (!taskOrderIds.length) return [];
  const r = await sql<TaskOrderActivityRow>`
    select a.task_order_id, count(*)::int as activities, min(a.start_date)::text as first_start,
      max(a.end_date) filter (where a.end_date <= ${asAtDate}::date)::text as last_end
    from activities a
    where a.task_order_id = any(${taskOrderIds}::uuid[]) and a.archived_at is null
      and coalesce(a.start_date, a.created_at::date) <= ${asAtDate}::date
    group by a.task_order_id`.execute(db);
  return r.rows;
}

/** Hazard id → code. */
export async function hazardCodes(db: Kysely<Schema>, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const r = await sql<{ id: string; code: string }>`
    select id, code from hazards where id = any(${ids}::uuid[])`.execute(db);
  return new Map(r.rows.map((x) => [x.id, x.code]));
}

/** Teams by id: their code and organisation (archived ones too: a record may still name them). */
export async function teamOrganisations(
  db: Kysely<Schema>,
  ids: string[],
): Promise<Map<string, { code: string; organisationId: string }>> {
  if (!ids.length) return new Map();
  const r = await sql<{ id: string; code: string; organisationId: string }>`
    select t.id, t.code, t.organisation_id from teams t where t.id = any(${ids}::uuid[])`.execute(db);
  return new Map(r.rows.map((x) => [x.id, { code: x.code, organisationId: x.organisationId }]));
}
