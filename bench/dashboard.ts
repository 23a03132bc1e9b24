/**
 * `npm run bench:dashboard`: latency of the dashboard's summary (`/api/v1/stats/summary`) for a
 * year, at present and as at a date, and of a findings list as at a date, over the synthetic
 * national-scale data of bench:api, on the embedded database and (when BENCH_DATABASE_URL or
 * DATABASE_URL is set) on PostgreSQL. The baseline is the same SQL run directly (the repository
 * functions the service calls) on the same database in the same run.
 *
 * The synthetic records are written straight into the tables; each is given its approved
 * history as a baseline change (as an update of a bulk-loaded record does), so that reading as
 * at a date folds a history of the same size as the register.
 *
 * Env: BENCH_FINDINGS (default 1 000 000), BENCH_HAZARDS (10 000), BENCH_RUNS (10),
 * BENCH_DATA_DIR (reuse a seeded PGlite folder between runs), BENCH_SKIP_PGLITE=1 (PostgreSQL only).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { connect, type Database } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { listRecords } from '../src/db/repositories/registers.ts';
import { summary } from '../src/db/repositories/stats.ts';
import { findings } from '../src/domain/records.ts';
import { buildApp } from '../src/http/app.ts';
import { createUser } from '../src/services/auth.ts';
import { SYNTHETIC_REGION, seedSynthetic } from './synthetic.ts';

const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 1_000_000);
const HAZARDS = Number(process.env.BENCH_HAZARDS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const AS_AT = '2025-06-30';

function median(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return {
    median: s[Math.floor(s.length / 2)]!,
    p95: s[Math.min(s.length - 1, Math.floor(0.95 * s.length))]!,
  };
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
 * A baseline change for every synthetic record without a history (its present writable state),
 * 50 000 records a statement: one statement over 1 000 000 findings did not finish within half
 * an hour on PGlite.
 */
async function giveHistories(database: Database, label: string) {
  const batches = [
    {
      entity: 'hazard',
      table: sql`hazards`,
      patch: sql`jsonb_build_object('type', r.type, 'status', r.status, 'dateOfInformation', r.date_of_information,
        'description', r.description, 'geometry', ST_AsGeoJSON(r.geom)::jsonb)`,
    },
    {
      entity: 'finding',
      table: sql`findings`,
      patch: sql`jsonb_build_object('category', r.category, 'quantity', r.quantity, 'foundOn', r.found_on,
        'marking', r.marking, 'geometry', ST_AsGeoJSON(r.geom)::jsonb)`,
    },
  ];
  for (const b of batches) {
    let done = 0;
    for (;;) {
      const r = await sql`
        insert into record_changes (entity, record_id, report_id, date_of_information, op, patch, created_at)
        select ${b.entity}, r.id, null, '0001-01-01', 'baseline', ${b.patch}, '2024-01-01T00:00:00Z'
        from (select t.* from ${b.table} t
              where not exists (select 1 from record_changes c where c.entity = ${b.entity} and c.record_id = t.id)
              limit 50000) r`.execute(database.db);
      const n = Number(r.numAffectedRows ?? 0);
      if (n === 0) break;
      done += n;
      console.error(`${label}: ${b.entity} histories ${done.toLocaleString('en')}`);
    }
  }
  await sql`analyze record_changes`.execute(database.db);
}

async function benchDriver(label: string, database: Database) {
  await migrate(database);
  console.error(`${label}: seeding ${FINDINGS} findings and ${HAZARDS} hazards (kept between runs) …`);
  await seedSynthetic(database, { findings: FINDINGS, hazards: HAZARDS, seed: 1 });
  await giveHistories(database, label);
  const year = (
    await sql<{ y: number }>`select extract(year from max(found_on))::int as y from findings`.execute(
      database.db,
    )
  ).rows[0]!.y;
  const app = await buildApp({
    database,
    settings: {
      attachmentsDir: mkdtempSync(join(tmpdir(), 'sg-bench-att-')),
      keyFile: join(mkdtempSync(join(tmpdir(), 'sg-bench-key-')), 'k'),
    },
  });
  const email = `bench-${Date.now()}@bench.safeground.org`;
  await createUser(database, { email, password: 'Bench-password-1', role: 'admin' });
  const token = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'Bench-password-1' },
    })
  ).json().token;
  const headers = { authorization: `Bearer ${token}` };
  const api = (url: string) => async () => {
    const r = await app.inject({ method: 'GET', url, headers });
    if (r.statusCode !== 200) throw new Error(r.body);
  };
  const period = { from: `${year}-01-01`, to: `${year}-12-31` };
  const r = SYNTHETIC_REGION;
  const bbox: [number, number, number, number] = [r.west, r.south, r.west + 0.5, r.south + 0.5];
  const cases: Array<{ operation: string; api: () => Promise<void>; direct: () => Promise<void> }> = [
    {
      operation: `summary, year ${year}`,
      api: api(`/api/v1/stats/summary?year=${year}`),
      direct: async () => void (await summary(database.db, period)),
    },
    {
      operation: `summary, year ${year}, as at ${AS_AT}`,
      api: api(`/api/v1/stats/summary?year=${year}&asAt=${AS_AT}`),
      direct: async () => void (await summary(database.db, period, { asAt: AS_AT })),
    },
    {
      operation: `findings list (100, bbox 0.5°), as at ${AS_AT}`,
      api: api(`/api/v1/findings?limit=100&bbox=${bbox.join(',')}&asAt=${AS_AT}`),
      direct: async () =>
        void (await listRecords(database.db, findings, {
          asAt: AS_AT,
          bbox,
          equals: [],
          includeArchived: false,
          sortField: findings.defaultSort,
          descending: false,
          limit: 101,
        })),
    },
  ];
  const out = [];
  for (const c of cases) {
    const a = median(await time(RUNS, c.api));
    const d = median(await time(RUNS, c.direct));
    out.push({ driver: label, operation: c.operation, a, d });
  }
  await app.close();
  return out;
}

const results = [];
const dataDir = process.env.BENCH_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'sg-bench-dash-'));
if (process.env.BENCH_SKIP_PGLITE !== '1') {
  const pglite = await connect({ dataDir });
  results.push(...(await benchDriver('pglite', pglite)));
  await pglite.close();
}
const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (url) {
  const pg = await connect({ url });
  results.push(...(await benchDriver('postgresql', pg)));
  await pg.close();
} else {
  console.error('PostgreSQL: skipped (set BENCH_DATABASE_URL to a PostGIS database to measure it)');
}

const f = (x: number) => x.toFixed(1).padStart(9);
console.log(
  `\nDashboard latency over ${FINDINGS} findings, ${HAZARDS} hazards (ms; baseline = the same SQL run directly, same run)\n`,
);
console.log(
  `${'driver'.padEnd(11)} ${'operation'.padEnd(48)} ${'API med'.padStart(9)} ${'API p95'.padStart(9)} ${'SQL med'.padStart(9)} ${'SQL p95'.padStart(9)}  ratio`,
);
for (const r of results) {
  console.log(
    `${r.driver.padEnd(11)} ${r.operation.padEnd(48)} ${f(r.a.median)} ${f(r.a.p95)} ${f(r.d.median)} ${f(r.d.p95)}  ${(r.a.median / r.d.median).toFixed(2)}×`,
  );
}
