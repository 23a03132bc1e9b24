/**
 * Vector tile latency over national-scale synthetic data (npm run bench:tiles).
 *
 * Seeds BENCH_FINDINGS findings (default 1 000 000) and BENCH_HAZARDS hazards (default
 * 100 000) into a temporary PGlite folder and, when BENCH_DATABASE_URL or DATABASE_URL is set,
 * into that PostgreSQL database (use a dedicated one: rows are added, never removed; a re-run
 * reuses them). Then, per driver, layer and zoom (8, 12, 15), requests BENCH_TILES tiles
 * (default 40) through HTTP (app.inject, signed in, with the ETag hashing): once just after the
 * server started and made its warm-up tiles (every zoom in turn: the first user's wait, reported
 * as "1st p95"; BENCH_NO_WARM_UP=1 leaves the warm-up out), then per
 * zoom cold (the tile cache emptied first, so every tile is made from the database) and warm
 * (the same tiles again, from the cache). As baseline in the same run it runs the tile's own SQL directly:
 * ST_AsMVT on PostgreSQL, the JS path's row query on PGlite; for the findings' cluster zooms
 * also the live aggregation the pre-aggregated cells replace. Prints median and p95 of each.
 *
 *   BENCH_FINDINGS=100000 BENCH_HAZARDS=10000 npm run bench:tiles     # a quick run
 *   BENCH_PGLITE_DIR=/tmp/sg-bench   keeps (and reuses) the seeded PGlite folder
 *   BENCH_DRIVERS=postgresql         only one driver
 *   BENCH_ZOOMS=5,8,10               other zooms (default 8,12,15)
 *   BENCH_LAYERS=hazard-points       other layers (default findings,hazards)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { connect, type Database } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { syntheticHazardCentres } from '../src/db/repositories/synthetic.ts';
import {
  isClustered,
  mvtTile,
  outlineBand,
  type TileQuery,
  tileFeatures,
  tileLayer,
} from '../src/db/repositories/tiles.ts';
import { buildApp } from '../src/http/app.ts';
import { tilesPlugin } from '../src/http/tiles/plugin.ts';
import { createUser } from '../src/services/auth.ts';
import type { TileEncoder } from '../src/services/tiles.ts';
import { SYNTHETIC_REGION, seedSynthetic } from './synthetic.ts';

const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 1_000_000);
const HAZARDS = Number(process.env.BENCH_HAZARDS ?? 100_000);
const TILES = Number(process.env.BENCH_TILES ?? 40);
const ZOOMS = (process.env.BENCH_ZOOMS ?? '8,12,15').split(',').map(Number);
const LAYERS = (process.env.BENCH_LAYERS ?? 'findings,hazards').split(',');
const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const drivers = (process.env.BENCH_DRIVERS ?? `pglite${pgUrl ? ',postgresql' : ''}`).split(',');

interface Address {
  z: number;
  x: number;
  y: number;
}

function tileOf(lon: number, lat: number, z: number): Address {
  const n = 2 ** z;
  const phi = (lat * Math.PI) / 180;
  return {
    z,
    x: Math.floor(((lon + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n),
  };
}

/** Zoom 8: every tile of the country, evenly thinned to TILES; 12 and 15: tiles at hazard centres. */
async function benchTiles(database: Database, z: number): Promise<Address[]> {
  if (z <= 8) {
    const { west, south, east, north } = SYNTHETIC_REGION;
    const a = tileOf(west, north, z);
    const b = tileOf(east, south, z);
    const all: Address[] = [];
    for (let x = a.x; x <= b.x; x++) for (let y = a.y; y <= b.y; y++) all.push({ z, x, y });
    const step = Math.max(1, all.length / TILES);
    return Array.from({ length: Math.min(TILES, all.length) }, (_, i) => all[Math.floor(i * step)]!);
  }
  const centres = await syntheticHazardCentres(database.db, TILES);
  return centres.map(([lon, lat]) => tileOf(lon, lat, z));
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

interface Row {
  driver: string;
  encoder: TileEncoder;
  layer: string;
  z: number;
  tiles: number;
  /** The first pass after the server started. */
  firstP95: number;
  httpMedian: number;
  httpP95: number;
  warmMedian: number;
  warmP95: number;
  sqlMedian: number;
  sqlP95: number;
  /** The live cluster aggregation (findings below zoom 12 only), what the cells replace. */
  liveMedian: number | undefined;
  meanKb: number;
}

async function signIn(database: Database, app: FastifyInstance): Promise<Record<string, string>> {
  const email = `bench-${Date.now().toString(36)}@bench.safeground.org`;
  const password = 'Bench-password-1';
  await createUser(database, { email, password, role: 'viewer', organisationId: null });
  const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  if (r.statusCode !== 200) throw new Error(`login failed: ${r.body}`);
  return { authorization: `Bearer ${r.json().token}` };
}

async function measure(database: Database, driver: string, encoder: TileEncoder): Promise<Row[]> {
  const app = await buildApp({ database, plugins: [(a) => tilesPlugin(a, { encoder })] });
  await app.ready();
  const headers = await signIn(database, app);
  const rows: Row[] = [];
  /** Requests each tile in turn; the times of each, and the bytes of all the answers. */
  const fetchAll = async (name: string, tiles: Address[]) => {
    const times: number[] = [];
    let bytes = 0;
    for (const t of tiles) {
      const started = performance.now();
      const r = await app.inject({ method: 'GET', url: `/tiles/${name}/${t.z}/${t.x}/${t.y}.mvt`, headers });
      times.push(performance.now() - started);
      if (r.statusCode !== 200 && r.statusCode !== 204)
        throw new Error(`${name} ${t.z}/${t.x}/${t.y}: ${r.statusCode} ${r.body}`);
      bytes += r.rawPayload.length;
    }
    return { times, bytes };
  };
  // The first pass after start, over every tile of every zoom: what the first user of a server
  // just started waits (the database's pages, the plans and the JS code not warm yet). Reported
  // apart; the cold and warm passes below run on a server that has run.
  const first = new Map<string, number[]>();
  // As the server does once it has started (src/cli/server.ts); BENCH_NO_WARM_UP=1 leaves it out.
  if (process.env.BENCH_NO_WARM_UP !== '1') {
    const started = performance.now();
    const made = await app.services.tiles.warmUp({
      encoder,
      onError: (err) => {
        throw err;
      },
    });
    console.log(
      `  ${driver}/${encoder}: warm-up, ${made} tiles in ${(performance.now() - started).toFixed(0)} ms`,
    );
  }
  for (const z of ZOOMS) {
    const tiles = await benchTiles(database, z);
    for (const name of LAYERS) {
      first.set(
        `${name}/${z}`,
        (await fetchAll(name, tiles)).times.sort((a, b) => a - b),
      );
    }
  }
  app.services.tiles.cache.clear();
  for (const z of ZOOMS) {
    const tiles = await benchTiles(database, z);
    for (const name of LAYERS) {
      const layer = tileLayer(name)!;
      const raw: number[] = [];
      const live: number[] = [];
      // one unmeasured request: plans and caches warm, as on a server that has run a while
      await fetchAll(name, tiles.slice(0, 1));
      app.services.tiles.cache.clear();
      const run = async (encoder: TileEncoder, q: TileQuery) =>
        encoder === 'postgis' ? mvtTile(database.db, q) : tileFeatures(database.db, q);
      // Each series in its own pass: the live tiles (the whole register read) leave garbage that
      // would otherwise be collected during the next measured request.
      const { times: http, bytes } = await fetchAll(name, tiles);
      const { times: warm } = await fetchAll(name, tiles);
      const queries = tiles.map((t): TileQuery => ({ layer, filters: { equals: [] }, ...t }));
      for (const q of queries) {
        const started = performance.now();
        await run(encoder, q);
        raw.push(performance.now() - started);
      }
      for (const q of queries) {
        if ((isClustered(q) && layer.clusterTable) || outlineBand(q) !== undefined || layer.pointTable) {
          const started = performance.now();
          const plain = { ...layer, clusterTable: undefined, outlineTable: undefined, pointTable: undefined };
          await run(encoder, { ...q, layer: plain });
          live.push(performance.now() - started);
        }
      }
      for (const a of [http, warm, raw, live]) a.sort((a, b) => a - b);
      rows.push({
        driver,
        encoder,
        layer: name,
        z,
        tiles: tiles.length,
        firstP95: quantile(first.get(`${name}/${z}`)!, 0.95),
        httpMedian: quantile(http, 0.5),
        httpP95: quantile(http, 0.95),
        warmMedian: quantile(warm, 0.5),
        warmP95: quantile(warm, 0.95),
        sqlMedian: quantile(raw, 0.5),
        sqlP95: quantile(raw, 0.95),
        liveMedian: live.length ? quantile(live, 0.5) : undefined,
        meanKb: bytes / tiles.length / 1024,
      });
      const last = rows[rows.length - 1]!;
      console.log(
        `  ${driver}/${encoder} ${name} z${z}: cold median ${last.httpMedian.toFixed(1)} ms, warm ${last.warmMedian.toFixed(1)} ms, SQL ${last.sqlMedian.toFixed(1)} ms`,
      );
    }
  }
  await app.close();
  return rows;
}

async function runDriver(driver: string): Promise<Row[]> {
  let dir: string | undefined;
  const keepDir = process.env.BENCH_PGLITE_DIR;
  const tempDir = () => {
    dir = mkdtempSync(join(tmpdir(), 'safeground-bench-'));
    return dir;
  };
  const database =
    driver === 'postgresql'
      ? await connect({ url: pgUrl! })
      : await connect({ dataDir: keepDir ?? tempDir() });
  try {
    await migrate(database);
    let lastShown = 0;
    const seeded = await seedSynthetic(database, {
      findings: FINDINGS,
      hazards: HAZARDS,
      seed: 1,
      onProgress: ({ kind, done, total }) => {
        if (performance.now() - lastShown > 10_000 || done === total) {
          lastShown = performance.now();
          console.log(`  ${driver}: ${kind} ${done.toLocaleString('en')} / ${total.toLocaleString('en')}`);
        }
      },
    });
    console.log(
      `${driver}: ${seeded.hazards} hazards, ${seeded.findings} findings ready in ${seeded.seconds.toFixed(0)} s`,
    );
    const encoders: TileEncoder[] = driver === 'postgresql' ? ['postgis', 'js'] : ['js'];
    const rows: Row[] = [];
    for (const e of encoders) rows.push(...(await measure(database, driver, e)));
    return rows;
  } finally {
    await database.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

const all: Row[] = [];
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (at the start)`,
);
console.log(
  `bench:tiles — ${FINDINGS.toLocaleString('en')} findings, ${HAZARDS.toLocaleString('en')} hazards, ${TILES} tiles per zoom, ` +
    `${cpus().length} CPU (${cpus()[0]?.model ?? '?'}), Node ${process.version}`,
);
for (const d of drivers) all.push(...(await runDriver(d)));

const pad = (s: string, n: number) => s.padStart(n);
const ms = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(1));
console.log('');
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (at the end of the run)`,
);
console.log(
  `${'driver'.padEnd(11)} ${'encoder'.padEnd(8)} ${'layer'.padEnd(9)} ${pad('z', 3)} ${pad('tiles', 5)} ${pad('1st p95', 8)} ${pad('cold med', 9)} ${pad('cold p95', 9)} ${pad('warm med', 9)} ${pad('warm p95', 9)} ${pad('SQL med', 9)} ${pad('SQL p95', 9)} ${pad('live med', 9)} ${pad('KiB', 7)}`,
);
for (const r of all) {
  console.log(
    `${r.driver.padEnd(11)} ${r.encoder.padEnd(8)} ${r.layer.padEnd(9)} ${pad(String(r.z), 3)} ${pad(String(r.tiles), 5)} ${pad(ms(r.firstP95), 8)} ` +
      `${pad(ms(r.httpMedian), 9)} ${pad(ms(r.httpP95), 9)} ${pad(ms(r.warmMedian), 9)} ${pad(ms(r.warmP95), 9)} ` +
      `${pad(ms(r.sqlMedian), 9)} ${pad(ms(r.sqlP95), 9)} ${pad(ms(r.liveMedian), 9)} ${pad(r.meanKb.toFixed(1), 7)}`,
  );
}
console.log(
  'times in ms over HTTP: 1st = every tile once just after start (after the server made its warm-up tiles); cold = tile cache emptied, warm = the same tiles again; SQL = the tile statement run ' +
    'directly, ST_AsMVT (postgis) or the JS path row query (js); live = the same tile without the pre-aggregated cluster cells, the hazard outlines or points',
);
