import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../../src/domain/problem.ts';
import { readFeatures } from '../../../src/io/read.ts';
import type { ReadOptions, SourceFeature } from '../../../src/io/types.ts';
import { readFixture } from '../../fixtures/io/read-fixture.ts';
import { testdata } from '../../fixtures/testdata.ts';

const colombia = testdata('colombia-events');

async function failure(name: string, opts: ReadOptions = {}): Promise<Problem> {
  try {
    await readFixture(name, opts);
  } catch (e) {
    return e as Problem;
  }
  throw new Error(`${name} was read without a fault`);
}
const codes = (f: SourceFeature) => f.problems.map((p) => p.code);

describe('GeoJSON', () => {
  it('reads all 36 527 Colombian events from the 30 yearly files', async () => {
    const files = readdirSync(colombia).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(30);
    let count = 0;
    let faulty = 0;
    for (const f of files) {
      for await (const feature of readFeatures({ path: join(colombia, f) })) {
        count++;
        if (feature.problems.length) faulty++;
        if (count === 1) {
          expect(feature.geometry).toEqual({ type: 'Point', coordinates: [-74.776599, 8.095854] });
          expect(feature.properties).toMatchObject({ TIPO_EVENTO: '1', MUNICIPIO: 'NECHÍ', AÑO: '1990' });
        }
      }
    }
    expect(count).toBe(36527);
    expect(faulty).toBe(0);
  });

  it('passes broken topology through and reports null, malformed and out-of-range features where they are', async () => {
    const features = await readFixture('broken.geojson');
    expect(features.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(features.map(codes)).toEqual([
      [],
      [], // unclosed ring: for the validator
      [], // self-intersection: for the validator
      ['io.geometry.null'],
      ['io.json.parse'],
      ['io.coordinate.range'],
      ['io.geometry.invalid'],
      [],
    ]);
    expect(features[1]!.geometry?.type).toBe('Polygon');
    expect(features[4]!.problems[0]!.params.line).toBe(8);
    expect(features[4]!.problems[0]!.where).toEqual({ row: 4 });
    expect(features[7]!.properties.name).toBe('последний');
    expect(features[0]!.externalId).toBe('ok-1');
  });

  it('throws io.json.parse with line and column for a truncated file', async () => {
    const p = await failure('truncated.geojson');
    expect(p.code).toBe('io.json.parse');
    expect(p.params.line).toBe(3);
  });

  it('reprojects a GeoJSON 2008 named CRS to WGS 84', async () => {
    const [f] = await readFixture('utm-crs.geojson');
    const [lon, lat] = f!.geometry!.coordinates as number[];
    expect(lon).toBeCloseTo(44.5, 6);
    expect(lat).toBeCloseTo(40.1, 6);
  });

  it('reads a single Feature and a bare geometry', async () => {
    const [one] = await readFixture('single-feature.geojson');
    expect(one!.externalId).toBe('42');
    const [bare] = await readFixture('bare-geometry.json', { format: 'geojson' });
    expect(bare!.geometry?.type).toBe('MultiPolygon');
  });

  it('streams a feature at a time and reports an oversized feature without stopping', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sg-io-'));
    try {
      const path = join(dir, 'big.geojson');
      const big = 'x'.repeat(5000);
      await writeFile(
        path,
        `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":1},"geometry":{"type":"Point","coordinates":[1,2]}},` +
          `{"type":"Feature","properties":{"n":"${big}"},"geometry":null},{"type":"Feature","properties":{"n":3},"geometry":{"type":"Point","coordinates":[3,4]}}]}`,
      );
      const out: SourceFeature[] = [];
      for await (const f of readFeatures({ path }, { maxLineBytes: 1000 })) out.push(f);
      expect(out.map(codes)).toEqual([[], ['io.line.too_long'], []]);
      expect(out[2]!.properties.n).toBe(3);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('CSV', () => {
  it('finds Spanish lat/lon columns, the ; delimiter, decimal commas and DMS, and reports bad rows by line', async () => {
    const features = await readFixture('points-es.csv');
    expect(features.map((f) => f.row)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(features[0]!.geometry).toEqual({ type: 'Point', coordinates: [-74.776599, 8.095854] });
    expect(features[1]!.geometry).toEqual({ type: 'Point', coordinates: [-73.1, 7.2] });
    expect(features[2]!.problems.map((p) => [p.code, p.where])).toEqual([
      ['io.coordinate.parse', { row: 4, field: 'Latitud' }],
    ]);
    expect(codes(features[3]!)).toEqual(['io.geometry.null']);
    expect(features[4]!.problems[0]!.params).toEqual({ expected: 5, found: 6 });
    // 4°35'56.6"N 74°4'51.3"W = 4 + 35/60 + 56.6/3600, -(74 + 4/60 + 51.3/3600)
    const [lon, lat] = features[5]!.geometry!.coordinates as number[];
    expect(lat).toBeCloseTo(4 + 35 / 60 + 56.6 / 3600, 9);
    expect(lon).toBeCloseTo(-(74 + 4 / 60 + 51.3 / 3600), 9);
  });

  it('reads a WKT column, passing invalid polygons through and reporting unparseable WKT', async () => {
    const features = await readFixture('wkt.csv');
    expect(features.map(codes)).toEqual([[], [], [], ['io.wkt.parse'], ['io.geometry.null'], []]);
    expect((features[1]!.geometry!.coordinates as number[][][])[0]).toHaveLength(4); // still unclosed
    const [lon, lat] = features[5]!.geometry!.coordinates as number[];
    expect(lon).toBeCloseTo(44.5, 6);
    expect(lat).toBeCloseTo(40.1, 6);
  });

  it('reads an MGRS column', async () => {
    const features = await readFixture('mgrs.csv');
    expect(features.map(codes)).toEqual([[], [], ['io.mgrs.parse']]);
    // 38T MK 57382 38976 is the UTM 38N point 457382 E 4438976 N (see utm-crs.geojson): 44.5 E, 40.1 N.
    const [lon, lat] = features[1]!.geometry!.coordinates as number[];
    expect(lon).toBeCloseTo(44.5, 4);
    expect(lat).toBeCloseTo(40.1, 4);
  });

  it('decodes windows-1251 and reports undecodable bytes of a UTF-8 file', async () => {
    const ru = await readFixture('cp1251.csv');
    expect(ru[0]!.properties.название).toBe('Село Красное');
    expect(ru[1]!.geometry).toEqual({ type: 'Point', coordinates: [44.6, 40.2] });
    const bad = await readFixture('bad-utf8.csv');
    expect(bad.map(codes)).toEqual([[], [], ['io.encoding.invalid']]);
    expect(bad[2]!.problems[0]!.where).toEqual({ row: 4, field: 'name' });
    expect(bad[0]!.properties.name).toBe('Село Красное');
  });

  it('refuses a table without geometry columns when geometry is required, listing the columns found', async () => {
    const p = await failure('no-geometry.csv', { geometry: 'required' });
    expect(p.code).toBe('io.csv.columns');
    expect(p.params.found).toBe('name, comment');
    const named = await failure('points-es.csv', { csv: { lat: 'lat', lon: 'Longitud' } });
    expect(named.params.missing).toBe('lat');
    expect(await readFixture('no-geometry.csv')).toHaveLength(2);
  });

  it('reports a line over the cap and reads on (real 50 MB default)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sg-io-'));
    try {
      const path = join(dir, 'huge.csv');
      await writeFile(path, `name,lat,lon\na,1,2\n"${'x'.repeat(51 * 1024 * 1024)}",3,4\nc,5,6\n`);
      const out: SourceFeature[] = [];
      for await (const f of readFeatures({ path })) out.push(f);
      expect(out.map(codes)).toEqual([[], ['io.line.too_long'], []]);
      expect(out[2]!.row).toBe(4);
      expect(out[2]!.geometry).toEqual({ type: 'Point', coordinates: [6, 5] });
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('KoboToolbox / ODK exports', () => {
  it('reads a CSV export: geoshape as polygon, group/field columns, _uuid as identifier', async () => {
    const features = await readFixture('kobo-hazard-survey.csv');
    expect(features).toHaveLength(3);
    expect(features[0]!.geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [44.5, 40.1],
          [44.52, 40.1],
          [44.52, 40.12],
          [44.5, 40.12],
          [44.5, 40.1],
        ],
      ],
    });
    expect(features[0]!.externalId).toBe('3f1b7c1e-8d61-4d87-9a54-0a1c5a1e0001');
    expect(features[0]!.properties['survey/device_types']).toBe('ap av');
    expect(codes(features[2]!)).toEqual(['io.geometry.null']);
  });

  it('reads a JSON export, choosing the geoshape over _geolocation', async () => {
    const features = await readFixture('kobo-submissions.json');
    expect(features.map((f) => f.geometry?.type ?? null)).toEqual(['Polygon', 'Polygon', null]);
    expect(features[1]!.externalId).toBe('3f1b7c1e-8d61-4d87-9a54-0a1c5a1e0002');
    const point = await readFixture('kobo-submissions.json', { csv: { geopoint: 'nothing' } }).catch(
      (e: Problem) => e.code,
    );
    expect(point).toBe('io.csv.columns');
  });
});

describe('binary formats', () => {
  it('reads a zipped shapefile with UTF-8 attributes', async () => {
    const features = await readFixture('hazards.shp.zip');
    expect(features).toHaveLength(3);
    expect(features[0]!.properties.name).toBe('Поле у реки');
    expect(features[1]!.properties.name).toBe('حقل الزيتون');
    expect(features[0]!.properties.dateOfInfo).toBe('2021-05-04');
  });

  it('reprojects a UTM shapefile from its .prj', async () => {
    const [f] = await readFixture('hazards-utm38n.shp.zip');
    const ring = (f!.geometry!.coordinates as number[][][])[0]!;
    expect(ring[0]![0]).toBeCloseTo(44.5, 7);
    expect(ring[0]![1]).toBeCloseTo(40.1, 7);
  });

  it('assumes WGS 84 without .prj, warns, and flags the projected coordinates as out of range', async () => {
    const warnings: Problem[] = [];
    const features = await readFixture('hazards-no-prj.shp.zip', { onWarning: (w) => warnings.push(w) });
    expect(warnings.map((w) => w.code)).toEqual(['io.crs.assumed']);
    expect(features.map(codes)).toEqual([
      ['io.coordinate.range'],
      ['io.coordinate.range'],
      ['io.coordinate.range'],
    ]);
    // The user can say which CRS it is.
    const fixed = await readFixture('hazards-no-prj.shp.zip', { crs: 'EPSG:32638' });
    expect(fixed.map(codes)).toEqual([[], [], []]);
  });

  it('fails clearly on an unknown .prj, a zip without .shp and bytes that are not a zip', async () => {
    expect((await failure('hazards-bad-prj.shp.zip')).code).toBe('io.crs.unknown');
    expect((await failure('not-a-shapefile.zip')).code).toBe('io.shapefile.missing_part');
    expect((await failure('not-a-zip.zip')).code).toBe('io.zip.invalid');
  });

  it('reads a GeoPackage in UTM with a null geometry', async () => {
    const features = await readFixture('zones-utm38n.gpkg');
    expect(features.map(codes)).toEqual([[], ['io.geometry.null']]);
    const ring = (features[0]!.geometry!.coordinates as number[][][])[0]!;
    expect(ring[0]![0]).toBeCloseTo(44.5, 7);
    expect(features[0]!.properties.name).toBe('UTM zone');
  });

  it('reads KML and KMZ with MultiGeometry as MultiPolygon', async () => {
    for (const name of ['hazards.kml', 'hazards.kmz']) {
      const features = await readFixture(name);
      // A one-polygon MultiGeometry reads as a Polygon (the importer stores both as MultiPolygon).
      expect(features.map((f) => f.geometry?.type)).toEqual(['Polygon', 'Polygon', 'MultiPolygon']);
      expect(features[2]!.properties.name).toBe('Two fields, "quoted" & <tagged>');
    }
  });

  it('reads an XLSX sheet like a CSV, with date cells as dates', async () => {
    const features = await readFixture('hallazgos.xlsx');
    expect(features.map((f) => f.row)).toEqual([2, 3, 4, 5]);
    expect(features[0]!.properties.Fecha).toBe('2019-03-15');
    expect(features[1]!.geometry).toEqual({ type: 'Point', coordinates: [-73.1, 7.2] });
    expect(features[2]!.geometry).toEqual({ type: 'Point', coordinates: [-73.1, 7.2] });
    expect(codes(features[3]!)).toEqual(['io.geometry.null']);
  });

  it('refuses a file of unknown format', async () => {
    const p = await readFixture('make-fixtures.ts').catch((e: Problem) => e);
    expect((p as Problem).code).toBe('io.format.unknown');
  });

  it('reports progress up to the whole file', async () => {
    const seen: number[] = [];
    await readFixture('broken.geojson', { onProgress: (p) => seen.push(p.bytesRead / p.bytesTotal) });
    expect(seen.at(-1)).toBe(1);
  });

  it('reports progress every 1 000 features and at the end, on round counts', async () => {
    const rows = ['lat,lon', ...Array.from({ length: 2500 }, (_, i) => `40.${1000 + i},44.5`)];
    const seen: number[] = [];
    for await (const _ of readFeatures(
      { bytes: new TextEncoder().encode(`${rows.join('\n')}\n`), filename: 'points.csv' },
      { onProgress: (p) => seen.push(p.features) },
    ));
    expect(seen).toEqual([1000, 2000, 2500]);
  });
});
