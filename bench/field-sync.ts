/**
 * `npm run bench:field-sync`: how long a device takes to load an area of 500 hazards and 20 000
 * findings over HTTP (GET /api/v1/sync/area, page after page, as the offline application does),
 * on the embedded database and (when BENCH_DATABASE_URL or DATABASE_URL is set) on PostgreSQL.
 * The baseline is the same rows read by direct SQL (the repository's keyset pages in id order),
 * in the same run. Then an incremental sync after 50 hazards changed.
 *
 * Env: BENCH_HAZARDS (default 500), BENCH_FINDINGS (20 000), BENCH_SYNC_LIMIT (2000),
 * BENCH_SCALE (multiplies the counts), BENCH_RUNS (3).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { connect, type Database } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { databaseNow } from '../src/db/repositories/field-sync.ts';
import { listRecords } from '../src/db/repositories/registers.ts';
import { REGISTERS } from '../src/domain/records.ts';
import { buildApp } from '../src/http/app.ts';
import { createUser } from '../src/services/auth.ts';
import { SYNC_MARGIN_MS, SYNC_REGISTERS } from '../src/services/field-sync.ts';
import { SYNTHETIC_REGION, seedSynthetic } from './synthetic.ts';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const HAZARDS = Math.max(1, Math.round(Number(process.env.BENCH_HAZARDS ?? 500) * SCALE));
const FINDINGS = Math.max(1, Math.round(Number(process.env.BENCH_FINDINGS ?? 20_000) * SCALE));
const LIMIT = Number(process.env.BENCH_SYNC_LIMIT ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const r = SYNTHETIC_REGION;
const BBOX: [number, number, number, number] = [r.west, r.south, r.east, r.north];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function benchDriver(label: string, database: Database) {
  await migrate(database);
  console.error(`${label}: seeding ${HAZARDS} hazards and ${FINDINGS} findings …`);
  await seedSynthetic(database, { findings: FINDINGS, hazards: HAZARDS, seed: 1 });
  const app = await buildApp({
    database,
    settings: {
      attachmentsDir: mkdtempSync(join(tmpdir(), 'sg-bench-att-')),
      keyFile: join(mkdtempSync(join(tmpdir(), 'sg-bench-key-')), 'k'),
    },
  });
  const email = `bench-${Date.now()}@bench.safeground.org`;
  await createUser(database, { email, password: 'Bench-password-1', role: 'operator_data_entry' });
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: 'Bench-password-1' },
  });
  const headers = { authorization: `Bearer ${login.json().token}` };

  /** One whole sync over HTTP: pages until there is no `next`; the records, bytes and pages. */
  async function sync(since?: string) {
    let token = since;
    let records = 0;
    let removed = 0;
    let bytes = 0;
    let pages = 0;
    for (;;) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/sync/area?bbox=${BBOX.join(',')}&limit=${LIMIT}${token ? `&since=${token}` : ''}`,
        headers,
      });
      if (res.statusCode !== 200) throw new Error(res.body);
      bytes += res.rawPayload.length;
      pages++;
      const page = res.json();
      for (const slug of SYNC_REGISTERS) {
        records += page.registers[slug].upserts.length;
        removed += page.registers[slug].removed.length;
      }
      if (!page.next) break;
      token = page.next;
    }
    return { records, removed, bytes, pages };
  }

  const api: number[] = [];
  let full = { records: 0, removed: 0, bytes: 0, pages: 0 };
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    full = await sync();
    api.push(performance.now() - t0);
  }
  const base: number[] = [];
  let baseRows = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    baseRows = 0;
    for (const slug of SYNC_REGISTERS) {
      const def = REGISTERS.find((d) => d.slug === slug)!;
      let after: { value: unknown; id: string } | undefined;
      for (;;) {
        const rows = await listRecords(database.db, def, {
          bbox: BBOX,
          equals: [],
          includeArchived: false,
          sortField: 'id',
          descending: false,
          limit: LIMIT,
          after,
        });
        baseRows += rows.length;
        if (rows.length < LIMIT) break;
        const last = rows[rows.length - 1]!;
        after = { value: last.id, id: last.id as string };
      }
    }
    base.push(performance.now() - t0);
  }

  // Incremental: 50 hazards written after the last sync, which is taken to be older than the
  // feed's safety margin (the cursor is made as the server makes it, dated so that the margin
  // reaches back exactly to before the writes), then a sync from that cursor.
  const before = await databaseNow(database.db);
  await sql`update hazards set name = coalesce(name, '') || ' ' where id in
    (select id from hazards order by id limit 50)`.execute(database.db);
  const cursor = Buffer.from(
    JSON.stringify({ v: 1, t: new Date(Date.parse(before) + SYNC_MARGIN_MS).toISOString(), r: 0, a: null }),
  ).toString('base64url');
  const t1 = performance.now();
  const incremental = await sync(cursor);
  const incrementalMs = performance.now() - t1;
  await app.close();
  return {
    driver: label,
    records: full.records,
    baseRows,
    pages: full.pages,
    mb: full.bytes / 1024 / 1024,
    apiMs: median(api),
    sqlMs: median(base),
    incrementalRecords: incremental.records,
    incrementalMs,
  };
}

const results = [];
const pglite = await connect({ dataDir: mkdtempSync(join(tmpdir(), 'sg-bench-sync-')) });
results.push(await benchDriver('pglite', pglite));
await pglite.close();
const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (url) {
  const pg = await connect({ url });
  results.push(await benchDriver('postgresql', pg));
  await pg.close();
} else {
  console.error('PostgreSQL: skipped (set BENCH_DATABASE_URL to a PostGIS database to measure it)');
}

console.log(
  `\nArea load for a device: ${HAZARDS} hazards, ${FINDINGS} findings, pages of ${LIMIT} (median of ${RUNS} runs)\n`,
);
for (const x of results) {
  console.log(
    `${x.driver.padEnd(11)} full sync ${x.records} records in ${x.pages} pages, ${x.mb.toFixed(1)} MB: ` +
      `${(x.apiMs / 1000).toFixed(2)} s over HTTP; baseline (same rows by direct SQL, ${x.baseRows} rows) ` +
      `${(x.sqlMs / 1000).toFixed(2)} s (${(x.apiMs / x.sqlMs).toFixed(1)}×); incremental after 50 changes: ` +
      `${x.incrementalRecords} records in ${(x.incrementalMs / 1000).toFixed(2)} s`,
  );
}
