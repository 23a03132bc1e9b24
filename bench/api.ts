/**
 * `npm run bench:api`: latency of the API's bbox list query (a page of 500 findings) and of a
 * hazard create, over 1 000 000 synthetic findings, on the embedded database and (when
 * BENCH_DATABASE_URL or DATABASE_URL is set) on PostgreSQL. The baseline is the same SQL run
 * directly on the same database in the same run, so the API's overhead reads as a ratio.
 *
 * The list has two baselines: the plain list statement of the repository (`listRecords`: the
 * records of the page, no admin-area names), and the list's own statement (`listFeatureRows`:
 * the same page with each record's admin-area name and its geometry as text), both run directly.
 * The create has two baselines: a plain insert of the hazard, and the same insert with its
 * `create` history entry and its audit chain entry (the trust rules kept), in one transaction.
 * Each API row also says how many SQL statements one request sent (counted by a Kysely plugin).
 *
 * Env: BENCH_FINDINGS (default 1 000 000), BENCH_HAZARDS (10 000), BENCH_RUNS (40),
 * BENCH_DATA_DIR (reuse a seeded PGlite folder between runs), BENCH_SKIP_PGLITE=1.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { connect, type Database } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { appendAudit } from '../src/db/repositories/audit.ts';
import { insertRecord, listFeatureRows, listRecords } from '../src/db/repositories/registers.ts';
import { insertChange } from '../src/db/repositories/reports.ts';
import { findings, hazards } from '../src/domain/records.ts';
import { buildApp } from '../src/http/app.ts';
import { createUser } from '../src/services/auth.ts';
import { SYNTHETIC_REGION, seedSynthetic } from './synthetic.ts';

const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 1_000_000);
const HAZARDS = Number(process.env.BENCH_HAZARDS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const PAGE = 500;

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: at(0.5), p95: at(0.95) };
}

/**
 * Times several kinds of work on the same inputs, taking turns in a rotating order (after one
 * warm-up each), so that none profits from the pages another has just read into the caches.
 */
async function timeInTurns(runs: number, works: Array<(i: number) => Promise<void>>): Promise<number[][]> {
  for (const work of works) await work(-1);
  const out: number[][] = works.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < works.length; k++) {
      const j = (i + k) % works.length;
      const t0 = performance.now();
      await works[j]!(i);
      out[j]!.push(performance.now() - t0);
    }
  }
  return out;
}

/** Deterministic boxes of 0.2° inside the synthetic region. */
function bbox(i: number): [number, number, number, number] {
  const r = SYNTHETIC_REGION;
  const x = r.west + ((i * 0.37) % (r.east - r.west - 0.2));
  const y = r.south + ((i * 0.53) % (r.north - r.south - 0.2));
  return [x, y, x + 0.2, y + 0.2];
}

function square(i: number) {
  const x = SYNTHETIC_REGION.west + 0.01 + (i % 500) * 0.01;
  const y = SYNTHETIC_REGION.north + 0.5 + Math.floor(i / 500) * 0.01;
  return {
    type: 'Polygon',
    coordinates: [
      [
        [x, y],
        [x + 0.001, y],
        [x + 0.001, y + 0.001],
        [x, y + 0.001],
        [x, y],
      ],
    ],
  };
}

/** Counts the statements sent through the Kysely instance it is added to. */
class StatementCounter implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.count++;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

async function benchDriver(label: string, plain: Database) {
  await migrate(plain);
  const counter = new StatementCounter();
  const counted = plain.db.withPlugin(counter);
  // Reads that may lag go through `reader` (src/db/replicas.ts): counted too.
  const database: Database = {
    ...plain,
    db: counted,
    reader: (session) => {
      const reader = plain.reader(session);
      return reader === plain.db ? counted : reader.withPlugin(counter);
    },
  };
  console.error(`${label}: seeding ${FINDINGS} findings and ${HAZARDS} hazards (kept between runs) …`);
  const seeded = await seedSynthetic(database, { findings: FINDINGS, hazards: HAZARDS, seed: 1 });
  console.error(`${label}: ${seeded.findings} findings, ${seeded.hazards} hazards`);
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
  // The same app on a loopback port: a real client's request, the answer read whole as text.
  const address = await app.listen({ host: '127.0.0.1', port: 0 });

  let rows = 0;
  let listStatementCount = 0;
  const bodies: string[] = [];
  const listQuery = (i: number) => ({
    bbox: bbox(i + 1),
    equals: [],
    includeArchived: false,
    sortField: findings.defaultSort,
    descending: false,
    limit: PAGE + 1,
  });
  const [apiList, sqlList, ownList, wireList] = await timeInTurns(RUNS, [
    async (i) => {
      const before = counter.count;
      const r = await app.inject({
        method: 'GET',
        url: `/api/v1/findings?limit=${PAGE}&bbox=${bbox(i + 1).join(',')}`,
        headers,
      });
      listStatementCount += counter.count - before;
      if (r.statusCode !== 200) throw new Error(r.body);
      bodies.push(r.body);
    },
    async (i) => void (await listRecords(database.db, findings, listQuery(i))),
    // The list's own statement (each row's admin-area name, the geometry as text), run directly.
    async (i) => void (await listFeatureRows(database.db, findings, listQuery(i))),
    async (i) => {
      const r = await fetch(`${address}/api/v1/findings?limit=${PAGE}&bbox=${bbox(i + 1).join(',')}`, {
        headers,
      });
      const body = await r.text();
      if (r.status !== 200) throw new Error(body);
    },
  ]);
  // Read after the timing: parsing the answer is the client's work, not the API's.
  for (const body of bodies) rows += JSON.parse(body).features.length;
  const listStatements = listStatementCount / (RUNS + 1);
  let n = 0;
  const creates = Math.max(10, RUNS / 2);
  let createStatementCount = 0;
  const [apiCreate, sqlCreate, sqlCreateKept] = await timeInTurns(creates, [
    async () => {
      const before = counter.count;
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/hazards',
        headers,
        payload: { type: 'Feature', geometry: square(n++), properties: { type: 'SHA' } },
      });
      createStatementCount += counter.count - before;
      if (r.statusCode !== 201) throw new Error(r.body);
    },
    async () => {
      const g = square(n++);
      await database.db
        .transaction()
        .execute((trx) =>
          insertRecord(
            trx,
            hazards,
            { type: 'SHA', geometry: { type: 'MultiPolygon', coordinates: [g.coordinates] } },
            null,
          ),
        );
    },
    async () => {
      const g = square(n++);
      await database.db.transaction().execute(async (trx) => {
        const row = await insertRecord(
          trx,
          hazards,
          { type: 'SHA', geometry: { type: 'MultiPolygon', coordinates: [g.coordinates] } },
          null,
        );
        await insertChange(trx, {
          entity: 'hazard',
          recordId: row.id as string,
          reportId: null,
          dateOfInformation: '2026-01-01',
          op: 'create',
          patch: { type: 'SHA', geometry: g },
        });
        await appendAudit(trx, {
          actorId: null,
          action: 'create',
          entity: 'hazard',
          recordId: row.id as string,
          before: null,
          after: row,
        });
      });
    },
  ]);
  const createStatements = createStatementCount / (creates + 1);
  await app.close();
  const ck = stats(sqlCreateKept);
  const l = stats(apiList);
  const lb = stats(sqlList);
  const c = stats(apiCreate);
  const cb = stats(sqlCreate);
  return [
    {
      driver: label,
      operation: `bbox list, page of ${PAGE} (avg ${Math.round(rows / (RUNS + 1))} rows)`,
      statements: listStatements,
      apiMedian: l.median,
      apiP95: l.p95,
      sqlMedian: lb.median,
      sqlP95: lb.p95,
    },
    {
      driver: label,
      operation: '  the same vs its own statement',
      statements: listStatements,
      apiMedian: l.median,
      apiP95: l.p95,
      sqlMedian: stats(ownList).median,
      sqlP95: stats(ownList).p95,
    },
    {
      driver: label,
      operation: '  over loopback HTTP vs its own statement',
      statements: listStatements,
      apiMedian: stats(wireList).median,
      apiP95: stats(wireList).p95,
      sqlMedian: stats(ownList).median,
      sqlP95: stats(ownList).p95,
    },
    {
      driver: label,
      operation: 'hazard create vs plain insert',
      statements: createStatements,
      apiMedian: c.median,
      apiP95: c.p95,
      sqlMedian: cb.median,
      sqlP95: cb.p95,
    },
    {
      driver: label,
      operation: 'hazard create vs insert + history + audit',
      statements: createStatements,
      apiMedian: c.median,
      apiP95: c.p95,
      sqlMedian: ck.median,
      sqlP95: ck.p95,
    },
  ];
}

const results = [];
const dataDir = process.env.BENCH_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'sg-bench-api-'));
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

const f = (x: number) => x.toFixed(1).padStart(8);
console.log(`\nAPI latency over ${FINDINGS} findings (ms; baseline = the same SQL run directly, same run)\n`);
console.log(
  `${'driver'.padEnd(11)} ${'operation'.padEnd(48)} ${'stmts'.padStart(6)} ${'API med'.padStart(8)} ${'API p95'.padStart(8)} ${'SQL med'.padStart(8)} ${'SQL p95'.padStart(8)}  ratio`,
);
for (const r of results) {
  console.log(
    `${r.driver.padEnd(11)} ${r.operation.padEnd(48)} ${r.statements.toFixed(1).padStart(6)} ${f(r.apiMedian)} ${f(r.apiP95)} ${f(r.sqlMedian)} ${f(r.sqlP95)}  ${(r.apiMedian / r.sqlMedian).toFixed(2)}×`,
  );
}
