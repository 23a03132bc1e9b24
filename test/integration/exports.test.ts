import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.ts';
import { getRecord } from '../../src/db/repositories/registers.ts';
import { EXPORT_FORMATS } from '../../src/domain/exchange.ts';
import { findings, hazards, type RegisterDef } from '../../src/domain/records.ts';
import { SYSTEM_ACTOR } from '../../src/services/actor.ts';
import { ImportService } from '../../src/services/imports.ts';
import { loadKeyring } from '../../src/services/personal-data.ts';
import { login, testApp, testDatabase, testDatabaseKind, unique } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';

let app: FastifyInstance;
let database: Database;
let admin: Record<string, string>;
let importer: ImportService;

function hasGdal(): boolean {
  try {
    execFileSync('ogrinfo', ['--version']);
    return true;
  } catch {
    return false;
  }
}
const gdal = hasGdal();

const EXTENSION: Record<string, string> = {
  geojson: 'geojson',
  csv: 'csv',
  gpkg: 'gpkg',
  kml: 'kml',
  shp: 'shp.zip',
  xlsx: 'xlsx',
};

/** Features GDAL counts in a file (all layers). */
function gdalCount(path: string): number {
  const target = path.endsWith('.zip') ? `/vsizip/${path}` : path;
  const out = execFileSync('ogrinfo', ['-ro', '-so', '-al', target], { encoding: 'utf8' });
  return [...out.matchAll(/Feature Count: (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
}

let area = 0;
/** A box of its own for each test, so exports filtered by it hold only that test's records. */
function nextArea(): { lon: number; lat: number; bbox: string } {
  area++;
  const lon = -60 + area * 0.5;
  const lat = -30;
  return { lon, lat, bbox: `${lon - 0.01},${lat - 0.01},${lon + 0.4},${lat + 0.4}` };
}

async function createHazards(lon: number, lat: number): Promise<Array<Record<string, unknown>>> {
  const bodies = [
    {
      type: 'Feature',
      geometry: {
        type: 'Polygon',
        coordinates: [
          ...square(lon, lat, 0.1).coordinates,
          [
            [lon + 0.02, lat + 0.02],
            [lon + 0.02, lat + 0.04],
            [lon + 0.04, lat + 0.04],
            [lon + 0.04, lat + 0.02],
            [lon + 0.02, lat + 0.02],
          ],
        ],
      },
      properties: {
        name: 'Поле у реки',
        type: 'CHA',
        beneficiaries: 120,
        blockedLandUse: ['agriculture', 'grazing'],
        deviceCategories: ['AP'],
        dateOfInformation: '2024-02-03',
        benchmark: { type: 'Point', coordinates: [lon - 0.001, lat - 0.001] },
      },
    },
    {
      type: 'Feature',
      geometry: {
        type: 'MultiPolygon',
        coordinates: [square(lon + 0.2, lat, 0.01).coordinates, square(lon + 0.3, lat, 0.01).coordinates],
      },
      properties: {
        name: 'حقل "الزيتون" & <b>',
        type: 'SHA',
        description: 'Two parts',
        status: 'in_progress',
      },
    },
  ];
  const out: Array<Record<string, unknown>> = [];
  for (const body of bodies) {
    const r = await app.inject({ method: 'POST', url: '/api/v1/hazards', headers: admin, payload: body });
    expect(r.statusCode, r.body).toBe(201);
    out.push(r.json());
  }
  return out;
}

async function exportFile(
  slug: string,
  format: string,
  query: string,
  headers = admin,
): Promise<{ status: number; path: string; body: Buffer }> {
  const r = await app.inject({
    method: 'GET',
    url: `/api/v1/exports?as=${slug}&format=${format}&${query}`,
    headers,
  });
  const path = join(mkdtempSync(join(tmpdir(), 'safeground-export-')), `${slug}.${EXTENSION[format]}`);
  writeFileSync(path, r.rawPayload);
  return { status: r.statusCode, path, body: r.rawPayload };
}

/** The writable fields of a record and its geometry rounded to 1e-7°, for comparing round trips. */
function comparable(def: RegisterDef, record: Record<string, unknown>) {
  const round = (c: unknown): unknown =>
    typeof c === 'number' ? Math.round(c * 1e7) / 1e7 : Array.isArray(c) ? c.map(round) : c;
  const out: Record<string, unknown> = {};
  for (const f of Object.keys(def.fields.properties)) if (f !== 'externalId') out[f] = round(record[f]);
  out.geometry = round(record.geometry);
  return out;
}

async function byExternalId(def: RegisterDef, externalId: string) {
  const r = await sql<{
    id: string;
  }>`select id from ${sql.table(def.table)} where external_id = ${externalId}`.execute(database.db);
  return r.rows[0] ? getRecord(database.db, def, r.rows[0].id) : undefined;
}

beforeAll(async () => {
  app = await testApp();
  database = await testDatabase();
  admin = await login('admin');
  importer = new ImportService(
    database,
    loadKeyring({ secret: 'export-tests-secret-0123456789abcdef', keyFile: '/nonexistent' }),
  );
});

describe(`exports on ${testDatabaseKind()}`, () => {
  it.each([...EXPORT_FORMATS])(
    'exports hazards as %s that GDAL opens with the same count, and importing it back gives the same records',
    async (format) => {
      const { lon, lat, bbox } = nextArea();
      const originals = await createHazards(lon, lat);
      const file = await exportFile('hazards', format, `bbox=${bbox}`);
      expect(file.status, file.body.toString('utf8', 0, 300)).toBe(200);
      if (gdal) expect(gdalCount(file.path)).toBe(originals.length);

      const s = await importer.importFile(SYSTEM_ACTOR, { path: file.path }, { register: 'hazards' });
      expect(s.rejects).toEqual([]);
      expect(s.imported).toBe(originals.length);
      for (const original of originals) {
        const copy = await byExternalId(hazards, original.id as string);
        expect(copy, `copy of ${original.id}`).toBeDefined();
        const before = (await getRecord(database.db, hazards, original.id as string))!;
        expect(comparable(hazards, copy!)).toEqual(comparable(hazards, before));
      }
      // Exported again and imported again: nothing new.
      const again = await importer.importFile(SYSTEM_ACTOR, { path: file.path }, { register: 'hazards' });
      expect(again).toMatchObject({ imported: 0, skipped: originals.length });
    },
  );

  it.each(['csv', 'gpkg', 'geojson'])(
    'round-trips findings (points, integers, dates) through %s',
    async (format) => {
      const { lon, lat, bbox } = nextArea();
      const created: Array<Record<string, unknown>> = [];
      for (const [i, category] of ['AP', 'other_erw'].entries()) {
        const r = await app.inject({
          method: 'POST',
          url: '/api/v1/findings',
          headers: admin,
          payload: {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [lon + i * 0.01, lat + i * 0.01] },
            properties: {
              category,
              foundOn: '2023-07-0' + (i + 1),
              quantity: i + 2,
              depthCm: 15,
              modelText: 'PMN-2',
            },
          },
        });
        expect(r.statusCode, r.body).toBe(201);
        created.push(r.json());
      }
      const file = await exportFile('findings', format, `bbox=${bbox}`);
      if (gdal) expect(gdalCount(file.path)).toBe(2);
      const s = await importer.importFile(SYSTEM_ACTOR, { path: file.path }, { register: 'findings' });
      expect([s.imported, s.rejected]).toEqual([2, 0]);
      for (const original of created) {
        const copy = (await byExternalId(findings, original.id as string))!;
        const before = (await getRecord(database.db, findings, original.id as string))!;
        expect(comparable(findings, copy)).toEqual(comparable(findings, before));
      }
    },
  );

  it('filters exports like the list API and never exports identity fields', async () => {
    const { lon, lat, bbox } = nextArea();
    await createHazards(lon, lat);
    const open = await exportFile('hazards', 'geojson', `bbox=${bbox}&status=in_progress`);
    const features = JSON.parse(open.body.toString('utf8')).features;
    expect(features).toHaveLength(1);
    expect(features[0].properties.status).toBe('in_progress');

    const name = unique('Secret Person ');
    const accident = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/accidents',
        headers: admin,
        payload: {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [lon, lat] },
          properties: { occurredOn: '2024-01-01' },
        },
      })
    ).json();
    const c = await app.inject({
      method: 'POST',
      url: '/api/v1/casualties',
      headers: admin,
      payload: {
        accidentId: accident.id,
        sex: 'female',
        casualtyStatus: 'civilian',
        outcome: 'injured',
        identity: { name, address: 'Main street 1' },
      },
    });
    expect(c.statusCode, c.body).toBe(201);
    for (const format of ['csv', 'geojson', 'xlsx']) {
      const file = await exportFile('casualties', format, `accident=${accident.id}`);
      expect(file.status).toBe(200);
      expect(file.body.includes(name)).toBe(false);
      expect(file.body.includes('identity')).toBe(false);
    }
  });

  it('refuses roles without data.export and unknown formats', async () => {
    const entry = await login('operator_data_entry');
    expect((await exportFile('hazards', 'csv', 'limit=1', entry)).status).toBe(403);
    const bad = await app.inject({
      method: 'GET',
      url: '/api/v1/exports?as=hazards&format=dwg',
      headers: admin,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('export.format_unknown');
  });
});

describe(`exports people read on ${testDatabaseKind()}`, () => {
  it('writes references with code and name beside the id, and lists as readable text', async () => {
    const { lon, lat, bbox } = nextArea();
    const org = await app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: admin,
      payload: { name: unique('Readable Demining '), acronym: 'RDM', kind: 'ngo' },
    });
    expect(org.statusCode, org.body).toBe(201);
    const h = await app.inject({
      method: 'POST',
      url: '/api/v1/hazards',
      headers: admin,
      payload: {
        type: 'Feature',
        geometry: square(lon, lat, 0.05),
        properties: {
          type: 'CHA',
          name: 'Readable field',
          organisationId: org.json().id,
          deviceCategories: ['AP', 'AV'],
          description: `${'Долгое описание поля. '.repeat(20)}конец`,
        },
      },
    });
    expect(h.statusCode, h.body).toBe(201);
    const csv = await exportFile('hazards', 'csv', `bbox=${bbox}`);
    const text = csv.body.toString('utf8');
    const [header, row] = text.replace(/^\uFEFF/, '').split('\n');
    const columns = header!.split(',');
    expect(columns.indexOf('organisation')).toBe(columns.indexOf('organisationId') + 1);
    expect(row).toContain(`${org.json().name} (RDM)`);
    expect(row).toContain('AP; AV');
    expect(row).not.toContain('["AP"');
    // GeoJSON keeps lists as JSON.
    const geojson = JSON.parse(
      (await exportFile('hazards', 'geojson', `bbox=${bbox}`)).body.toString('utf8'),
    );
    expect(geojson.features[0].properties.deviceCategories).toEqual(['AP', 'AV']);
  });

  it('names shapefile columns uniquely with a sidecar of full names, and keeps long text whole beside', async () => {
    const { lon, lat, bbox } = nextArea();
    const description = `${'Очень длинное описание. '.repeat(30)}end`;
    const h = await app.inject({
      method: 'POST',
      url: '/api/v1/hazards',
      headers: admin,
      payload: {
        type: 'Feature',
        geometry: square(lon, lat, 0.05),
        properties: { type: 'SHA', name: 'Long text field', description },
      },
    });
    expect(h.statusCode, h.body).toBe(201);
    const shp = await exportFile('hazards', 'shp', `bbox=${bbox}`);
    expect(shp.status).toBe(200);
    const { unzipSync, strFromU8 } = await import('fflate');
    const files = unzipSync(new Uint8Array(shp.body));
    const fields = strFromU8(files['hazards.fields.csv']!)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .slice(1);
    const short = fields.map((l) => l.split(',')[0]!);
    expect(new Set(short.map((s) => s.toLowerCase())).size).toBe(short.length);
    expect(short.every((s) => s.length <= 10)).toBe(true);
    expect(fields.some((l) => l.includes(',dateOfInformation,'))).toBe(true);
    const long = strFromU8(files['hazards.long-text.csv']!);
    expect(long).toContain(h.json().id);
    expect(long).toContain(description);
    if (gdal) {
      const out = execFileSync('ogrinfo', ['-ro', '-al', `/vsizip/${shp.path}`], { encoding: 'utf8' });
      expect(out).toContain('…');
    }
  });
});
