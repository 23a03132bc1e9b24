import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  fromLonLat,
  gaussKruger3CrsForLon,
  gaussKrugerCrsForLon,
  gk3ZoneForLon,
  gkZoneForLon,
  resolveCrs,
  toLonLat,
  transformPoint,
} from '../../../src/geo/crs.ts';
import { problemCode } from './helpers.ts';

// Reference values made with PROJ's cs2cs by test/reference/make-pulkovo-reference.sh.
const referenceDir = new URL('../../reference/', import.meta.url);

interface ReferenceRow {
  direction: 'to_wgs84' | 'from_wgs84';
  crs: string;
  a: number;
  b: number;
  lat: number;
  lon: number;
}

function readReference(): ReferenceRow[] {
  const lines = readFileSync(new URL('pulkovo-gk-wgs84.tsv', referenceDir), 'utf8').split('\n');
  return lines
    .filter((l) => l.trim() && !l.startsWith('#') && !l.startsWith('direction'))
    .map((l) => {
      const [direction, crs, a, b, lat, lon] = l.split('\t');
      return {
        direction: direction as ReferenceRow['direction'],
        crs: crs!,
        a: Number(a),
        b: Number(b),
        lat: Number(lat),
        lon: Number(lon),
      };
    });
}

const M_PER_DEG = 111_320;

/** Ground distance between two geographic positions a few centimetres apart, in metres. */
function geographicGapM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dy = (lat1 - lat2) * M_PER_DEG;
  const dx = (lon1 - lon2) * M_PER_DEG * Math.cos((lat1 * Math.PI) / 180);
  return Math.hypot(dx, dy);
}

/** Gap between a point in `crs` (authority order) and the reference, in metres. */
function crsGapM(crs: string, a1: number, b1: number, a2: number, b2: number): number {
  return resolveCrs(crs).kind === 'geographic'
    ? geographicGapM(a1, b1, a2, b2)
    : Math.hypot(a1 - a2, b1 - b2);
}

const rows = readReference();

describe('Pulkovo 1942 / Gauss-Krüger ↔ WGS 84 against PROJ cs2cs (EPSG:15865)', () => {
  it('has reference points for EPSG:4284, GK 6° zones 7–10 and the 3° zones over 40–52°E', () => {
    const crsSet = new Set(rows.map((r) => r.crs));
    for (const code of [4284, 28407, 28408, 28409, 28410, 2529, 2530, 2531, 2532, 2533, 2498, 2590]) {
      expect(crsSet.has(`EPSG:${code}`), `EPSG:${code}`).toBe(true);
    }
    expect(rows.length).toBeGreaterThan(2500);
  });

  it('converts every reference point to WGS 84 and back within 5 cm', () => {
    let worstToWgs84M = 0;
    let worstFromWgs84M = 0;
    for (const r of rows) {
      const [lat, lon] = transformPoint(r.crs, 'EPSG:4326', r.a, r.b);
      const toGapM = geographicGapM(lat, lon, r.lat, r.lon);
      const [a, b] = transformPoint('EPSG:4326', r.crs, r.lat, r.lon);
      const fromGapM = crsGapM(r.crs, a, b, r.a, r.b);
      expect(toGapM, `${r.crs} ${r.a} ${r.b} → WGS 84`).toBeLessThan(0.05);
      expect(fromGapM, `${r.lat} ${r.lon} → ${r.crs}`).toBeLessThan(0.05);
      worstToWgs84M = Math.max(worstToWgs84M, toGapM);
      worstFromWgs84M = Math.max(worstFromWgs84M, fromGapM);
    }
    console.log(
      `pulkovo reference: ${rows.length} rows, largest gap to WGS 84 ${(worstToWgs84M * 1000).toFixed(3)} mm, ` +
        `from WGS 84 ${(worstFromWgs84M * 1000).toFixed(3)} mm`,
    );
  });

  it('gives the same answer through toLonLat and fromLonLat', () => {
    for (const r of rows.filter((_, i) => i % 7 === 0)) {
      const [lon, lat] = toLonLat(r.crs, r.a, r.b);
      expect(geographicGapM(lat, lon, r.lat, r.lon)).toBeLessThan(0.05);
      const [a, b] = fromLonLat(r.crs, r.lon, r.lat);
      expect(crsGapM(r.crs, a, b, r.a, r.b)).toBeLessThan(0.05);
    }
  });

  it('is about 29 m off with the rotation signs reversed, and about 100 m off with no datum shift', () => {
    // The reference must tell the right sign from the wrong one, or the 5 cm test proves nothing.
    const wrongSign = '+proj=longlat +ellps=krass +towgs84=25,-141,-78.5,0,-0.35,-0.736,0 +no_defs';
    const noShift = '+proj=longlat +ellps=WGS84 +no_defs';
    const pulkovo = rows.filter((r) => r.crs === 'EPSG:4284' && r.direction === 'to_wgs84');
    let smallestWrongSignM = Infinity;
    let largestWrongSignM = 0;
    for (const r of pulkovo) {
      const [lon, lat] = transformPoint(wrongSign, 'EPSG:4326', r.b, r.a, { xy: true });
      const gapM = geographicGapM(lat, lon, r.lat, r.lon);
      smallestWrongSignM = Math.min(smallestWrongSignM, gapM);
      largestWrongSignM = Math.max(largestWrongSignM, gapM);
      const [lonNo, latNo] = transformPoint(noShift, 'EPSG:4326', r.b, r.a, { xy: true });
      expect(geographicGapM(latNo, lonNo, r.lat, r.lon)).toBeGreaterThan(80);
    }
    expect(smallestWrongSignM).toBeGreaterThan(20);
    expect(largestWrongSignM).toBeLessThan(40);
  });

  it('uses the same projection parameters as PROJ for every EPSG code it knows', () => {
    const defs = readFileSync(new URL('pulkovo-crs-definitions.tsv', referenceDir), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('EPSG:'))
      .map((l) => l.split('\t') as [string, string]);
    expect(defs.length).toBeGreaterThan(100);
    const params = (s: string) =>
      Object.fromEntries(
        s
          .split(/\s+/)
          .filter((p) => p && !['+no_defs', '+type=crs'].includes(p))
          .map((p) => p.split('=') as [string, string?]),
      );
    for (const [code, projString] of defs) {
      const ours = params(resolveCrs(code).proj4);
      const theirs = params(projString);
      // PROJ leaves +towgs84 out where several transformations compete; ours is always EPSG:15865.
      if (theirs['+towgs84'] === undefined) delete ours['+towgs84'];
      expect(ours, code).toEqual(theirs);
    }
  });
});

describe('axis order', () => {
  // Values from cs2cs 9.1.1: `echo "40 45" | cs2cs -f %.4f EPSG:4326 EPSG:32638`.
  it('reads EPSG:4326 latitude first and writes UTM easting first', () => {
    const [e, n] = transformPoint('EPSG:4326', 'EPSG:32638', 40, 45);
    expect(e).toBeCloseTo(500000.0, 3);
    expect(n).toBeCloseTo(4427757.2187, 3);
  });

  it('reads longitude first with xy', () => {
    const [e, n] = transformPoint('EPSG:4326', 'EPSG:32638', 45, 40, { xy: true });
    expect([e, n].map((v) => Math.round(v * 1000) / 1000)).toEqual([500000, 4427757.219]);
  });

  it('puts Gauss-Krüger northing (X) first, and easting first with xy', () => {
    // cs2cs -f %.4f EPSG:4284 EPSG:28408 <<< "40.5 44.5" → 4485248.1583 8457615.3238
    const [x, y] = transformPoint('EPSG:4284', 'EPSG:28408', 40.5, 44.5);
    expect(x).toBeCloseTo(4485248.1583, 3);
    expect(y).toBeCloseTo(8457615.3238, 3);
    const [e, n] = transformPoint('EPSG:4284', 'EPSG:28408', 44.5, 40.5, { xy: true });
    expect(e).toBeCloseTo(8457615.3238, 3);
    expect(n).toBeCloseTo(4485248.1583, 3);
  });

  it('handles the southern hemisphere UTM zones', () => {
    // cs2cs -f %.4f EPSG:4326 EPSG:32734 <<< "-33.9 18.4" → 259583.2217 6245888.0454
    const [e, n] = fromLonLat('EPSG:32734', 18.4, -33.9);
    expect(e).toBeCloseTo(259583.2217, 3);
    expect(n).toBeCloseTo(6245888.0454, 3);
  });
});

describe('resolveCrs', () => {
  it('describes a Gauss-Krüger zone with its central meridian and prefixed false easting', () => {
    expect(resolveCrs('epsg:28408')).toMatchObject({
      code: 'EPSG:28408',
      axisOrder: 'ne',
      kind: 'projected',
      centralMeridianDeg: 45,
      zone: 8,
      zonePrefixInEasting: true,
    });
    expect(resolveCrs('urn:ogc:def:crs:EPSG::2590')).toMatchObject({
      centralMeridianDeg: 45,
      zonePrefixInEasting: false,
    });
  });

  it('accepts a proj4 string, easting first', () => {
    expect(resolveCrs(' +proj=utm +zone=38 +datum=WGS84 ')).toMatchObject({
      axisOrder: 'en',
      kind: 'projected',
    });
    expect(resolveCrs('+proj=longlat +ellps=krass')).toMatchObject({ axisOrder: 'en', kind: 'geographic' });
  });

  it('rejects what it does not know', () => {
    for (const spec of ['EPSG:9999', 'EPSG:3857', 'WGS84', '', '+proj=nonsense +ellps=WGS84', 'EPSG:32661']) {
      expect(
        problemCode(() => resolveCrs(spec)),
        spec,
      ).toBe('geo.crs.unknown');
    }
  });
});

describe('input checks', () => {
  it('rejects coordinates that are not finite numbers', () => {
    expect(problemCode(() => transformPoint('EPSG:4326', 'EPSG:32638', Number.NaN, 45))).toBe(
      'geo.coordinate.not_finite',
    );
    expect(problemCode(() => toLonLat('EPSG:28408', 4485248, Number.POSITIVE_INFINITY))).toBe(
      'geo.coordinate.not_finite',
    );
  });

  it('rejects a latitude beyond ±90 and a longitude beyond ±180', () => {
    expect(problemCode(() => transformPoint('EPSG:4326', 'EPSG:28408', 90.5, 45))).toBe(
      'geo.coordinate.out_of_range',
    );
    expect(problemCode(() => fromLonLat('EPSG:32638', 45, -91))).toBe('geo.coordinate.out_of_range');
    expect(problemCode(() => fromLonLat('EPSG:32638', 181, 40))).toBe('geo.coordinate.out_of_range');
  });

  it('rejects a Gauss-Krüger easting whose zone prefix is not the zone of the CRS', () => {
    // 457 615 is the zone 8 easting 8 457 615 with its prefix dropped.
    expect(problemCode(() => toLonLat('EPSG:28408', 4485248, 457615))).toBe('geo.crs.zone_prefix_mismatch');
    expect(problemCode(() => toLonLat('EPSG:28409', 4485248, 8457615))).toBe('geo.crs.zone_prefix_mismatch');
    expect(toLonLat('EPSG:2498', 4485248, 457615)[0]).toBeCloseTo(44.5, 1);
  });
});

describe('Gauss-Krüger zone for a longitude', () => {
  it('numbers 6° zones from Greenwich eastwards, a boundary going east', () => {
    expect([41.999, 42, 45.2, 47.99, 48, 51, 54].map(gkZoneForLon)).toEqual([7, 8, 8, 8, 9, 9, 10]);
    expect([-3, -177, 0, 179.9].map(gkZoneForLon)).toEqual([60, 31, 1, 30]);
  });

  it('gives the EPSG code whose central meridian is within 3° of the longitude', () => {
    for (let lon = 18; lon < 192 && lon <= 180; lon += 0.37) {
      const info = resolveCrs(gaussKrugerCrsForLon(lon));
      expect(Math.abs(lon - info.centralMeridianDeg!)).toBeLessThanOrEqual(3);
    }
    expect(gaussKrugerCrsForLon(45.2)).toBe('EPSG:28408');
    expect(gaussKrugerCrsForLon(51)).toBe('EPSG:28409');
    expect(problemCode(() => gaussKrugerCrsForLon(10))).toBe('geo.crs.no_gauss_kruger_zone');
  });

  it('gives the 3° zone whose central meridian is within 1.5° of the longitude', () => {
    expect([40.4, 40.5, 43.49, 43.5, 45.2, 51.9].map(gk3ZoneForLon)).toEqual([13, 14, 14, 15, 15, 17]);
    for (let lon = 19.5; lon < 100.5; lon += 0.29) {
      const info = resolveCrs(gaussKruger3CrsForLon(lon));
      expect(Math.abs(lon - info.centralMeridianDeg!)).toBeLessThanOrEqual(1.5);
      expect(info.zone).toBe(gk3ZoneForLon(lon));
    }
    expect(problemCode(() => gaussKruger3CrsForLon(110))).toBe('geo.crs.no_gauss_kruger_zone');
  });
});
