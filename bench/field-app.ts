/**
 * `npm run bench:field`: how long an area of 500 hazards and 20 000 findings takes to load onto a
 * device with the field app (web/src/field), on the embedded database: Chromium signs in at
 * /field, downloads the area (the records page by page from GET /api/v1/sync/area into
 * IndexedDB, then the basemap tiles into the map cache), then opens the offline map and waits
 * until MapLibre has drawn every record. The baseline, in the same run, is the same pages read
 * by a plain HTTP client that keeps nothing, so the device's own cost reads as the difference.
 *
 * Env: BENCH_HAZARDS (default 500), BENCH_FINDINGS (20 000), BENCH_DATA_DIR (reuse a seeded PGlite folder).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ensureWebBuilt } from '../src/cli/build-web.ts';
import { connect } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { buildServer } from '../src/http/server.ts';
import { createUser } from '../src/services/auth.ts';
import { SYNTHETIC_REGION, seedSynthetic } from './synthetic.ts';

const HAZARDS = Number(process.env.BENCH_HAZARDS ?? 500);
const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 20_000);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const distDir = await ensureWebBuilt({ log: (m) => console.error(m) });
const dataDir = process.env.BENCH_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'sg-bench-field-'));
const database = await connect({ dataDir });
await migrate(database);
const seeded = await seedSynthetic(database, { hazards: HAZARDS, findings: FINDINGS, seed: 1 });
console.error(`seeded ${seeded.hazards} hazards and ${seeded.findings} findings`);
const app = await buildServer({
  database,
  distDir,
  settings: {
    attachmentsDir: mkdtempSync(join(tmpdir(), 'sg-bench-att-')),
    keyFile: join(mkdtempSync(join(tmpdir(), 'sg-bench-key-')), 'k'),
  },
});
const base = await app.listen({ port: 0, host: '127.0.0.1' });
const email = `field-bench-${Date.now()}@bench.safeground.org`;
const password = 'Bench-password-1';
await createUser(database, { email, password, role: 'admin' });
const r = SYNTHETIC_REGION;
const bbox = [r.west, r.south, r.east, r.north].join(',');

// Baseline: the same pages, read and parsed, nothing kept.
const token = (
  (await (
    await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
  ).json()) as { token: string }
).token;
const t0 = performance.now();
let since: string | undefined;
let records = 0;
for (;;) {
  const q = new URLSearchParams({ bbox, limit: '2000', ...(since ? { since } : {}) });
  const page = (await (
    await fetch(`${base}/api/v1/sync/area?${q}`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as {
    next?: string;
    registers: Record<string, { upserts: unknown[] }>;
  };
  for (const reg of Object.values(page.registers)) records += reg.upserts.length;
  if (!page.next) break;
  since = page.next;
}
const httpOnly = (performance.now() - t0) / 1000;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--use-gl=angle',
    '--use-angle=swiftshader',
    '--enable-unsafe-swiftshader',
  ],
});
const page = await browser.newPage({ viewport: { width: 390, height: 844 }, baseURL: base });
await page.goto('/field');
await page.locator('#f-email').fill(email);
await page.locator('#f-password').fill(password);
await page.locator('form button[type=submit]').click();
await page.getByRole('button', { name: 'Choose an area' }).click();
const areaMap = page.locator('[data-testid="field-map"][data-loaded="true"]');
await areaMap.waitFor({ timeout: 120_000 });
await areaMap.evaluate(
  (el, b) => {
    const m = (el as HTMLElement & { maplibre: { fitBounds: (b: unknown, o: unknown) => void } }).maplibre;
    m.fitBounds(b, { duration: 0, padding: 0 });
  },
  [r.west, r.south, r.east, r.north],
);
await page.waitForTimeout(500);
const t1 = performance.now();
await page.getByTestId('download-view').click();
await page.locator('text=Map kept').waitFor({ timeout: 300_000 });
const recordsDone = (performance.now() - t1) / 1000;
await page.getByTestId('field-area-label').waitFor({ timeout: 300_000 });
const areaDone = (performance.now() - t1) / 1000;
const held = await page.locator('.field-home .field-hint').first().textContent();
const t2 = performance.now();
await page.getByRole('button', { name: 'Map', exact: true }).click();
await page.locator('[data-testid="field-map"][data-loaded="true"]').waitFor({ timeout: 120_000 });
await page.evaluate(
  () =>
    new Promise<void>((resolve) => {
      const el = document.querySelector('[data-testid="field-map"]') as HTMLElement & {
        maplibre: { loaded: () => boolean; once: (e: string, f: () => void) => void };
      };
      if (el.maplibre.loaded()) resolve();
      else el.maplibre.once('idle', () => resolve());
    }),
);
const mapDone = (performance.now() - t2) / 1000;
// Fluidity: frames drawn while the offline map pans for two seconds.
// (A string, so the bundler's helpers do not reach the page.)
const fps = (await page.evaluate(`new Promise((resolve) => {
  const map = document.querySelector('[data-testid="field-map"]').maplibre;
  let frames = 0;
  const start = performance.now();
  function tick() {
    frames++;
    if (performance.now() - start < 2000) requestAnimationFrame(tick);
    else resolve(frames / ((performance.now() - start) / 1000));
  }
  map.panBy([300, 200], { duration: 2000 });
  requestAnimationFrame(tick);
})`)) as number;
await browser.close();
await app.close();
await database.close();

console.log(
  `\nField app: area of ${seeded.hazards} hazards and ${seeded.findings} findings (${records} records in the feed), embedded database\n`,
);
console.log(`baseline: the feed read by a plain HTTP client   ${httpOnly.toFixed(1)} s`);
console.log(`device: records into IndexedDB                    ${recordsDone.toFixed(1)} s`);
console.log(`device: records and basemap kept (area ready)     ${areaDone.toFixed(1)} s   (${held?.trim()})`);
console.log(`device: offline map opened and drawn              ${mapDone.toFixed(1)} s`);
console.log(
  `device: offline map panning                       ${fps.toFixed(0)} frames/s (headless, software WebGL)`,
);
