import { join } from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.ts';
import { loadMapping, type Mapping } from '../../src/io/index.ts';
import { SYSTEM_ACTOR } from '../../src/services/actor.ts';
import { type ImportOptions, ImportService, type ImportSummary } from '../../src/services/imports.ts';
import { loadKeyring } from '../../src/services/personal-data.ts';
import { testDatabase, testDatabaseKind } from './helpers/db.ts';

// Files made by GDAL and by hand the way field tools write them (test/fixtures/io/README.md):
// every feature is accounted for, and each reject names its feature and reason.
const fixtures = new URL('../fixtures/io/', import.meta.url).pathname;

let database: Database;
let service: ImportService;

beforeAll(async () => {
  database = await testDatabase();
  service = new ImportService(
    database,
    loadKeyring({ secret: 'import-tests-secret-0123456789abcdef', keyFile: '/nonexistent' }),
  );
});

const run = (name: string, opts: ImportOptions): Promise<ImportSummary> =>
  service.importFile(SYSTEM_ACTOR, { path: join(fixtures, name) }, opts);
const accounted = (s: ImportSummary) => s.valid + s.skipped + s.rejected;
/** index → the codes of its rejects, for the whole summary at a glance. */
function rejectsByIndex(s: ImportSummary): Record<number, string[]> {
  const out: Record<number, string[]> = {};
  for (const r of s.rejects) {
    out[r.index] ??= [];
    out[r.index]!.push(r.code);
  }
  return out;
}

describe(`imports of files made by other tools, on ${testDatabaseKind()}`, () => {
  it('imports a UTM 38N shapefile in a folder of its zip, with cut field names, repairing the bow tie', async () => {
    const s = await run('messy-hazards-utm38n-subfolder.shp.zip', {
      register: 'hazards',
      repair: true,
      dryRun: true,
    });
    expect(s).toMatchObject({ read: 5, valid: 3, repaired: 1, rejected: 2 });
    expect(accounted(s)).toBe(s.read);
    expect(s.repairedRows.map((r) => r.index)).toEqual([2]);
    expect(rejectsByIndex(s)).toEqual({ 3: ['io.geometry.null'], 4: ['validation.enum'] });
    expect(s.rejects.find((r) => r.index === 4)).toMatchObject({ field: 'type' });
  });

  it('imports an ogr2ogr KML without a mapping: style is not an attribute, GDAL dates are dates', async () => {
    const s = await run('ogr-hazards.kml', { register: 'hazards', dryRun: true });
    expect(s).toMatchObject({ read: 5, valid: 2, rejected: 3 });
    expect(rejectsByIndex(s)).toEqual({
      2: ['geometry.self_intersection'],
      3: ['io.geometry.null'],
      4: ['validation.enum'],
    });
  });

  it('imports the layers of a LIBKML KMZ behind its NetworkLink', async () => {
    const s = await run('libkml-hazards.kmz', { register: 'hazards', dryRun: true });
    expect(s).toMatchObject({ read: 5, valid: 2, rejected: 3 });
    // LIBKML wrote no geometry for the bow tie.
    expect(rejectsByIndex(s)).toEqual({
      2: ['io.geometry.null'],
      3: ['io.geometry.null'],
      4: ['validation.enum'],
    });
  });

  it('imports a Google Earth KML through a mapping: 3D polygons, MultiGeometry, HTML description', async () => {
    const mapping: Mapping = loadMapping({
      fields: { name: 'name', description: 'description' },
      constants: { type: 'SHA' },
    });
    const s = await run('google-earth-zones.kml', {
      register: 'hazards',
      mapping,
      repair: true,
      dryRun: true,
    });
    expect(s).toMatchObject({ read: 6, valid: 3, repaired: 1, rejected: 3 });
    expect(rejectsByIndex(s)).toEqual({
      3: ['geometry.type'],
      4: ['geometry.type'],
      5: ['io.geometry.null'],
    });
  });

  it('imports the hazards layer of a two-layer GeoPackage without calling its fids duplicates of the findings layer', async () => {
    const s = await run('two-layers.gpkg', { register: 'hazards' });
    expect(s).toMatchObject({ read: 7, imported: 2, rejected: 5 });
    expect(s.rejectsByCode['import.external_id.duplicate']).toBeUndefined();
    expect(rejectsByIndex(s)[0]).toContain('geometry.type');
    const stored = await sql<{ externalId: string; name: string }>`
      select external_id as "externalId", name from hazards where external_id like 'hazards:%' order by external_id`.execute(
      database.db,
    );
    expect(stored.rows).toEqual([
      { externalId: 'hazards:1', name: 'Campo de Peñalara' },
      { externalId: 'hazards:2', name: 'Şəmkir çölü' },
    ]);
  });

  it('imports GeoJSONSeq as GDAL writes it', async () => {
    const s = await run('messy-hazards.geojsons', { register: 'hazards', dryRun: true });
    expect(s).toMatchObject({ read: 5, valid: 2, rejected: 3 });
    expect(Object.keys(rejectsByIndex(s))).toEqual(['2', '3', '4']);
  });

  it('imports a GeometryCollection of polygons as a MultiPolygon and names the others', async () => {
    const s = await run('geometry-collections.geojson', { register: 'hazards', dryRun: true });
    expect(s).toMatchObject({ read: 5, valid: 1, rejected: 4 });
    expect(rejectsByIndex(s)).toEqual({
      1: ['geometry.type'],
      2: ['geometry.type'],
      3: ['io.geometry.null'],
      4: ['io.geometry.null', 'validation.required'],
    });
  });

  it('imports a Kobo CSV located by _geolocation text, and an Excel CSV with blank rows', async () => {
    const mapping = loadMapping({
      fields: {
        category: { from: 'eo_type', codes: { mina_ap: 'AP', uxo: 'other_erw' } },
        foundOn: { from: 'date_found', transform: 'date' },
      },
    });
    const kobo = await run('kobo-geolocation.csv', { register: 'findings', mapping, dryRun: true });
    expect(kobo).toMatchObject({ read: 2, valid: 1, rejected: 1 });
    expect(kobo.rejects).toMatchObject([
      { index: 1, row: 3, field: '_geolocation', code: 'io.geometry.null' },
    ]);

    const blank = await run('blank-rows.csv', { register: 'findings', dryRun: true });
    expect(blank).toMatchObject({ read: 1, valid: 1, rejected: 0 });
  });
});
