import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.ts';
import { SYSTEM_ACTOR } from '../../src/services/actor.ts';
import { importWorkers } from '../../src/services/import-check.ts';
import {
  type ImportOptions,
  type ImportProgress,
  ImportService,
  type ImportSummary,
  KEPT_WORKER_MIN_BYTES,
  readsInWorker,
  WORKER_MIN_BYTES,
} from '../../src/services/imports.ts';
import { loadKeyring } from '../../src/services/personal-data.ts';
import { testDatabase, testDatabaseKind, unique } from './helpers/db.ts';

/**
 * Files of WORKER_MIN_BYTES or more are read and checked in a worker thread; smaller ones in the
 * server's thread. Either way an import must read the same rows, refuse the same ones with the
 * same faults in the same order, store the same records, report its progress and warnings, and
 * throw the same fault for a file it cannot read.
 */

const fixtures = new URL('../fixtures/io/', import.meta.url).pathname;

let database: Database;
let inWorker: ImportService;
let inThread: ImportService;
let keyring: ReturnType<typeof loadKeyring>;

beforeAll(async () => {
  database = await testDatabase();
  keyring = loadKeyring({
    secret: 'import-worker-tests-secret-0123456789abcdef',
    keyFile: '/nonexistent',
  });
  inWorker = new ImportService(database, keyring, { worker: 'always' });
  inThread = new ImportService(database, keyring, { worker: 'never' });
});

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'safeground-import-worker-')), name);
  writeFileSync(path, text);
  return path;
}

/** What two runs must share: all but the report each made. */
const comparable = ({ reportId: _, ...rest }: ImportSummary) => rest;

async function both(path: string, opts: ImportOptions): Promise<[ImportSummary, ImportSummary]> {
  return [
    await inThread.importFile(SYSTEM_ACTOR, { path }, opts),
    await inWorker.importFile(SYSTEM_ACTOR, { path }, opts),
  ];
}

describe(`imports read in a worker thread on ${testDatabaseKind()}`, () => {
  it('give the same summaries as in the thread for every kind of file (dry runs, with and without repair)', async () => {
    const cases: Array<[string, ImportOptions]> = [
      [
        'broken.geojson',
        { register: 'hazards', mapping: { fields: { name: 'name' }, constants: { type: 'SHA' } } },
      ],
      ['messy-hazards.geojson', { register: 'hazards', repair: true }],
      ['messy-hazards.geojsons', { register: 'hazards' }],
      ['hazards-no-prj.shp.zip', { register: 'hazards' }],
      ['hazards-utm38n.shp.zip', { register: 'hazards', repair: true }],
      ['hazards.gpkg', { register: 'hazards' }],
      ['hazards.kmz', { register: 'hazards' }],
      ['findings.xlsx', { register: 'findings' }],
      ['findings.kml', { register: 'findings' }],
      ['blank-rows.csv', { register: 'findings' }],
      ['cp1251.csv', { register: 'settlements' }],
      ['kobo-submissions.json', { register: 'findings' }],
    ];
    for (const [name, opts] of cases) {
      const [thread, worker] = await both(join(fixtures, name), { ...opts, dryRun: true });
      expect(thread.read, name).toBeGreaterThan(0);
      expect(comparable(worker), name).toEqual(comparable(thread));
    }
  });

  it('refuse repeated ids and number repeated rows across chunks, look references up, and store the same records', async () => {
    const hazard = await inThread.importFile(
      SYSTEM_ACTOR,
      { path: file('h.geojson', JSON.stringify(hazardCollection(unique('ref')))) },
      { register: 'hazards' },
    );
    const { rows } = await sql<{ id: string }>`
      select id from hazards h join record_changes c on c.record_id = h.id
      where c.report_id = ${hazard.reportId}`.execute(database.db);
    const held = rows[0]!.id;
    const missing = '00000000-0000-4000-8000-000000000000';
    const stored = async (prefix: string) =>
      (
        await sql<Record<string, unknown>>`
          select substr(external_id, ${prefix.length + 1}) as key, category, quantity, hazard_id,
            ST_AsText(geom) as geom
          from findings where external_id like ${`${prefix}%`} order by external_id`.execute(database.db)
      ).rows;
    const tags = [unique('t'), unique('w')];
    const summaries: ImportSummary[] = [];
    // Batches of 1 000: the repeated id and the numbered rows are in other batches than the first.
    const services = (['never', 'always'] as const).map(
      (worker) => new ImportService(database, keyring, { worker, batchSize: 1000 }),
    );
    for (const [i, service] of services.entries()) {
      const lines = ['id,category,quantity,hazardId,foundOn,lat,lon'];
      // 2 600 rows: three chunks; an id repeated 1 500 rows later; identical rows without an id.
      for (let n = 0; n < 2600; n++) {
        const id = n === 1700 ? `${tags[i]}-200` : n % 500 === 7 ? '' : `${tags[i]}-${n}`;
        const hazardId = n % 300 === 1 ? missing : n % 300 === 2 ? 'not-a-uuid' : n % 3 === 0 ? held : '';
        const category = n % 450 === 4 ? 'nonsense' : 'AP';
        // Rows without an id are identical within a run (each run its own place: not skipped as held).
        if (id === '') lines.push(`,AP,1,,2024-05-01,${39 + i},43`);
        else
          lines.push(
            `${id},${category},${1 + (n % 4)},${hazardId},2024-05-01,${40 + n * 1e-5},${44 + (n % 500) * 1e-5}`,
          );
      }
      const path = file('f.csv', `${lines.join('\n')}\n`);
      summaries.push(await service.importFile(SYSTEM_ACTOR, { path }, { register: 'findings' }));
    }
    const [thread, worker] = summaries as [ImportSummary, ImportSummary];
    expect(thread.rejectsByCode).toMatchObject({
      'record.reference_not_found': 9,
      'import.external_id.duplicate': 1,
    });
    expect(thread.imported).toBeGreaterThan(2500);
    const withoutTags = (s: ImportSummary, tag: string) =>
      JSON.parse(JSON.stringify(comparable(s)).replaceAll(tag, 'TAG'));
    expect(withoutTags(worker, tags[1]!)).toEqual(withoutTags(thread, tags[0]!));
    const [a, b] = [await stored(tags[0]!), await stored(tags[1]!)];
    expect(a).toHaveLength(thread.imported - 6);
    expect(b).toEqual(a);
    expect(a.filter((r) => r.hazardId === held).length).toBeGreaterThan(800);
  });

  it('report progress as they read, warnings, and the fault of a file that cannot be read', async () => {
    const lines = ['id,category,foundOn,lat,lon'];
    for (let n = 0; n < 5000; n++) lines.push(`${unique('p')},AP,2024-05-01,${40 + n * 1e-5},44`);
    const path = file('p.csv', `${lines.join('\n')}\n`);
    const seen: ImportProgress[] = [];
    const s = await inWorker.importFile(
      SYSTEM_ACTOR,
      { path },
      { register: 'findings', dryRun: true, onProgress: (p) => seen.push(p) },
    );
    expect(s.valid).toBe(5000);
    expect(seen.map((p) => p.read)).toEqual([1000, 2000, 3000, 4000, 5000, 5000, 5000]);
    expect(seen.at(-1)).toEqual({ read: 5000, total: 5000, percent: 100 });
    const percents = seen.map((p) => p.percent!);
    expect(percents).toEqual([...percents].sort((x, y) => x - y));

    const noPrj = await inWorker.importFile(
      SYSTEM_ACTOR,
      { path: join(fixtures, 'hazards-no-prj.shp.zip') },
      { register: 'hazards', dryRun: true, locale: 'fr' },
    );
    expect(noPrj.warnings.map((w) => w.code)).toEqual(['io.crs.assumed']);

    for (const [name, code] of [
      ['not-a-zip.zip', 'io.zip.invalid'],
      ['truncated.geojson', 'io.json.parse'],
      ['no-geometry.csv', 'io.csv.columns'],
    ] as const) {
      const path = join(fixtures, name);
      await expect(
        inThread.importFile(SYSTEM_ACTOR, { path }, { register: 'hazards' }),
        name,
      ).rejects.toMatchObject({ code });
      await expect(
        inWorker.importFile(SYSTEM_ACTOR, { path }, { register: 'hazards' }),
        name,
      ).rejects.toMatchObject({ code });
    }
  });
  it.runIf(importWorkers.useful)(
    'read files in a worker from 4 MiB, or 1 MiB while a worker is kept',
    async () => {
      importWorkers.warm();
      expect(importWorkers.kept).toBe(true);
      const sized = (bytes: number) => file('sized.csv', 'x'.repeat(bytes));
      expect(await readsInWorker({ path: sized(KEPT_WORKER_MIN_BYTES - 1) })).toBe(false);
      expect(await readsInWorker({ path: sized(KEPT_WORKER_MIN_BYTES) })).toBe(true);
      expect(await readsInWorker({ path: sized(WORKER_MIN_BYTES) }, 'never')).toBe(false);
      expect(await readsInWorker({ path: sized(10) }, 'always')).toBe(true);
      expect(await readsInWorker({ path: '/nonexistent/file.csv' })).toBe(false);
    },
  );
});

function hazardCollection(id: string) {
  return {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        id,
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [44, 40],
              [44.01, 40],
              [44.01, 40.01],
              [44, 40.01],
              [44, 40],
            ],
          ],
        },
        properties: { type: 'SHA', name: 'Held' },
      },
    ],
  };
}
