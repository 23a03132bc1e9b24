import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../src/io/detect.ts';
import { attributes } from '../../../src/io/kml.ts';
import { dbfEncoding } from '../../../src/io/shapefile.ts';
import type { Geometry, SourceFeature } from '../../../src/io/types.ts';
import { readFixture } from '../../fixtures/io/read-fixture.ts';

// The fixtures here are files made by GDAL and by hand the way field tools write them
// (test/fixtures/io/README.md).
const codes = (f: SourceFeature) => f.problems.map((p) => p.code);
const firstPosition = (g: Geometry | null): number[] => {
  let c = g?.coordinates as unknown;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  return c as number[];
};

describe('shapefiles as GDAL writes them', () => {
  it('reads a UTM 38N shapefile inside a folder of the zip back to the source degrees', async () => {
    const features = await readFixture('messy-hazards-utm38n-subfolder.shp.zip');
    expect(features).toHaveLength(5);
    const [lon, lat] = firstPosition(features[0]!.geometry);
    expect(lon).toBeCloseTo(44.5, 6);
    expect(lat).toBeCloseTo(40.1, 6);
    expect(features[0]!.properties).toMatchObject({ name: 'Campo de Peñalara', dateOfInfo: '2021-05-04' });
    expect(codes(features[3]!)).toEqual(['io.geometry.null']);
  });

  it('decodes a .cpg of ISO-8859-9 as Turkish, not Latin-1', async () => {
    const features = await readFixture('az-iso8859-9.shp.zip');
    expect(features.map((f) => f.properties.name)).toEqual(['Ağdam yaxınlığı', 'Şuşa düzü']);
  });

  it('reads the ISO 8859 part number of every spelling of a .cpg', () => {
    expect(dbfEncoding({ cpg: 'ISO-8859-9' })).toBe('iso-8859-9');
    expect(dbfEncoding({ cpg: '88595' })).toBe('iso-8859-5');
    expect(dbfEncoding({ cpg: 'ISO8859_15' })).toBe('iso-8859-15');
    expect(dbfEncoding({ cpg: '8859' })).toBe('iso-8859-1');
    expect(dbfEncoding({ cpg: 'CP1252' })).toBe('windows-1252');
  });
});

describe('KML and KMZ from GDAL and Google Earth', () => {
  it('reads the features of a LIBKML KMZ through its NetworkLink, not the link itself', async () => {
    const features = await readFixture('libkml-hazards.kmz');
    expect(features).toHaveLength(5);
    expect(features[0]!.properties).toMatchObject({ name: 'Campo de Peñalara', type: 'SHA' });
    expect(features[0]!.geometry?.type).toBe('Polygon');
    expect(features.some((f) => '@geometry-type' in f.properties)).toBe(false);
  });

  it('keeps the attributes of an ogr2ogr KML and drops its style', async () => {
    const features = await readFixture('ogr-hazards.kml');
    expect(features).toHaveLength(5);
    expect(features[1]!.properties).toEqual({
      name: 'Şəmkir çölü',
      description: 'Ağdam yaxınlığı',
      type: 'CHA',
      status: 'open',
      beneficiaries: 30,
      dateOfInformation: '2022/01/10',
    });
  });

  it('reads a Google Earth KML: nested folders, HTML description as text, x,y,z positions', async () => {
    const features = await readFixture('google-earth-zones.kml');
    expect(features.map((f) => f.geometry?.type ?? null)).toEqual([
      'Polygon',
      'MultiPolygon',
      'Polygon',
      'Point',
      'GeometryCollection',
      null,
    ]);
    expect(features[0]!.properties).toEqual({
      name: 'Zona 1 – potrero',
      description: '<b>Tipo:</b> SHA<br/>Reportado por la comunidad',
    });
    expect(firstPosition(features[0]!.geometry)).toEqual([-75.5, 6.2, 1520.3]);
    expect(codes(features[5]!)).toEqual(['io.geometry.null']);
  });

  it('drops only what togeojson derives from styles', () => {
    expect(attributes({ name: 'a', styleUrl: '#s', 'fill-opacity': 0.5, icon: 'x.png', depth: 3 })).toEqual({
      name: 'a',
      depth: 3,
    });
  });
});

describe('GeoPackage with several layers', () => {
  it('reads every layer and keeps the fids of different tables apart', async () => {
    const features = await readFixture('two-layers.gpkg');
    expect(features).toHaveLength(7);
    expect(features.map((f) => f.externalId)).toEqual([
      'findings:1',
      'findings:2',
      'hazards:1',
      'hazards:2',
      'hazards:3',
      'hazards:4',
      'hazards:5',
    ]);
  });
});

describe('GeoJSON variants', () => {
  it('reads GeoJSONSeq with record separators, one feature per line', async () => {
    const features = await readFixture('messy-hazards.geojsons');
    expect(features.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    expect(features[1]!.properties.name).toBe('Şəmkir çölü');
    expect(codes(features[3]!)).toEqual(['io.geometry.null']);
  });

  it('detects GeoJSONSeq by extension, record separator, or a Feature per line', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    const line = '{"type":"Feature","properties":{},"geometry":null}';
    expect(detectFormat('a.geojsonl', bytes(line))).toBe('geojsonseq');
    expect(detectFormat('a.json', bytes(`\u001e${line}\n`))).toBe('geojsonseq');
    expect(detectFormat('a.geojson', bytes(`${line}\n${line}\n`))).toBe('geojsonseq');
    expect(detectFormat('a.geojson', bytes(`${line}\n`))).toBe('geojson');
    expect(detectFormat('a.geojson', bytes('{\n"type": "FeatureCollection",\n"features": []}'))).toBe(
      'geojson',
    );
  });

  it('turns a GeometryCollection of polygons into a MultiPolygon and leaves mixed ones', async () => {
    const features = await readFixture('geometry-collections.geojson');
    expect(features).toHaveLength(5);
    expect(features[0]!.geometry?.type).toBe('MultiPolygon');
    expect((features[0]!.geometry!.coordinates as unknown[]).length).toBe(2);
    expect(features[1]!.geometry?.type).toBe('GeometryCollection');
    expect(codes(features[3]!)).toEqual(['io.geometry.null']);
    expect(codes(features[4]!)).toEqual(['io.geometry.null']);
  });
});

describe('CSV from Excel and KoboToolbox', () => {
  it('skips rows that hold only spaces or delimiters, like empty lines', async () => {
    const features = await readFixture('blank-rows.csv');
    expect(features).toHaveLength(1);
    expect(features[0]!.geometry).toEqual({ type: 'Point', coordinates: [44.51, 40.11] });
  });

  it('reads a Kobo CSV whose only location is _geolocation as text', async () => {
    const features = await readFixture('kobo-geolocation.csv');
    expect(features[0]!.geometry).toEqual({ type: 'Point', coordinates: [44.5102, 40.1105] });
    expect(features[0]!.externalId).toBe('u1');
    expect(codes(features[1]!)).toEqual(['io.geometry.null']);
  });
});
