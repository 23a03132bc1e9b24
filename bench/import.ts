/**
 * `npm run bench:import`: imports of 100 000 hazard polygons and 1 000 000 findings from
 * GeoJSON and CSV through the importer (read, map, checkInput, bulk write with history and
 * audit), compared in the same run with a raw bulk load of the same rows into the same tables
 * (COPY on PostgreSQL, multi-row INSERT on PGlite) and, on PostgreSQL when GDAL is installed,
 * with `ogr2ogr` loading the same file into a table of its own in the same database.
 *
 * Drivers: PGlite always (fresh temporary folder); PostgreSQL when BENCH_DATABASE_URL or
 * DATABASE_URL is set (its public schema is dropped and migrated: use a database of its own,
 * e.g. `PGTEST_DB=safeground_bench bash ../shared/scripts/start-postgis.sh`).
 * BENCH_SCALE shrinks both counts (0.01 → 1 000 hazards, 10 000 findings); BENCH_SKIP_PGLITE=1
 * measures PostgreSQL only; BENCH_FORMATS=csv,geojson measures the formats in that order (or one
 * alone). On PostgreSQL the importer writes by COPY (ImportService's default).
 * Before the measured runs, each driver imports WARM_UP_ROWS of each register and format and
 * loads as many raw, untimed, so that neither side pays the process's first statements (PostGIS
 * loading its functions, plans, the code's first runs) in its figure; BENCH_NO_WARM_UP=1 leaves
 * it out.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { connect, type Database } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { bulkInsert } from '../src/db/repositories/bulk.ts';
import { SYSTEM_ACTOR } from '../src/services/actor.ts';
import { ImportService } from '../src/services/imports.ts';
import { keyringFromSecret } from '../src/services/personal-data.ts';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const HAZARDS = Math.max(10, Math.round(100_000 * scale));
const FINDINGS = Math.max(10, Math.round(1_000_000 * scale));
const pgUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || undefined;
const dir = mkdtempSync(join(tmpdir(), 'safeground-bench-import-'));
/** The formats measured, in this order (BENCH_FORMATS=csv,geojson to measure CSV first). */
const FORMATS = (process.env.BENCH_FORMATS ?? 'geojson,csv')
  .split(',')
  .filter((f): f is 'geojson' | 'csv' => f === 'geojson' || f === 'csv');
/** Rows of the untimed warm-up of each register, format and baseline. */
const WARM_UP_ROWS = 200;

type Kind = 'hazards' | 'findings';

/** Row i of the synthetic data: hazards are hexagons of about 200 m, findings points on a grid, over Armenia's extent. */
function hazardRow(i: number) {
  const lon = 43.5 + (i % 400) * 0.008;
  const lat = 38.9 + Math.floor(i / 400) * 0.008 * (250 / Math.max(250, HAZARDS / 400));
  const r = 0.001;
  const ring = Array.from({ length: 6 }, (_, k) => [
    Math.round((lon + r * Math.cos((k * Math.PI) / 3)) * 1e7) / 1e7,
    Math.round((lat + r * Math.sin((k * Math.PI) / 3)) * 1e7) / 1e7,
  ]);
  ring.push(ring[0]!);
  return { id: `hz-${i}`, type: i % 3 ? 'SHA' : 'CHA', name: `Hazard ${i}`, beneficiaries: i % 500, ring };
}
function findingRow(i: number) {
  const lon = Math.round((43.5 + (i % 2000) * 0.0016) * 1e7) / 1e7;
  const lat = Math.round((38.9 + Math.floor(i / 2000) * (2 / Math.max(500, FINDINGS / 2000))) * 1e7) / 1e7;
  return {
    id: `eo-${i}`,
    category: ['AP', 'AV', 'other_erw'][i % 3]!,
    foundOn: `20${10 + (i % 14)}-0${1 + (i % 9)}-1${i % 10}`,
    quantity: 1 + (i % 4),
    depthCm: i % 30,
    lon,
    lat,
  };
}

const wkt = (ring: number[][]) => `POLYGON ((${ring.map((p) => `${p[0]} ${p[1]}`).join(', ')}))`;

async function writeLines(path: string, lines: Iterable<string>) {
  await pipeline(Readable.from(lines), createWriteStream(path));
}

function* geojsonLines(kind: Kind, n: number) {
  yield '{"type":"FeatureCollection","features":[\n';
  for (let i = 0; i < n; i++) {
    const sep = i ? ',\n' : '';
    if (kind === 'hazards') {
      const h = hazardRow(i);
      yield `${sep}${JSON.stringify({ type: 'Feature', id: h.id, geometry: { type: 'Polygon', coordinates: [h.ring] }, properties: { type: h.type, name: h.name, beneficiaries: h.beneficiaries } })}`;
    } else {
      const f = findingRow(i);
      yield `${sep}${JSON.stringify({ type: 'Feature', id: f.id, geometry: { type: 'Point', coordinates: [f.lon, f.lat] }, properties: { category: f.category, foundOn: f.foundOn, quantity: f.quantity, depthCm: f.depthCm } })}`;
    }
  }
  yield '\n]}\n';
}

function* csvLines(kind: Kind, n: number) {
  yield kind === 'hazards'
    ? 'id,type,name,beneficiaries,geometry_wkt\n'
    : 'id,category,foundOn,quantity,depthCm,lat,lon\n';
  for (let i = 0; i < n; i++) {
    if (kind === 'hazards') {
      const h = hazardRow(i);
      yield `${h.id},${h.type},${h.name},${h.beneficiaries},"${wkt(h.ring)}"\n`;
    } else {
      const f = findingRow(i);
      yield `${f.id},${f.category},${f.foundOn},${f.quantity},${f.depthCm},${f.lat},${f.lon}\n`;
    }
  }
}

/** The rows as the raw load writes them: the same columns the importer fills. */
function rawRows(kind: Kind, n: number, start: number, count: number) {
  const out: Array<Record<string, unknown>> = [];
  for (let i = start; i < Math.min(n, start + count); i++) {
    if (kind === 'hazards') {
      const h = hazardRow(i);
      out.push({
        type: h.type,
        name: h.name,
        beneficiaries: h.beneficiaries,
        externalId: h.id,
        geom: { type: 'Polygon', coordinates: [h.ring] },
      });
    } else {
      const f = findingRow(i);
      out.push({
        category: f.category,
        foundOn: f.foundOn,
        quantity: f.quantity,
        depthCm: f.depthCm,
        externalId: f.id,
        geom: { type: 'Point', coordinates: [f.lon, f.lat] },
      });
    }
  }
  return out;
}

async function reset(database: Database, kind: Kind) {
  await sql`truncate ${sql.table(kind)}, record_changes cascade`.execute(database.db);
}

/** Raw baseline on PGlite: multi-row INSERT statements (src/db/repositories/bulk.ts) in one transaction. */
async function rawInsert(database: Database, kind: Kind, n: number) {
  await database.db.transaction().execute(async (trx) => {
    for (let start = 0; start < n; start += 20_000) {
      await bulkInsert(trx, kind, rawRows(kind, n, start, 20_000), {
        geometry: { geom: { multi: kind === 'hazards' } },
        batchSize: 1000,
      });
    }
  });
}

/** Raw baseline on PostgreSQL: COPY of the same rows, geometry as EWKT. */
async function rawCopy(url: string, kind: Kind, n: number) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns =
      kind === 'hazards'
        ? 'type, name, beneficiaries, external_id, geom'
        : 'category, found_on, quantity, depth_cm, external_id, geom';
    const stream = client.query(copyFrom(`COPY ${kind} (${columns}) FROM STDIN`));
    function* lines() {
      for (let i = 0; i < n; i++) {
        if (kind === 'hazards') {
          const h = hazardRow(i);
          yield `${h.type}\t${h.name}\t${h.beneficiaries}\t${h.id}\tSRID=4326;MULTI${wkt(h.ring).replace('POLYGON ', 'POLYGON(')})\n`;
        } else {
          const f = findingRow(i);
          yield `${f.category}\t${f.foundOn}\t${f.quantity}\t${f.depthCm}\t${f.id}\tSRID=4326;POINT(${f.lon} ${f.lat})\n`;
        }
      }
    }
    await pipeline(Readable.from(lines()), stream);
  } finally {
    await client.end();
  }
}

/** `ogr2ogr` loading the file into a new table of its own in the same PostgreSQL database. */
function ogr2ogr(url: string, file: string, kind: Kind): number | null {
  try {
    execFileSync('ogr2ogr', ['--version']);
  } catch {
    return null;
  }
  const u = new URL(url);
  const host = u.searchParams.get('host') ?? u.hostname;
  const conn = `PG:dbname=${u.pathname.slice(1)} host=${host}${u.username ? ` user=${u.username}` : ''}${u.password ? ` password=${u.password}` : ''}${u.port ? ` port=${u.port}` : ''}`;
  const csvOptions = file.endsWith('.csv')
    ? kind === 'hazards'
      ? ['-oo', 'GEOM_POSSIBLE_NAMES=geometry_wkt', '-oo', 'KEEP_GEOM_COLUMNS=NO', '-a_srs', 'EPSG:4326']
      : ['-oo', 'X_POSSIBLE_NAMES=lon', '-oo', 'Y_POSSIBLE_NAMES=lat', '-a_srs', 'EPSG:4326']
    : [];
  const start = performance.now();
  execFileSync(
    'ogr2ogr',
    [
      '-f',
      'PostgreSQL',
      conn,
      file,
      '-nln',
      `ogr_bench_${kind}`,
      '-overwrite',
      '-lco',
      'GEOMETRY_NAME=geom',
      ...(kind === 'hazards' ? ['-nlt', 'MULTIPOLYGON'] : []),
      ...csvOptions,
    ],
    { stdio: 'pipe' },
  );
  return performance.now() - start;
}

/** A register's files: the measured ones and the small ones of the warm-up. */
type Files = Record<'geojson' | 'csv' | 'geojsonWarmUp' | 'csvWarmUp', string>;

interface Result {
  driver: string;
  kind: Kind;
  format: string;
  rows: number;
  importMs: number;
  rawMs: number;
  ogrMs: number | null;
}

async function benchDriver(driver: 'pglite' | 'postgresql', files: Record<Kind, Files>): Promise<Result[]> {
  const database = await connect(
    driver === 'postgresql' ? { url: pgUrl! } : { dataDir: join(dir, 'pglite') },
  );
  if (driver === 'postgresql')
    await database.execScript(
      'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; CREATE EXTENSION IF NOT EXISTS postgis;',
    );
  await migrate(database);
  const keyring = keyringFromSecret('bench-import-secret-0123456789abcdef');
  const importer = new ImportService(database, keyring);
  if (process.env.BENCH_NO_WARM_UP !== '1') {
    const t = performance.now();
    // Small files are read in this thread, the measured ones in the import worker the server
    // starts at its start (ImportService's default): the warm-up goes both ways.
    const inWorker = new ImportService(database, keyring, { worker: 'always' });
    for (const kind of ['hazards', 'findings'] as const) {
      for (const format of ['geojson', 'csv'] as const) {
        for (const service of [importer, inWorker]) {
          await reset(database, kind);
          await service.importFile(
            SYSTEM_ACTOR,
            { path: files[kind][`${format}WarmUp`] },
            { register: kind },
          );
        }
      }
      await reset(database, kind);
      if (driver === 'postgresql') await rawCopy(pgUrl!, kind, WARM_UP_ROWS);
      else await rawInsert(database, kind, WARM_UP_ROWS);
      await reset(database, kind);
    }
    console.log(`${driver.padEnd(10)} (warm-up, untimed: ${Math.round(performance.now() - t)} ms)`);
  }
  const results: Result[] = [];
  for (const kind of ['hazards', 'findings'] as const) {
    const n = kind === 'hazards' ? HAZARDS : FINDINGS;
    for (const format of FORMATS) {
      await reset(database, kind);
      let t = performance.now();
      const summary = await importer.importFile(
        SYSTEM_ACTOR,
        { path: files[kind][format] },
        { register: kind },
      );
      const importMs = performance.now() - t;
      if (summary.imported !== n)
        throw new Error(
          `${driver} ${kind} ${format}: imported ${summary.imported} of ${n} (${JSON.stringify(summary.rejects.slice(0, 3))})`,
        );
      await reset(database, kind);
      t = performance.now();
      if (driver === 'postgresql') await rawCopy(pgUrl!, kind, n);
      else await rawInsert(database, kind, n);
      const rawMs = performance.now() - t;
      const ogrMs = driver === 'postgresql' ? ogr2ogr(pgUrl!, files[kind][format], kind) : null;
      const r = { driver, kind, format, rows: n, importMs, rawMs, ogrMs };
      results.push(r);
      print(r);
    }
    await reset(database, kind);
  }
  await database.close();
  return results;
}

const perSecond = (rows: number, ms: number) => Math.round(rows / (ms / 1000));

function print(r: Result) {
  const cells = [
    r.driver.padEnd(10),
    r.kind.padEnd(8),
    r.format.padEnd(7),
    String(r.rows).padStart(8),
    String(perSecond(r.rows, r.importMs)).padStart(10),
    String(perSecond(r.rows, r.rawMs)).padStart(10),
    (r.rawMs / r.importMs).toFixed(2).padStart(8),
    r.ogrMs === null ? '       –' : String(perSecond(r.rows, r.ogrMs)).padStart(8),
    r.ogrMs === null ? '      –' : (r.ogrMs / r.importMs).toFixed(2).padStart(7),
  ];
  console.log(cells.join(' | '));
}

async function main() {
  console.log(
    `bench:import  hazards ${HAZARDS}, findings ${FINDINGS} (BENCH_SCALE=${scale}), PostgreSQL: ${pgUrl ? 'yes' : 'no (set BENCH_DATABASE_URL)'}`,
  );
  const files = { hazards: {}, findings: {} } as Record<Kind, Files>;
  for (const kind of ['hazards', 'findings'] as const) {
    const n = kind === 'hazards' ? HAZARDS : FINDINGS;
    files[kind].geojson = join(dir, `${kind}.geojson`);
    files[kind].csv = join(dir, `${kind}.csv`);
    files[kind].geojsonWarmUp = join(dir, `${kind}-warm-up.geojson`);
    files[kind].csvWarmUp = join(dir, `${kind}-warm-up.csv`);
    await writeLines(files[kind].geojson, geojsonLines(kind, n));
    await writeLines(files[kind].csv, csvLines(kind, n));
    await writeLines(files[kind].geojsonWarmUp, geojsonLines(kind, WARM_UP_ROWS));
    await writeLines(files[kind].csvWarmUp, csvLines(kind, WARM_UP_ROWS));
    console.log(
      `  ${kind}: ${(statSync(files[kind].geojson).size / 1e6).toFixed(1)} MB GeoJSON, ${(statSync(files[kind].csv).size / 1e6).toFixed(1)} MB CSV`,
    );
  }
  console.log(
    'driver     | register | format  |     rows | import r/s |    raw r/s | imp/raw | ogr r/s | imp/ogr',
  );
  console.log(
    '  (imp/raw = import rate ÷ raw bulk rate; imp/ogr = import rate ÷ ogr2ogr rate; raw = COPY on PostgreSQL, multi-row INSERT on PGlite)',
  );
  if (process.env.BENCH_SKIP_PGLITE !== '1') await benchDriver('pglite', files);
  if (pgUrl) await benchDriver('postgresql', files);
  rmSync(dir, { recursive: true, force: true });
}

await main();
