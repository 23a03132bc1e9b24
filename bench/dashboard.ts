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
 * BENCH_DATA_DIR (reuse a seeded PGlite folder between runs).
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

/** A baseline change for every synthetic record without a history (its present writable state). */
async function giveHistories(database: Database) {
  await sql`
    insert into record_changes (entity, record_id, report_id, date_of_information, op, patch, created_at)
    select 'hazard', h.id, null, '0001-01-01', 'baseline',
      jsonb_build_object('type', h.type, 'status', h.status, 'dateOfInformation', h.date_of_information,
        'description', h.description, 'geometry', ST_AsGeoJSON(h.geom)::jsonb), '2024-01-01T00:00:00Z'
    from hazards h where not exists (select 1 from record_changes c where c.record_id = h.id)`.execute(
    database.db,
  );
  await sql`
    insert into record_changes (entity, record_id, report_id, date_of_information, op, patch, created_at)
    select 'finding', f.id, null, '0001-01-01', 'baseline',
      jsonb_build_object('category', f.category, 'quantity', f.quantity, 'foundOn', f.found_on,
        'marking', f.marking, 'geometry', ST_AsGeoJSON(f.geom)::jsonb), '2024-01-01T00:00:00Z'
    from findings f where not exists (select 1 from record_changes c where c.record_id = f.id)`.execute(
    database.db,
  );
  await sql`analyze record_changes`.execute(database.db);
}

async function benchDriver(label: string, database: Database) {
  await migrate(database);
  console.error(`${label}: seeding ${FINDINGS} findings and ${HAZARDS} hazards (kept between runs) …`);
  await seedSynthetic(database, { findings: FINDINGS, hazards: HAZARDS, seed: 1 });
  await giveHistories(database);
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
