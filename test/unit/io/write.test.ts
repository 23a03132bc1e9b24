import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFeatures } from '../../../src/io/read.ts';
import { readableText, shapefileFieldNames } from '../../../src/io/shp-write.ts';
import type { Format, Geometry, SourceFeature } from '../../../src/io/types.ts';
import {
  STREAMED_FORMATS,
  streamFeatures,
  type WriteFeature,
  type WriteFormat,
  type WriteOptions,
  writeFeatures,
} from '../../../src/io/write.ts';
import {
  findingFeatures,
  findingOptions,
  hazardFeatures,
  hazardOptions,
} from '../../fixtures/io/features.ts';

const dir = mkdtempSync(join(tmpdir(), 'sg-io-write-'));
afterAll(() => rmSync(dir, { recursive: true }));

const READ_FORMAT: Record<WriteFormat, Format> = {
  geojson: 'geojson',
  csv: 'csv',
  gpkg: 'gpkg',
  kml: 'kml',
  shp: 'shp',
  xlsx: 'xlsx',
};

async function roundTrip(format: WriteFormat, features: WriteFeature[], opts: WriteOptions) {
  const written = await writeFeatures(format, features, opts);
  const path = join(dir, `${opts.layerName}.${written.extension}`);
  writeFileSync(path, written.bytes);
  const read: SourceFeature[] = [];
  for await (const f of readFeatures({ path }, { format: READ_FORMAT[format] })) read.push(f);
  return { path, read };
}

/** Polygons and one-part MultiPolygons are the same area; compare as MultiPolygon. */
function asMulti(g: Geometry | null): Geometry | null {
  if (g?.type === 'Polygon') return { type: 'MultiPolygon', coordinates: [g.coordinates] };
  return g;
}

const JSON_FORMATS = new Set(['geojson', 'gpkg']);

/** A value as it comes back from a text format: numbers and booleans may come back as text. */
function loose(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (Array.isArray(v) || typeof v === 'object') return JSON.stringify(v);
  if (v === 1 || v === 'T') return String(v);
  return String(v);
}

const ogrinfo = (() => {
  try {
    execFileSync('ogrinfo', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();
if (!ogrinfo) console.log('GDAL checks skipped: ogrinfo not found (install gdal-bin)');

/** Feature count and field names as GDAL sees them. */
function gdalSummary(path: string): { count: number; fields: string[] } {
  const target = path.endsWith('.zip') ? `/vsizip/${path}` : path;
  const out = execFileSync('ogrinfo', ['-ro', '-al', '-so', target], { encoding: 'utf8' });
  const count = Number(/Feature Count: (\d+)/.exec(out)?.[1]);
  const fields = [...out.matchAll(/^([^:\n]+): \w+(?:\(\w+\))? \(\d+\.\d+\)/gm)].map((m) =>
    m[1]!.toLowerCase(),
  );
  return { count, fields };
}

describe.each(['geojson', 'csv', 'gpkg', 'kml', 'shp', 'xlsx'] as const)('%s writer', (format) => {
  it('round-trips hazard polygons: same shapes, ids and attributes', async () => {
    const { read } = await roundTrip(format, hazardFeatures, hazardOptions);
    expect(read).toHaveLength(hazardFeatures.length);
    const names =
      format === 'shp' ? shapefileFieldNames(['id', ...hazardOptions.fields.map((f) => f.name)]) : null;
    hazardFeatures.forEach((want, i) => {
      const got = read[i]!;
      expect(got.problems).toEqual([]);
      expect(asMulti(got.geometry)).toEqual(asMulti(want.geometry));
      expect(got.properties[names ? names[0]! : 'id']).toBe(want.id);
      hazardOptions.fields.forEach((field, k) => {
        const key = names ? names[k + 1]! : field.name;
        // Lists are JSON in GeoJSON and GeoPackage, readable text ("a; b") in the other formats.
        const v = want.properties[field.name];
        const expected =
          typeof v === 'object' && v !== null && !JSON_FORMATS.has(format) ? readableText(v) : v;
        expect(loose(got.properties[key]), `${format} ${field.name}`).toBe(loose(expected));
      });
    });
  });

  it('round-trips points, numbers, booleans, dates and a null geometry', async () => {
    const { read } = await roundTrip(format, findingFeatures, findingOptions);
    expect(read).toHaveLength(3);
    expect(read[0]!.geometry).toEqual(findingFeatures[0]!.geometry);
    expect(read[2]!.geometry).toBeNull();
    expect(read[2]!.problems.map((p) => p.code)).toEqual(['io.geometry.null']);
    const depth = read[0]!.properties.depthCm;
    expect(Number(depth)).toBe(12.5);
    expect(String(read[0]!.properties.foundOn)).toBe('2019-03-15');
  });

  it.skipIf(!ogrinfo)('is read by GDAL with the same feature count and fields', async () => {
    for (const [features, opts] of [
      [hazardFeatures, hazardOptions],
      [findingFeatures, findingOptions],
    ] as const) {
      const written = await writeFeatures(format, features, { ...opts, layerName: `gdal_${opts.layerName}` });
      const path = join(dir, `gdal_${opts.layerName}.${written.extension}`);
      writeFileSync(path, written.bytes);
      const summary = gdalSummary(path);
      expect(summary.count).toBe(features.length);
      const expected =
        format === 'shp'
          ? shapefileFieldNames(['id', ...opts.fields.map((f) => f.name)])
          : ['id', ...opts.fields.map((f) => f.name)];
      // KML: GDAL's KML driver lists its own fields (Name, description…) then the schema's.
      // Compared without case: GDAL's KML driver folds our `name` into its own `Name`.
      for (const name of expected) expect(summary.fields, `${format}: ${name}`).toContain(name.toLowerCase());
    }
  });
});

describe('shapefile field names', () => {
  it('shortens to 10 ASCII characters and keeps names unique', () => {
    expect(shapefileFieldNames(['dateOfInformation', 'dateOfInformation2', 'id', 'ID', 'название'])).toEqual([
      'dateOfInfo',
      'dateOfIn_2',
      'id',
      'ID_2',
      'field',
    ]);
  });
});

describe('streamed exports', () => {
  const many = (n: number): WriteFeature[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `f${i}`,
      geometry: { type: 'Point', coordinates: [44 + i / 1e4, 40] },
      properties: { category: 'AP', quantity: i },
    }));
  const opts: WriteOptions = {
    layerName: 'findings',
    geometryKind: 'Point',
    fields: [
      { name: 'category', type: 'string' },
      { name: 'quantity', type: 'integer' },
    ],
  };

  it.each(STREAMED_FORMATS)('writes %s in chunks of rows that join into the whole file', async (format) => {
    async function* source() {
      yield* many(1200);
    }
    const chunks: Uint8Array[] = [];
    for await (const c of streamFeatures(format, source(), opts)) chunks.push(c);
    // head, three batches of at most 500 rows, tail
    expect(chunks).toHaveLength(5);
    const whole = Buffer.concat(chunks);
    expect(whole).toEqual(Buffer.from((await writeFeatures(format, many(1200), opts)).bytes));
    const path = join(dir, `streamed.${format}`);
    writeFileSync(path, whole);
    let n = 0;
    for await (const f of readFeatures({ path }, { format: READ_FORMAT[format] })) {
      expect(Number(f.properties.quantity)).toBe(n);
      n++;
    }
    expect(n).toBe(1200);
  });
});
