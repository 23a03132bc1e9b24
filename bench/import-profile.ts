/**
 * `node bin/run-ts.js bench/import-profile.ts`: where the time of an import goes, on a file of
 * BENCH_ROWS findings (default 100 000) as CSV: reading the file alone, reading with mapping and
 * validation in this thread (a dry run: everything but the write), the whole import with the rows
 * read in this thread and in a worker thread, and the write's parts
 * measured apart on the same rows (the records alone, the records with their history entries,
 * the audit entries), and on PostgreSQL a raw COPY into the register and into a table without
 * triggers or indexes. PGlite unless BENCH_SKIP_PGLITE=1; PostgreSQL when BENCH_DATABASE_URL is
 * set (its public schema is dropped and migrated: use a database of its own).
 * BENCH_ONLY_IMPORT=1: only the whole import, with the process's peak RSS.
 * BENCH_CLUSTERS=1: only the write (records and history), with the findings' cluster cells
 * per statement against deferred to the end of the write (migration 026), alternated.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { connect } from '../src/db/connect.ts';
import { copyClient } from '../src/db/copy.ts';
import { migrate } from '../src/db/migrate.ts';
import { appendAudit } from '../src/db/repositories/audit.ts';
import {
  copyRecordsWithHistory,
  deferBulkDerivedData,
  finishBulkWrite,
  insertRecordsWithHistory,
} from '../src/db/repositories/imports.ts';
import { registerBySlug } from '../src/domain/records.ts';
import { readFeatures } from '../src/io/index.ts';
import { SYSTEM_ACTOR } from '../src/services/actor.ts';
import { importWorkers } from '../src/services/import-check.ts';
import { ImportService } from '../src/services/imports.ts';
import { keyringFromSecret } from '../src/services/personal-data.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const keyring = keyringFromSecret('bench-import-secret-0123456789abcdef');
const pgUrl = process.env.BENCH_DATABASE_URL || undefined;
const dir = mkdtempSync(join(tmpdir(), 'safeground-import-profile-'));
const file = join(dir, 'findings.csv');

function* lines() {
  yield 'id,category,foundOn,quantity,depthCm,lat,lon\n';
  for (let i = 0; i < ROWS; i++) {
    const lon = Math.round((43.5 + (i % 2000) * 0.0016) * 1e7) / 1e7;
    const lat = Math.round((38.9 + Math.floor(i / 2000) * 0.002) * 1e7) / 1e7;
    yield `eo-${i},${['AP', 'AV', 'other_erw'][i % 3]},20${10 + (i % 14)}-0${1 + (i % 9)}-1${i % 10},${1 + (i % 4)},${i % 30},${lat},${lon}\n`;
  }
}

const ms = (t: number) => Math.round(performance.now() - t);

async function profile(driver: 'pglite' | 'postgresql') {
  const database = await connect(
    driver === 'postgresql' ? { url: pgUrl! } : { dataDir: join(dir, 'pglite') },
  );
  if (driver === 'postgresql')
    await database.execScript(
      'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; CREATE EXTENSION IF NOT EXISTS postgis;',
    );
  await migrate(database);
  const db = database.db;
  const importer = new ImportService(database, keyring, {
    worker: 'never',
  });
  // The import worker starts (about 1.3 s) while the lines before the whole import are measured.
  importWorkers.warm();
  const def = registerBySlug('findings')!;
  const reset = () => sql`truncate findings, record_changes cascade`.execute(db);
  const out: Array<[string, number]> = [];

  if (process.env.BENCH_CLUSTERS === '1') {
    // The write alone (records + history, by COPY on PostgreSQL, by INSERT on PGlite, batches of
    // 10 000 / 1 000 as the importer sends them), the cluster cells per statement against deferred
    // to the end (migration 026), alternated three times in one run.
    const rows = Array.from({ length: ROWS }, (_, i) => ({
      id: crypto.randomUUID(),
      category: 'AP',
      foundOn: '2024-05-01',
      externalId: `eo-${i}`,
      geometry: {
        type: 'Point',
        coordinates: [43.5 + (i % 2000) * 0.0016, 38.9 + Math.floor(i / 2000) * 0.002],
      },
    }));
    const report = (await sql<{ id: string }>`select id from reports limit 1`.execute(db)).rows[0]?.id;
    const ctx = { reportId: report!, actorId: null, dateOfInformation: '2026-01-01', dateColumn: 'found_on' };
    const size = driver === 'postgresql' ? 10_000 : 1_000;
    const times: Record<string, number[]> = { 'per statement': [], deferred: [] };
    for (let round = 0; round < 3; round++) {
      for (const mode of ['per statement', 'deferred'] as const) {
        await reset();
        await sql`delete from finding_clusters`.execute(db);
        const t0 = performance.now();
        await db.transaction().execute(async (trx) => {
          if (mode === 'deferred') await deferBulkDerivedData(trx);
          const client = await copyClient(trx);
          for (let i = 0; i < ROWS; i += size) {
            const batch = rows.slice(i, i + size);
            if (client) await copyRecordsWithHistory(trx, client, def, batch, ctx);
            else await insertRecordsWithHistory(trx, def, batch, ctx);
          }
          if (mode === 'deferred') await finishBulkWrite(trx);
        });
        times[mode]!.push(ms(t0));
      }
    }
    const cells = await sql<{ n: number }>`select sum(n)::int as n from finding_clusters where z = 0`.execute(
      db,
    );
    for (const [mode, list] of Object.entries(times))
      console.log(
        `${driver.padEnd(10)} write of ${ROWS} findings + history, cluster cells ${mode.padEnd(13)}: ${list.join(' / ')} ms (median ${[...list].sort((a, b) => a - b)[1]})`,
      );
    console.log(`${driver.padEnd(10)} cells at zoom 0 after the last run: ${cells.rows[0]?.n}`);
    await reset();
    await database.close();
    return;
  }
  if (process.env.BENCH_ONLY_IMPORT === '1') {
    // Only the import as the server runs it (a large file: read in a worker thread), for its peak
    // memory: nothing else held in this process (the worker's memory is the process's).
    await reset();
    const t0 = performance.now();
    const s = await new ImportService(database, keyring).importFile(
      SYSTEM_ACTOR,
      { path: file },
      { register: 'findings' },
    );
    const rss = Math.round(process.resourceUsage().maxRSS / 1024);
    console.log(
      `${driver.padEnd(10)} whole import (${s.imported} written) ${ms(t0)} ms, ${Math.round(ROWS / (ms(t0) / 1000))} r/s, peak RSS ${rss} MB`,
    );
    await reset();
    await database.close();
    return;
  }
  let t = performance.now();
  let n = 0;
  for await (const _ of readFeatures({ path: file }, { geometry: 'optional' })) n++;
  out.push([`read ${n} rows (parse, coordinates)`, ms(t)]);

  t = performance.now();
  await importer.importFile(SYSTEM_ACTOR, { path: file }, { register: 'findings', dryRun: true });
  out.push(['dry run in this thread (read, map, checkInput, external-id lookup)', ms(t)]);

  for (const copy of driver === 'postgresql' ? [false, true] : [true]) {
    for (const worker of ['never', 'always'] as const) {
      await reset();
      const service = new ImportService(database, keyring, {
        copy,
        worker,
      });
      t = performance.now();
      const s = await service.importFile(SYSTEM_ACTOR, { path: file }, { register: 'findings' });
      const how = driver === 'postgresql' ? (copy ? ', COPY, overlapped' : ', INSERT, in turn') : '';
      out.push([
        `whole import${how}, read ${worker === 'always' ? 'in a worker' : 'in this thread'} (${s.imported} written)`,
        ms(t),
      ]);
    }
  }

  // The write's parts on the same rows, 1 000 per statement, in one transaction each.
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    id: crypto.randomUUID(),
    category: ['AP', 'AV', 'other_erw'][i % 3],
    foundOn: `20${10 + (i % 14)}-0${1 + (i % 9)}-1${i % 10}`,
    quantity: 1 + (i % 4),
    depthCm: i % 30,
    externalId: `eo-${i}`,
    geometry: {
      type: 'Point',
      coordinates: [43.5 + (i % 2000) * 0.0016, 38.9 + Math.floor(i / 2000) * 0.002],
    },
  }));
  const report = (await sql<{ id: string }>`select id from reports limit 1`.execute(db)).rows[0]?.id;
  const ctx = { reportId: report!, actorId: null, dateOfInformation: '2026-01-01', dateColumn: 'found_on' };
  await reset();
  t = performance.now();
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < ROWS; i += 1000) {
      const batch = rows.slice(i, i + 1000);
      await sql`insert into findings (id, category, found_on, quantity, depth_cm, external_id, geom)
        select r.id, r.category, r.found_on, r.quantity, r.depth_cm, r.external_id,
          ST_SetSRID(ST_GeomFromGeoJSON(e->'g'), 4326)
        from jsonb_array_elements(${JSON.stringify(batch.map(({ geometry, ...r }) => ({ r: { id: r.id, category: r.category, found_on: r.foundOn, quantity: r.quantity, depth_cm: r.depthCm, external_id: r.externalId }, g: geometry })))}::jsonb) e,
          jsonb_populate_record(null::findings, e->'r') r`.execute(trx);
    }
  });
  out.push(['records alone (JSON rows, 1 000 per statement)', ms(t)]);
  await reset();
  t = performance.now();
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < ROWS; i += 1000)
      await insertRecordsWithHistory(trx, def, rows.slice(i, i + 1000), ctx);
  });
  out.push(['records + history (insertRecordsWithHistory)', ms(t)]);
  await reset();
  t = performance.now();
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < ROWS; i += 1000)
      await appendAudit(trx, {
        actorId: null,
        action: 'bulk_create',
        entity: 'finding',
        recordId: null,
        before: null,
        after: { count: 1000 },
      });
  });
  out.push([`audit entries (${ROWS / 1000})`, ms(t)]);
  if (driver === 'postgresql') {
    const copyLines = function* () {
      for (const r of rows)
        yield `${r.id}\t${r.category}\t${r.foundOn}\t${r.quantity}\t${r.depthCm}\t${r.externalId}\tSRID=4326;POINT(${r.geometry.coordinates[0]} ${r.geometry.coordinates[1]})\n`;
    };
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    for (const [label, target] of [
      ['raw COPY into findings (its triggers and indexes)', 'findings'],
      ['raw COPY into a table without triggers or indexes', 'sg_profile_plain'],
    ] as const) {
      await reset();
      await client.query(
        'drop table if exists sg_profile_plain; create table sg_profile_plain as select * from findings with no data',
      );
      t = performance.now();
      await client.query('begin');
      await pipeline(
        Readable.from(copyLines()),
        client.query(
          copyFrom(
            `COPY ${target} (id, category, found_on, quantity, depth_cm, external_id, geom) FROM STDIN`,
          ),
        ),
      );
      await client.query('commit');
      out.push([label, ms(t)]);
    }
    await client.query('drop table if exists sg_profile_plain');
    await client.end();
  }
  await reset();
  for (const [what, time] of out)
    console.log(
      `${driver.padEnd(10)} ${what.padEnd(58)} ${String(time).padStart(7)} ms  ${Math.round(ROWS / (time / 1000))} r/s`,
    );
  await database.close();
}

await pipeline(Readable.from(lines()), createWriteStream(file));
console.log(
  `import profile: ${ROWS} findings (CSV), load ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
if (process.env.BENCH_SKIP_PGLITE !== '1') await profile('pglite');
if (pgUrl) await profile('postgresql');
rmSync(dir, { recursive: true, force: true });
