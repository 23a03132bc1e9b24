/**
 * `npm run bench:planning`: latency of the readiness of every settlement and of the priorities of
 * every open hazard, over the national scale of bench:api (10 000 synthetic hazards, here with
 * settlements, accidents and risk education around them), now and as at a past date, on the
 * embedded database and (when BENCH_DATABASE_URL or DATABASE_URL is set) on PostgreSQL. The
 * baseline is the repository's set-based SQL run directly in the same run (no service, no HTTP).
 *
 * Env: BENCH_HAZARDS (default 10 000), BENCH_SETTLEMENTS (2 000), BENCH_ACCIDENTS (5 000),
 * BENCH_RUNS (5), BENCH_DATA_DIR (reuse a seeded PGlite folder between runs).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { connect, type Database } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { hazardFacts, settlementFacts } from '../src/db/repositories/planning.ts';
import {
  DEFAULT_PRIORITY_WEIGHTS,
  DEFAULT_READINESS_RULES,
  readinessReachM,
} from '../src/domain/planning.ts';
import { buildApp } from '../src/http/app.ts';
import { createUser } from '../src/services/auth.ts';
import { SYNTHETIC_REGION, seedSynthetic } from './synthetic.ts';

const HAZARDS = Number(process.env.BENCH_HAZARDS ?? 10_000);
const SETTLEMENTS = Number(process.env.BENCH_SETTLEMENTS ?? 2_000);
const ACCIDENTS = Number(process.env.BENCH_ACCIDENTS ?? 5_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PAST = '2018-01-01';

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: at(0.5), max: s[s.length - 1]! };
}

async function time(runs: number, work: () => Promise<void>): Promise<number[]> {
  await work(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work();
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * Settlements, accidents and risk education sessions spread over the synthetic country, a third of
 * the hazards blocking a land use (one in ten a road); deterministic, and kept between runs.
 */
async function seedPlanning(database: Database): Promise<void> {
  const have = await sql<{
    n: number;
  }>`select count(*)::int as n from settlements where pcode like 'BENCH-%'`.execute(database.db);
  if ((have.rows[0]?.n ?? 0) < SETTLEMENTS) await insertPlanning(database);
  await giveHistories(database);
  for (const table of ['settlements', 'hazards', 'accidents', 'risk_education_sessions', 'record_changes'])
    await sql`analyze ${sql.table(table)}`.execute(database.db);
}

async function insertPlanning(database: Database): Promise<void> {
  const { west, south, east, north } = SYNTHETIC_REGION;
  const u = (i: string, k: number) => sql.raw(`((hashint4(${i} * 7919 + ${k}) & 2147483647) / 2147483647.0)`);
  await database.db.transaction().execute(async (trx) => {
    await sql`insert into settlements (name, pcode, geom, population, households, displaced_households)
      select 'Bench ' || i, 'BENCH-' || i,
        ST_SetSRID(ST_MakePoint(${west} + ${u('i', 1)} * ${east - west}, ${south} + ${u('i', 2)} * ${north - south}), 4326),
        (50 + ${u('i', 3)} * 5000)::int, (10 + ${u('i', 4)} * 1000)::int, (${u('i', 5)} * 400)::int
      from generate_series(1, ${SETTLEMENTS}::int) i`.execute(trx);
    await sql`update hazards set blocked_land_use = case
        when ${u('code_n', 6)} < 0.1 then '["roads"]'::jsonb
        when ${u('code_n', 6)} < 0.2 then '["housing", "water"]'::jsonb
        when ${u('code_n', 6)} < 0.33 then '["agriculture"]'::jsonb else '[]'::jsonb end
      from (select id as hid, substring(code from 4)::int as code_n from hazards) h where h.hid = hazards.id`.execute(
      trx,
    );
    const org = await sql<{
      id: string;
    }>`insert into organisations (name, kind) values ('Bench operator', 'ngo')
      returning id`.execute(trx);
    await sql`insert into accidents (occurred_on, geom)
      select date '2005-01-01' + floor(${u('i', 7)} * 7600)::int,
        ST_SetSRID(ST_MakePoint(${west} + ${u('i', 8)} * ${east - west}, ${south} + ${u('i', 9)} * ${north - south}), 4326)
      from generate_series(1, ${ACCIDENTS}::int) i`.execute(trx);
    await sql`insert into risk_education_sessions (organisation_id, held_on, delivery_method, geom, beneficiaries_total)
      select ${org.rows[0]!.id}::uuid, date '2015-01-01' + floor(${u('i', 10)} * 4000)::int, 'face_to_face',
        ST_SetSRID(ST_MakePoint(${west} + ${u('i', 11)} * ${east - west}, ${south} + ${u('i', 12)} * ${north - south}), 4326),
        (${u('i', 13)} * 200)::int
      from generate_series(1, ${Math.round(SETTLEMENTS / 2)}::int) i`.execute(trx);
  });
}

/**
 * A dated approved history for every synthetic hazard and settlement without one, so that the
 * as-at rows fold a real history: each hazard is created (open, with its blocked land use) on its
 * date of information, and one that is now in progress or closed reached that status a year or
 * two later (a closed one by way of in progress); each settlement has a baseline with its figures,
 * and one in three a later change of its displaced households.
 */
async function giveHistories(database: Database): Promise<void> {
  const u = (i: string, k: number) => sql.raw(`((hashint4(${i} * 7919 + ${k}) & 2147483647) / 2147483647.0)`);
  await database.db.transaction().execute(async (trx) => {
    await sql`insert into record_changes (entity, record_id, report_id, date_of_information, op, patch, created_at)
      select 'hazard', h.id, null, h.date_of_information, 'create',
        jsonb_build_object('type', h.type, 'status', 'open', 'blockedLandUse', h.blocked_land_use,
          'dateOfInformation', h.date_of_information), h.date_of_information::timestamptz
      from hazards h where h.description = 'synthetic'
        and not exists (select 1 from record_changes c where c.entity = 'hazard' and c.record_id = h.id)`.execute(
      trx,
    );
    await sql`insert into record_changes (entity, record_id, report_id, date_of_information, op, patch, created_at)
      select 'hazard', h.id, null, h.date_of_information + 200 + floor(${u('h.n', 14)} * 300)::int, 'update',
        jsonb_build_object('status', 'in_progress'), h.date_of_information::timestamptz
      from (select id, date_of_information, status, substring(code from 4)::int as n from hazards
        where description = 'synthetic' and status in ('in_progress', 'closed')) h
      where (select count(*) from record_changes c where c.entity = 'hazard' and c.record_id = h.id) = 1`.execute(
      trx,
    );
    await sql`insert into record_changes (entity, record_id, report_id, date_of_information, op, patch, created_at)
      select 'hazard', h.id, null, h.date_of_information + 600 + floor(${u('h.n', 15)} * 400)::int, 'update',
        jsonb_build_object('status', 'closed'), h.date_of_information::timestamptz
      from (select id, date_of_information, substring(code from 4)::int as n from hazards
        where description = 'synthetic' and status = 'closed') h
      where (select count(*) from record_changes c where c.entity = 'hazard' and c.record_id = h.id) = 2`.execute(
      trx,
    );
    await sql`insert into record_changes (entity, record_id, report_id, date_of_information, op, patch, created_at)
      select 'settlement', s.id, null, '2005-01-01', 'baseline',
        jsonb_build_object('name', s.name, 'population', s.population, 'households', s.households,
          'displacedHouseholds', s.displaced_households + 50), '2005-01-01T00:00:00Z'
      from settlements s where s.pcode like 'BENCH-%'
        and not exists (select 1 from record_changes c where c.entity = 'settlement' and c.record_id = s.id)`.execute(
      trx,
    );
    await sql`insert into record_changes (entity, record_id, report_id, date_of_information, op, patch, created_at)
      select 'settlement', s.id, null, date '2010-01-01' + floor(${u('s.n', 16)} * 5000)::int, 'update',
        jsonb_build_object('displacedHouseholds', s.displaced_households), '2010-01-01T00:00:00Z'
      from (select id, displaced_households, substring(pcode from 7)::int as n from settlements
        where pcode like 'BENCH-%') s
      where s.n % 3 = 0
        and (select count(*) from record_changes c where c.entity = 'settlement' and c.record_id = s.id) = 1`.execute(
      trx,
    );
  });
}

async function benchDriver(label: string, database: Database) {
  await migrate(database);
  console.error(`${label}: seeding ${HAZARDS} hazards, ${SETTLEMENTS} settlements, ${ACCIDENTS} accidents …`);
  await seedSynthetic(database, { findings: 0, hazards: HAZARDS, seed: 1 });
  await seedPlanning(database);
  const app = await buildApp({
    database,
    settings: {
      attachmentsDir: mkdtempSync(join(tmpdir(), 'sg-bench-att-')),
      keyFile: join(mkdtempSync(join(tmpdir(), 'sg-bench-key-')), 'k'),
    },
  });
  const email = `bench-${Date.now()}@bench.safeground.org`;
  await createUser(database, { email, password: 'Bench-password-1', role: 'viewer' });
  const token = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'Bench-password-1' },
    })
  ).json().token;
  const headers = { authorization: `Bearer ${token}` };
  const api = (url: string, count: (body: { items: unknown[] }) => void) => async () => {
    const r = await app.inject({ method: 'GET', url, headers });
    if (r.statusCode !== 200) throw new Error(r.body);
    count(r.json());
  };
  const today = new Date().toISOString().slice(0, 10);
  const rules = DEFAULT_READINESS_RULES;
  const weights = DEFAULT_PRIORITY_WEIGHTS;
  const readinessSql = (asAt?: string) => () =>
    settlementFacts(database.db, {
      asAt,
      asAtDate: asAt ?? today,
      hazardReachM: readinessReachM(rules),
      accidentReachM: rules.accidentDistanceM,
      riskEducationReachM: rules.riskEducationDistanceM,
    }).then(() => undefined);
  const prioritiesSql = (asAt?: string) => () =>
    hazardFacts(database.db, {
      asAt,
      asAtDate: asAt ?? today,
      settlementReachM: weights.settlementDistanceM,
      accidentReachM: weights.accidentDistanceM,
      accidentYears: weights.accidentYears,
    }).then(() => undefined);

  const rows: Array<{ operation: string; items: number; api: number[]; sql: number[] }> = [];
  for (const [operation, url, direct] of [
    ['readiness, all settlements', '/api/v1/readiness', readinessSql()],
    [`readiness, all settlements, asAt ${PAST}`, `/api/v1/readiness?asAt=${PAST}`, readinessSql(PAST)],
    ['priorities, all open hazards', '/api/v1/priorities', prioritiesSql()],
    [`priorities, all open hazards, asAt ${PAST}`, `/api/v1/priorities?asAt=${PAST}`, prioritiesSql(PAST)],
  ] as const) {
    let items = 0;
    const apiMs = await time(
      RUNS,
      api(url, (b) => (items = b.items.length)),
    );
    const sqlMs = await time(RUNS, direct);
    rows.push({ operation, items, api: apiMs, sql: sqlMs });
    console.error(`${label}: ${operation} done`);
  }
  await app.close();
  return rows.map((r) => ({ driver: label, ...r }));
}

const results = [];
const dataDir = process.env.BENCH_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'sg-bench-planning-'));
const pglite = await connect({ dataDir });
results.push(...(await benchDriver('pglite', pglite)));
await pglite.close();
const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (url) {
  const pg = await connect({ url });
  results.push(...(await benchDriver('postgresql', pg)));
  await pg.close();
} else {
  console.error('PostgreSQL: skipped (set BENCH_DATABASE_URL to a PostGIS database to measure it)');
}

const f = (x: number) => x.toFixed(0).padStart(8);
console.log(
  `\nPlanning over ${HAZARDS} hazards and ${SETTLEMENTS} settlements (ms; ${RUNS} runs after a warm-up; baseline = the repository SQL run directly, same run)\n`,
);
console.log(
  `${'driver'.padEnd(11)} ${'operation'.padEnd(44)} ${'items'.padStart(6)} ${'API med'.padStart(8)} ${'API max'.padStart(8)} ${'SQL med'.padStart(8)} ${'SQL max'.padStart(8)}  ratio`,
);
for (const r of results) {
  const a = stats(r.api);
  const s = stats(r.sql);
  console.log(
    `${r.driver.padEnd(11)} ${r.operation.padEnd(44)} ${String(r.items).padStart(6)} ${f(a.median)} ${f(a.max)} ${f(s.median)} ${f(s.max)}  ${(a.median / s.median).toFixed(2)}×`,
  );
}
