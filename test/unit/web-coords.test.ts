import { describe, expect, it } from 'vitest';
import { geometryToText, parseArea, textLines } from '../../web/src/geo/area-text.ts';
import { parsePosition, parsePositions, toMgrs } from '../../web/src/geo/coords.ts';

// Reading typed coordinates in the web forms. Reference values: DMS arithmetic by hand;
// UTM 38T 500000 4427757.2 = 40°N 45°E (PROJ `cs2cs EPSG:32638 EPSG:4326`); the Washington
// Monument in MGRS, 18S UJ 23487 06483 = 38.8895°N 77.0352°W (NGA MGRS examples).
function lonLat(text: string): [number, number] {
  const r = parsePosition(text);
  if (!r.ok) throw new Error(`${text}: ${r.code}`);
  return r.position;
}

describe('parsePosition', () => {
  it('reads decimal degrees as latitude, longitude', () => {
    const [lon, lat] = lonLat('40.1792, 44.4991');
    expect(lat).toBeCloseTo(40.1792, 9);
    expect(lon).toBeCloseTo(44.4991, 9);
  });

  it('uses hemisphere letters to order and sign the angles', () => {
    const [lon, lat] = lonLat('44.5E 40.25S');
    expect(lat).toBeCloseTo(-40.25, 9);
    expect(lon).toBeCloseTo(44.5, 9);
  });

  it('reads degrees, minutes and seconds in several spellings', () => {
    for (const text of [
      `40°10'30"N 44°30'00"E`,
      'N 40 10 30 E 44 30 0',
      '40°10′30″N, 44°30′E',
      '40d10m30sN 44d30mE',
    ]) {
      const [lon, lat] = lonLat(text);
      expect(lat, text).toBeCloseTo(40 + 10 / 60 + 30 / 3600, 9);
      expect(lon, text).toBeCloseTo(44.5, 9);
    }
  });

  it('reads UTM with a latitude band letter', () => {
    const [lon, lat] = lonLat('38T 500000 4427757.2');
    expect(lat).toBeCloseTo(40, 5);
    expect(lon).toBeCloseTo(45, 6);
  });

  it('reads MGRS with or without spaces', () => {
    for (const text of ['18SUJ2348706483', '18S UJ 23487 06483']) {
      const [lon, lat] = lonLat(text);
      expect(lat, text).toBeCloseTo(38.8895, 3);
      expect(lon, text).toBeCloseTo(-77.0352, 3);
    }
  });

  it('names what is wrong with a bad position', () => {
    expect(parsePosition('95, 44')).toEqual({ ok: false, code: 'coords.latitude_range' });
    expect(parsePosition('40 75 00 N 44 00 00 E')).toEqual({ ok: false, code: 'coords.minutes_range' });
    expect(parsePosition('somewhere near the river')).toEqual({ ok: false, code: 'coords.unrecognised' });
  });
});

describe('parsePositions and parseArea', () => {
  it('reports faulty lines by number and keeps the good ones', () => {
    const r = parsePositions('40, 44\n\nnot a place\n41, 45');
    expect(r.positions).toEqual([
      [44, 40],
      [45, 41],
    ]);
    expect(r.errors).toEqual([{ line: 3, code: 'coords.unrecognised' }]);
  });

  it('closes a typed ring and separates polygons at blank lines', () => {
    const r = parseArea('40, 44\n40, 44.01\n40.01, 44.01\n\n41, 45\n41, 45.01\n41.01, 45.01\n41, 45');
    expect(r.errors).toEqual([]);
    expect(r.geometry?.type).toBe('MultiPolygon');
    const polys = r.geometry?.type === 'MultiPolygon' ? r.geometry.coordinates : [];
    expect(polys[0][0]).toHaveLength(4);
    expect(polys[0][0][3]).toEqual(polys[0][0][0]);
    expect(polys[1][0]).toHaveLength(4);
    expect(r.lines).toEqual([[[1, 2, 3]], [[5, 6, 7, 8]]]);
  });

  it('makes a ring typed inside another a hole, and a ring inside the hole an island', () => {
    const text = [
      '40, 44\n40, 44.1\n40.1, 44.1\n40.1, 44',
      '40.02, 44.02\n40.02, 44.08\n40.08, 44.08\n40.08, 44.02',
      '40.04, 44.04\n40.04, 44.06\n40.06, 44.06',
      '41, 45\n41, 45.01\n41.01, 45.01',
    ].join('\n\n');
    const r = parseArea(text);
    expect(r.errors).toEqual([]);
    const polys = r.geometry?.type === 'MultiPolygon' ? r.geometry.coordinates : [];
    expect(polys.map((p) => p.length)).toEqual([2, 1, 1]);
    expect(polys[0][1][0]).toEqual([44.02, 40.02]);
    expect(polys[1][0][0]).toEqual([44.04, 40.04]);
    expect(r.lines).toEqual([
      [
        [1, 2, 3, 4],
        [6, 7, 8, 9],
      ],
      [[11, 12, 13]],
      [[15, 16, 17]],
    ]);
    // Written back, the text reads the same way: outer ring, then its hole.
    expect(parseArea(geometryToText(r.geometry)).geometry).toEqual(r.geometry);
    expect(textLines(r.geometry)).toEqual([
      [
        [1, 2, 3, 4],
        [6, 7, 8, 9],
      ],
      [[11, 12, 13]],
      [[15, 16, 17]],
    ]);
  });

  it('keeps a single polygon with a hole a Polygon', () => {
    const r = parseArea('40, 44\n40, 44.1\n40.1, 44.1\n40.1, 44\n\n40.02, 44.02\n40.02, 44.08\n40.08, 44.08');
    expect(r.geometry?.type).toBe('Polygon');
    expect(r.geometry?.coordinates).toHaveLength(2);
  });

  it('refuses a polygon with fewer than three corners', () => {
    expect(parseArea('40, 44\n40, 45').errors).toEqual([{ line: 1, code: 'coords.too_few' }]);
  });
});

describe('toMgrs', () => {
  it('formats a position as a 1 m MGRS reference', () => {
    expect(toMgrs(-77.0352, 38.8895)?.replace(/\s/g, '')).toMatch(/^18SUJ2348\d0648\d$/);
  });
});
