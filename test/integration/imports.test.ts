import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { settingsFromEnv } from '../../src/config.ts';
import type { Database } from '../../src/db/connect.ts';
import { getRecord } from '../../src/db/repositories/registers.ts';
import { hazards } from '../../src/domain/records.ts';
import { polygonAreaM2 } from '../../src/geo/geodesic.ts';
import { buildApp } from '../../src/http/app.ts';
import { loadMapping, type Mapping } from '../../src/io/index.ts';
import { SYSTEM_ACTOR } from '../../src/services/actor.ts';
import { type ImportOptions, ImportService, type ImportSummary } from '../../src/services/imports.ts';
import { createServices } from '../../src/services/index.ts';
import { loadKeyring } from '../../src/services/personal-data.ts';
import { testdata } from '../fixtures/testdata.ts';
import {
  login,
  testApp,
  testDatabase,
  testDatabaseKind,
  testDataDir,
  testKeyFile,
  unique,
} from './helpers/db.ts';
import { square } from './helpers/geometry.ts';

const fixtures = new URL('../fixtures/io/', import.meta.url).pathname;
const colombia = testdata('colombia-events');
const examples = new URL('../../docs/examples/', import.meta.url).pathname;
const repoRoot = new URL('../../', import.meta.url).pathname;

let database: Database;
let service: ImportService;
let app: FastifyInstance;

const mappingFile = (path: string): Mapping => loadMapping(JSON.parse(readFileSync(path, 'utf8')));
/** Hazards from wkt.csv: names from the file, all SHA, the file's id column as externalId (made unique per test). */
const wktMapping = (): Mapping => ({
  fields: { name: 'name' },
  constants: { type: 'SHA' },
  externalId: 'eid',
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'safeground-import-test-'));
}

/** wkt.csv with an `eid` column unique to this run, so each test imports fresh records. */
function wktCsv(): string {
  const tag = unique('w');
  const lines = readFileSync(join(fixtures, 'wkt.csv'), 'utf8').trimEnd().split('\n');
  const out = [`eid,${lines[0]}`, ...lines.slice(1).map((l) => `${tag}-${l.split(',')[0]},${l}`)];
  const path = join(tempDir(), 'wkt.csv');
  writeFileSync(path, `${out.join('\n')}\n`);
  return path;
}

async function run(path: string, opts: ImportOptions): Promise<ImportSummary> {
  return service.importFile(SYSTEM_ACTOR, { path }, opts);
}

function codesAt(s: ImportSummary, index: number): string[] {
  return s.rejects.filter((r) => r.index === index).map((r) => r.code);
}

const accounted = (s: ImportSummary) => s.valid + s.skipped + s.rejected;

beforeAll(async () => {
  database = await testDatabase();
  app = await testApp();
  service = new ImportService(
    database,
    loadKeyring({ secret: 'import-tests-secret-0123456789abcdef', keyFile: '/nonexistent' }),
  );
});

describe(`file imports on ${testDatabaseKind()}`, () => {
  it('imports the Colombian events of 2005 as findings through a mapping, accounting for every feature, and a re-run duplicates nothing', async () => {
    const path = join(colombia, '2005.json');
    const raw = JSON.parse(readFileSync(path, 'utf8')) as {
      features: Array<{
        properties: Record<string, string>;
        geometry: { type: string; coordinates: number[] } | null;
      }>;
    };
    const findingTypes = ['3', '4', '5', '6', '7'];
    const expectedFindings = raw.features.filter(
      (f) =>
        findingTypes.includes(f.properties.TIPO_EVENTO!) &&
        f.geometry?.type === 'Point' &&
        Math.abs(f.geometry.coordinates[0]!) <= 180 &&
        Math.abs(f.geometry.coordinates[1]!) <= 90,
    ).length;
    const mapping = mappingFile(join(examples, 'colombia-events-findings.mapping.json'));

    const first = await run(path, { register: 'findings', mapping });
    expect(first.read).toBe(raw.features.length);
    expect(first.imported).toBe(expectedFindings);
    expect(first.rejected).toBe(raw.features.length - expectedFindings);
    expect(accounted(first)).toBe(first.read);
    const otherTypes = raw.features.filter((f) => !findingTypes.includes(f.properties.TIPO_EVENTO!)).length;
    expect(first.rejectsByCode['io.mapping.unknown_code']).toBe(otherTypes);
    // Each rejected feature is named by its index in the file.
    const firstAccident = raw.features.findIndex((f) => f.properties.TIPO_EVENTO === '1');
    expect(codesAt(first, firstAccident)).toContain('io.mapping.unknown_code');

    const second = await run(path, { register: 'findings', mapping });
    expect(second.imported).toBe(0);
    expect(second.skipped).toBe(expectedFindings);
    expect(second.rejected).toBe(first.rejected);

    // The findings are really there, with the year as date, history and one audit entry per batch.
    const stored = await sql<{ n: number; years: number }>`
      select count(*)::int as n, count(*) filter (where found_on = '2005-01-01')::int as years
      from findings f join record_changes c on c.record_id = f.id and c.op = 'create' and c.report_id = ${first.reportId}`.execute(
      database.db,
    );
    expect(stored.rows[0]).toEqual({ n: expectedFindings, years: expectedFindings });
    const audit = await sql<{ count: number }>`
      select (after->>'count')::int as count from audit_log where action = 'bulk_create' and report_id = ${first.reportId}`.execute(
      database.db,
    );
    expect(audit.rows.reduce((a, r) => a + r.count, 0)).toBe(expectedFindings);
    const report = await sql<{
      kind: string;
      status: string;
    }>`select kind, status from reports where id = ${first.reportId}`.execute(database.db);
    expect(report.rows[0]).toEqual({ kind: 'direct', status: 'approved' });

    // Their ids are time-ordered (UUIDv7), ascending in the order they were written.
    const ids = (
      await sql<{ id: string }>`
        select record_id as id from record_changes where report_id = ${first.reportId} order by seq`.execute(
        database.db,
      )
    ).rows.map((r) => r.id);
    expect(ids.filter((id) => id[14] === '7')).toHaveLength(expectedFindings);
    expect([...ids].sort()).toEqual(ids);

    // An imported finding's history tells its creation under the import's approved report, with
    // the record as written, though its batch was audited as one entry; a later edit follows it.
    const admin = await login('admin');
    const one = await sql<{ id: string; externalId: string; version: number }>`
      select f.id, f.external_id, f.version from findings f
      join record_changes c on c.record_id = f.id and c.report_id = ${first.reportId} limit 1`.execute(
      database.db,
    );
    const { id, externalId, version } = one.rows[0]!;
    const history = async () => {
      const r = await app.inject({ method: 'GET', url: `/api/v1/findings/${id}/history`, headers: admin });
      expect(r.statusCode, r.body).toBe(200);
      return r.json().items as Array<Record<string, any>>;
    };
    const created = await history();
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      action: 'bulk_create',
      before: null,
      after: { foundOn: '2005-01-01', geometry: { type: 'Point' } },
      approval: { reportId: first.reportId, kind: 'direct' },
    });
    expect(created[0]!.after.externalId).toBe(externalId);
    const edited = await app.inject({
      method: 'PATCH',
      url: `/api/v1/findings/${id}`,
      headers: { ...admin, 'if-match': `"${version}"` },
      payload: { type: 'Feature', properties: { quantity: 3 } },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    const later = await history();
    expect(later.map((h) => h.action)).toEqual(['bulk_create', 'update']);
    expect(later[1]!.seq).toBeGreaterThan(later[0]!.seq);
  });

  it('reports each broken WKT row with its row, field and reason, and imports the valid one', async () => {
    const s = await run(wktCsv(), { register: 'hazards', mapping: wktMapping() });
    expect(s.read).toBe(6);
    expect(s.imported).toBe(1);
    expect(s.rejected).toBe(5);
    expect(s.rejects.find((r) => r.index === 1)).toMatchObject({
      row: 3,
      field: 'geometry',
      code: 'geometry.ring_not_closed',
    });
    expect(s.rejects.find((r) => r.index === 2)).toMatchObject({
      row: 4,
      field: 'geometry',
      code: 'geometry.self_intersection',
    });
    expect(s.rejects.find((r) => r.index === 3)).toMatchObject({ row: 5, code: 'io.wkt.parse' });
    expect(s.rejects.find((r) => r.index === 4)).toMatchObject({ row: 6, code: 'io.geometry.null' });
    expect(s.rejects.find((r) => r.index === 5)).toMatchObject({ row: 7, code: 'geometry.type' });
    expect(s.rejects.every((r) => r.message.length > 10 && !r.message.includes(r.code))).toBe(true);
  });

  it('repairs a bow tie and an unclosed ring with --repair, names the rows, and stores the bow tie as two triangles', async () => {
    const s = await run(wktCsv(), { register: 'hazards', mapping: wktMapping(), repair: true });
    expect(s.imported).toBe(3);
    expect(s.repaired).toBe(2);
    expect(s.repairedRows.map((r) => [r.index, r.row, r.codes])).toEqual([
      [1, 3, ['geometry.ring_not_closed']],
      [2, 4, ['geometry.self_intersection']],
    ]);
    const bowTie = s.repairedRows.find((r) => r.index === 2)!;
    const id = (
      await sql<{ id: string }>`select id from hazards where external_id = ${bowTie.externalId}`.execute(
        database.db,
      )
    ).rows[0]!.id;
    const record = (await getRecord(database.db, hazards, id))!;
    const parts = (record.geometry as { coordinates: number[][][][] }).coordinates;
    expect(parts).toHaveLength(2);
    // The two triangles of the bow tie meet at its centre (44.51, 40.11).
    const expectedM2 =
      polygonAreaM2([
        [44.5, 40.1],
        [44.51, 40.11],
        [44.5, 40.12],
        [44.5, 40.1],
      ]) +
      polygonAreaM2([
        [44.52, 40.1],
        [44.52, 40.12],
        [44.51, 40.11],
        [44.52, 40.1],
      ]);
    expect(Math.abs((record.areaM2 as number) - expectedM2) / expectedM2).toBeLessThan(1e-4);
  });

  it('--strict imports nothing when any row is rejected', async () => {
    const before = (await sql<{ n: number }>`select count(*)::int as n from hazards`.execute(database.db))
      .rows[0]!.n;
    const s = await run(wktCsv(), { register: 'hazards', mapping: wktMapping(), strict: true });
    expect(s.refused).toBe(true);
    expect(s.imported).toBe(0);
    expect(s.rejected).toBe(5);
    expect(s.reportId).toBeNull();
    const after = (await sql<{ n: number }>`select count(*)::int as n from hazards`.execute(database.db))
      .rows[0]!.n;
    expect(after).toBe(before);
  });

  it('--dry-run validates and counts but writes nothing', async () => {
    const path = wktCsv();
    const before = (await sql<{ n: number }>`select count(*)::int as n from hazards`.execute(database.db))
      .rows[0]!.n;
    const s = await run(path, { register: 'hazards', mapping: wktMapping(), dryRun: true, repair: true });
    expect([s.valid, s.imported, s.repaired, s.rejected]).toEqual([3, 0, 2, 3]);
    expect(
      (await sql<{ n: number }>`select count(*)::int as n from hazards`.execute(database.db)).rows[0]!.n,
    ).toBe(before);
  });

  it.each([
    'hazards.gpkg',
    'hazards.shp.zip',
    'hazards.kml',
    'hazards.kmz',
    'hazards.xlsx',
    'hazards-utm38n.shp.zip',
  ])(
    'reads every hazard of %s without a mapping (shapefile names restored, JSON text lists parsed)',
    async (name) => {
      const s = await run(join(fixtures, name), { register: 'hazards', dryRun: true });
      expect(s.read).toBe(3);
      expect(s.rejects).toEqual([]);
      expect(s.valid + s.skipped).toBe(3);
    },
  );

  it('imports the hazards GeoPackage with its lists, then finds the same records in the shapefile and skips them', async () => {
    const first = await run(join(fixtures, 'hazards.gpkg'), { register: 'hazards' });
    const second = await run(join(fixtures, 'hazards.shp.zip'), { register: 'hazards' });
    expect(first.imported + first.skipped).toBe(3);
    expect(second).toMatchObject({ imported: 0, skipped: 3, rejected: 0 });
    const id = (
      await sql<{
        id: string;
      }>`select id from hazards where external_id = '7f0c6c52-0d5c-4d0e-9a43-1f8a3c1b0003'`.execute(
        database.db,
      )
    ).rows[0]!.id;
    const record = (await getRecord(database.db, hazards, id))!;
    expect(record).toMatchObject({
      type: 'SHA',
      beneficiaries: 5,
      dateOfInformation: '2019-12-31',
      blockedLandUse: ['grazing', 'roads'],
    });
  });

  it.each(['findings.gpkg', 'findings.shp.zip', 'findings.kml', 'findings.xlsx'])(
    'rejects the finding without geometry in %s as io.geometry.null at index 2',
    async (name) => {
      const mapping: Mapping = {
        fields: {
          category: 'category',
          quantity: { from: 'quantity', transform: 'int' },
          foundOn: { from: 'foundOn', transform: 'date' },
        },
        externalId: 'id',
      };
      const s = await run(join(fixtures, name), { register: 'findings', mapping, dryRun: true });
      expect(s.read).toBe(3);
      expect(s.rejected).toBe(1);
      expect(codesAt(s, 2)).toEqual(['io.geometry.null']);
      expect(accounted(s)).toBe(3);
    },
  );

  it('reports bad bytes of a CSV field as io.encoding.invalid with row and field, and reads a Windows-1251 file as Cyrillic', async () => {
    const bad = await run(join(fixtures, 'bad-utf8.csv'), { register: 'settlements', dryRun: true });
    expect(bad.read).toBe(3);
    expect(bad.rejects).toEqual([
      expect.objectContaining({ index: 2, row: 4, field: 'name', code: 'io.encoding.invalid' }),
    ]);
    const mapping: Mapping = { fields: { name: 'название' }, csv: { lat: 'широта', lon: 'долгота' } };
    const cyr = await run(join(fixtures, 'cp1251.csv'), { register: 'settlements', mapping });
    expect(cyr.rejected).toBe(0);
    const names = await sql<{
      name: string;
    }>`select name from settlements where external_id like 'sha256:%' and name like 'Село%'`.execute(
      database.db,
    );
    expect(names.rows.map((r) => r.name)).toContain('Село Красное');
  });

  it('refuses files that cannot be read at all with their own code, writing nothing', async () => {
    const cases: Array<[string, string]> = [
      ['not-a-shapefile.zip', 'io.shapefile.missing_part'],
      ['not-a-zip.zip', 'io.zip.invalid'],
      ['truncated.geojson', 'io.json.parse'],
      ['no-geometry.csv', 'io.csv.columns'],
    ];
    for (const [name, code] of cases) {
      await expect(run(join(fixtures, name), { register: 'hazards' }), name).rejects.toMatchObject({ code });
    }
    await expect(run(join(fixtures, 'wkt.csv'), { register: 'casualties' })).rejects.toMatchObject({
      code: 'import.register_unsupported',
    });
  });

  it('rejects every feature of a projected shapefile without .prj as out of range, with a warning, and of the broken GeoJSON each with its reason', async () => {
    const noPrj = await run(join(fixtures, 'hazards-no-prj.shp.zip'), { register: 'hazards', dryRun: true });
    expect(noPrj.warnings.map((w) => w.code)).toEqual(['io.crs.assumed']);
    expect(noPrj.rejectsByCode['io.coordinate.range']).toBe(3);
    const broken = await run(join(fixtures, 'broken.geojson'), {
      register: 'hazards',
      dryRun: true,
      mapping: { fields: { name: 'name' }, constants: { type: 'SHA' } },
    });
    expect(broken.read).toBe(8);
    expect(codesAt(broken, 1)).toEqual(['geometry.ring_not_closed']);
    expect(codesAt(broken, 2)).toEqual(['geometry.self_intersection']);
    expect(codesAt(broken, 3)).toEqual(['io.geometry.null']);
    expect(codesAt(broken, 4)).toContain('io.json.parse');
    expect(codesAt(broken, 5)).toEqual(['io.coordinate.range']);
    expect(codesAt(broken, 6)).toEqual(['io.geometry.invalid']);
    expect(codesAt(broken, 0)).toEqual(['geometry.type']);
    // A wrong --crs turns good degrees into out-of-range positions.
    const wrongCrs = await run(join(fixtures, 'utm-crs.geojson'), {
      register: 'settlements',
      dryRun: true,
      crs: 'EPSG:4326',
    });
    expect(codesAt(wrongCrs, 0)).toContain('io.coordinate.range');
  });

  it('rejects rows with columns that are not fields of the register, naming the column', async () => {
    const path = join(tempDir(), 'wrong-columns.csv');
    writeFileSync(path, 'name,colour,lat,lon\nSouth field,red,40.1,44.5\n');
    const s = await run(path, { register: 'settlements', dryRun: true });
    expect(s.rejects).toEqual([
      expect.objectContaining({ index: 0, row: 2, field: 'colour', code: 'validation.unknown_field' }),
    ]);
  });

  it('skips a line over 50 MB with io.line.too_long and imports the rows around it', async () => {
    const path = join(tempDir(), 'huge.csv');
    const tag = unique('huge');
    writeFileSync(
      path,
      `name,lat,lon\n${tag} a,40.1,44.5\n"${'x'.repeat(51 * 1024 * 1024)}",40.2,44.6\n${tag} b,40.3,44.7\n`,
    );
    const s = await run(path, { register: 'settlements' });
    expect(s.read).toBe(3);
    expect(s.imported).toBe(2);
    expect(s.rejects).toEqual([expect.objectContaining({ index: 1, code: 'io.line.too_long' })]);
  });

  it('rejects a repeated identifier within one file', async () => {
    const path = join(tempDir(), 'dup.csv');
    const id = unique('dup');
    writeFileSync(path, `externalId,name,lat,lon\n${id},A,40.1,44.5\n${id},B,40.2,44.6\n`);
    const s = await run(path, { register: 'settlements', dryRun: true });
    expect(s.rejects).toEqual([
      expect.objectContaining({
        index: 1,
        row: 3,
        field: 'externalId',
        code: 'import.external_id.duplicate',
      }),
    ]);
  });

  it('imports land release through the one write path: a polygon outside its hazard is rejected, the one inside kept', async () => {
    const admin = await login('admin');
    const hazard = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/hazards',
        headers: admin,
        payload: { type: 'Feature', geometry: square(30.5, 10.5, 0.01), properties: { type: 'CHA' } },
      })
    ).json();
    const path = join(tempDir(), 'release.geojson');
    writeFileSync(
      path,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            id: unique('lr'),
            geometry: square(30.501, 10.501, 0.002),
            properties: { outcome: 'cleared', hazardId: hazard.id, releasedOn: '2024-03-01' },
          },
          {
            type: 'Feature',
            id: unique('lr'),
            geometry: square(31.5, 10.5, 0.002),
            properties: { outcome: 'cleared', hazardId: hazard.id, releasedOn: '2024-03-02' },
          },
        ],
      }),
    );
    const dry = await run(path, { register: 'land-release', dryRun: true });
    expect([dry.valid, dry.rejected, dry.imported]).toEqual([1, 1, 0]);
    const s = await run(path, { register: 'land-release' });
    expect(s.imported).toBe(1);
    expect(codesAt(s, 1)).toEqual(['land_release.outside_hazard']);
    const released = await sql<{
      n: number;
    }>`select count(*)::int as n from land_release where hazard_id = ${hazard.id}`.execute(database.db);
    expect(released.rows[0]!.n).toBe(1);
    const after = (await getRecord(database.db, hazards, hazard.id))!;
    expect(after.releasedAreaM2 as number).toBeGreaterThan(0);
  });
});

describe(`imports over HTTP on ${testDatabaseKind()}`, () => {
  async function finished(id: string, headers: Record<string, string>) {
    for (let i = 0; i < 600; i++) {
      const r = await app.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers });
      expect(r.statusCode, r.body).toBe(200);
      const job = r.json();
      if (job.status === 'done' || job.status === 'failed') return job;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error('import job did not finish');
  }

  it('takes a raw CSV upload, runs it as a job with progress and summary, and serves its rejects file', async () => {
    const admin = await login('admin');
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/imports?as=settlements',
      headers: { ...admin, 'content-type': 'text/csv', 'x-filename': 'villages.csv' },
      payload: `name,lat,lon\n${unique('Village ')},40.1,44.5\n,40.2,44.6\n`,
    });
    expect(r.statusCode, r.body).toBe(202);
    const job = await finished(r.json().id, admin);
    expect(job.status).toBe('done');
    expect(job.result).toMatchObject({
      read: 2,
      imported: 1,
      rejected: 1,
      line: 'read 2, imported 1, repaired 0, rejected 1, skipped 0',
    });
    expect(job.progress.read).toBe(2);
    const rejects = await app.inject({
      method: 'GET',
      url: `/api/v1/imports/${job.id}/rejects.csv`,
      headers: admin,
    });
    expect(rejects.statusCode).toBe(200);
    expect(rejects.body.split('\n')[1]).toMatch(/^1,3,name,validation\./);
  });

  it('takes a multipart upload with a mapping and a GeoJSON body; a failed file ends the job as failed with its code', async () => {
    const admin = await login('admin');
    const boundary = 'sgboundary';
    const csv = readFileSync(wktCsv(), 'utf8');
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="mapping"\r\n\r\n${JSON.stringify(wktMapping())}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="wkt.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/imports?as=hazards&repair=true',
      headers: { ...admin, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(r.statusCode, r.body).toBe(202);
    const job = await finished(r.json().id, admin);
    expect(job.result).toMatchObject({ imported: 3, repaired: 2, rejected: 3 });

    const geojson = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          id: unique('src'),
          geometry: null,
          properties: { kind: 'other', title: 'An imported source' },
        },
      ],
    };
    const g = await app.inject({
      method: 'POST',
      url: '/api/v1/imports?as=sources',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: geojson,
    });
    expect((await finished(g.json().id, admin)).result).toMatchObject({ imported: 1, rejected: 0 });

    const z = await app.inject({
      method: 'POST',
      url: '/api/v1/imports?as=hazards',
      headers: { ...admin, 'content-type': 'application/zip', 'x-filename': 'x.zip' },
      payload: readFileSync(join(fixtures, 'not-a-zip.zip')),
    });
    const failed = await finished(z.json().id, admin);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'io.zip.invalid' } });
  });

  it('refuses imports to roles without data.import and answers 404 for unknown jobs', async () => {
    const viewer = await login('viewer');
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/imports?as=sources',
      headers: { ...viewer, 'content-type': 'application/json' },
      payload: { type: 'FeatureCollection', features: [] },
    });
    expect(r.statusCode).toBe(403);
    const admin = await login('admin');
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/api/v1/imports/00000000-0000-4000-8000-000000000000',
          headers: admin,
        })
      ).statusCode,
    ).toBe(404);
  });

  it('answers the progress of a running import to the session that started it while the import holds the database', async () => {
    const admin = await login('admin');
    const other = await login('admin', { name: 'other-admin' });
    const settings = { ...settingsFromEnv(), attachmentsDir: tempDir(), keyFile: testKeyFile() };
    const services = createServices(database, settings);
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let holding = () => {};
    const held = new Promise<void>((r) => {
      holding = r;
    });
    const importFile = services.imports.importFile.bind(services.imports);
    // As a long import does on the embedded database: a transaction open while rows go in.
    services.imports.importFile = async (actor, file, options) => {
      await database.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        options.onProgress?.({ read: 7 });
        holding();
        await gate;
      });
      return importFile(actor, file, options);
    };
    const own = await buildApp({ database, settings, services });
    try {
      const r = await own.inject({
        method: 'POST',
        url: '/api/v1/imports?as=settlements',
        headers: { ...admin, 'content-type': 'text/csv', 'x-filename': 'villages.csv' },
        payload: `name,lat,lon\n${unique('Village ')},40.1,44.5\n`,
      });
      expect(r.statusCode, r.body).toBe(202);
      const id = r.json().id as string;
      await held;
      const poll = own.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers: admin });
      // Another session is signed in against the database, so it waits for the import (PGlite).
      const otherPoll = own.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers: other });
      const answered = await Promise.race([
        poll,
        new Promise<null>((res) => setTimeout(() => res(null), 10_000)),
      ]);
      release();
      expect(answered, 'the poll waited for the database').not.toBeNull();
      expect(answered?.statusCode).toBe(200);
      expect(answered?.json()).toMatchObject({ id, status: 'running', progress: { read: 7 } });
      // An administrator may read any job, once signed in; a stranger's token is not a watcher.
      expect((await otherPoll).statusCode).toBe(200);
      for (let i = 0; i < 600; i++) {
        const job = (
          await own.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers: admin })
        ).json();
        if (job.status === 'done') {
          expect(job.result).toMatchObject({ read: 1, imported: 1 });
          return;
        }
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error('import job did not finish');
    } finally {
      release();
      await own.close();
    }
  });
});

describe('the import command', () => {
  it('runs as a child process: summary line last, exit code 2 when rows were rejected', async () => {
    const dir = tempDir();
    const mapping = join(dir, 'm.json');
    writeFileSync(mapping, JSON.stringify(wktMapping()));
    const env = {
      ...process.env,
      SAFEGROUND_DATA_DIR: testDataDir(),
      SAFEGROUND_SECRET: 'cli-test-secret-0123456789abcdef',
      DATABASE_URL: '',
      SAFEGROUND_LOCALE: 'en',
    };
    const rejects = join(dir, 'rejects.csv');
    const result = await promisify(execFile)(
      'node',
      [
        'bin/safeground.js',
        'import',
        join(fixtures, 'wkt.csv'),
        '--as',
        'hazards',
        '--mapping',
        mapping,
        '--repair',
        '--rejects',
        rejects,
      ],
      { cwd: repoRoot, env },
    ).then(
      () => ({ code: 0, stdout: '' }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );
    expect(result.code).toBe(2);
    const lines = result.stdout.trim().split('\n');
    expect(lines[lines.length - 1]).toBe('read 6, imported 3, repaired 2, rejected 3, skipped 0');
    expect(readFileSync(rejects, 'utf8').split('\n')[0]).toBe('index,row,field,code,message');
  }, 300_000);
});
