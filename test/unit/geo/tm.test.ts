import proj4 from 'proj4';
import { describe, expect, it } from 'vitest';
import {
  type Ellipsoid,
  gk3CentralMeridianDeg,
  gk6CentralMeridianDeg,
  gridConvergenceDeg,
  KRASSOWSKY_1940,
  tmPointScale,
  utmCentralMeridianDeg,
  utmZoneForLon,
  WGS84,
} from '../../../src/geo/tm.ts';

const DEG = Math.PI / 180;

/**
 * Convergence and point scale measured on proj4's own transverse Mercator (Poder/Engsager
 * extended TM, an implementation independent of ours) by central differences along the
 * meridian: the projected meridian's direction in the grid is true north, so grid north lies
 * at −atan2(dE, dN) from it; its grid length over the ellipsoidal meridian arc is the scale.
 */
function proj4Factors(latDeg: number, lonDeg: number, cmDeg: number, k0: number, ell: Ellipsoid) {
  const common = `+a=${ell.a} +rf=${1 / ell.f} +no_defs`;
  const tm = `+proj=tmerc +lon_0=${cmDeg} +k=${k0} +x_0=500000 +y_0=0 +units=m ${common}`;
  const geographic = `+proj=longlat ${common}`;
  const hDeg = 1e-5;
  const [e1, n1] = proj4(geographic, tm, [lonDeg, latDeg - hDeg]);
  const [e2, n2] = proj4(geographic, tm, [lonDeg, latDeg + hDeg]);
  const es = ell.f * (2 - ell.f);
  const meridianRadiusM = (ell.a * (1 - es)) / (1 - es * Math.sin(latDeg * DEG) ** 2) ** 1.5;
  return {
    convergenceDeg: -Math.atan2(e2 - e1, n2 - n1) / DEG,
    scale: Math.hypot(e2 - e1, n2 - n1) / (meridianRadiusM * 2 * hDeg * DEG),
  };
}

describe('transverse Mercator convergence and scale against proj4', () => {
  const cases: { name: string; ell: Ellipsoid; k0: number }[] = [
    { name: 'UTM on WGS 84', ell: WGS84, k0: 0.9996 },
    { name: 'Gauss-Krüger on Krassowsky 1940', ell: KRASSOWSKY_1940, k0: 1 },
  ];
  for (const { name, ell, k0 } of cases) {
    it(`agrees over a zone and beyond (${name}): latitudes −80..84°, up to 10° from the central meridian`, () => {
      let worstGammaDeg = 0;
      let worstScale = 0;
      let count = 0;
      const cm = 45;
      for (let lat = -80; lat <= 84; lat += 4) {
        for (const dLon of [-10, -6, -3.5, -2, -0.5, 0, 0.7, 1.5, 3, 4.5, 8]) {
          const ours = {
            gamma: gridConvergenceDeg(lat, cm + dLon, cm, ell),
            k: tmPointScale(lat, cm + dLon, cm, k0, ell),
          };
          const ref = proj4Factors(lat, cm + dLon, cm, k0, ell);
          worstGammaDeg = Math.max(worstGammaDeg, Math.abs(ours.gamma - ref.convergenceDeg));
          worstScale = Math.max(worstScale, Math.abs(ours.k - ref.scale));
          expect(ours.gamma, `lat ${lat} dLon ${dLon}`).toBeCloseTo(ref.convergenceDeg, 7);
          expect(Math.abs(ours.k - ref.scale), `lat ${lat} dLon ${dLon}`).toBeLessThan(1e-8);
          count++;
        }
      }
      console.log(
        `${name}: ${count} points, worst convergence difference ${worstGammaDeg.toExponential(2)}°, ` +
          `worst scale difference ${worstScale.toExponential(2)}`,
      );
    });
  }
});

describe('transverse Mercator convergence and scale against PROJ 9.1.1 `proj -V`', () => {
  // Each row: `echo "LON LAT" | proj -V +proj=... ` → "Convergence … [ γ ]" and "Meridian scale (h)"
  // (PROJ 9.1.1, Debian proj-bin), printed to 8 decimals.
  const rows: {
    lon: number;
    lat: number;
    cm: number;
    k0: number;
    ell: Ellipsoid;
    gammaDeg: number;
    k: number;
    projString: string;
  }[] = [
    {
      lon: 45.5,
      lat: 41.5,
      cm: 45,
      k0: 1,
      ell: KRASSOWSKY_1940,
      gammaDeg: 0.3313148,
      k: 1.00002144,
      projString: '+proj=tmerc +lon_0=45 +k=1 +x_0=500000 +ellps=krass',
    },
    {
      lon: 41.9,
      lat: 43.5,
      cm: 39,
      k0: 1,
      ell: KRASSOWSKY_1940,
      gammaDeg: 1.99713504,
      k: 1.00067647,
      projString: '+proj=tmerc +lon_0=39 +k=1 +x_0=7500000 +ellps=krass',
    },
    {
      lon: 49.9,
      lat: 40.4,
      cm: 51,
      k0: 1,
      ell: KRASSOWSKY_1940,
      gammaDeg: -0.71298329,
      k: 1.0001073,
      projString: '+proj=tmerc +lon_0=51 +k=1 +x_0=9500000 +ellps=krass',
    },
    {
      lon: 46.4,
      lat: 42.0,
      cm: 45,
      k0: 1,
      ell: KRASSOWSKY_1940,
      gammaDeg: 0.93688697,
      k: 1.00016549,
      projString: '+proj=tmerc +lon_0=45 +k=1 +x_0=15500000 +ellps=krass',
    },
    {
      lon: 43.1,
      lat: 41.7,
      cm: 45,
      k0: 0.9996,
      ell: WGS84,
      gammaDeg: -1.26419891,
      k: 0.99990757,
      projString: '+proj=utm +zone=38 +ellps=WGS84',
    },
    {
      lon: 18.4,
      lat: -33.9,
      cm: 21,
      k0: 0.9996,
      ell: WGS84,
      gammaDeg: 1.45083291,
      k: 1.00031259,
      projString: '+proj=utm +zone=34 +south +ellps=WGS84',
    },
    {
      lon: 30.5,
      lat: 70.0,
      cm: 27,
      k0: 0.9996,
      ell: WGS84,
      gammaDeg: 3.28940362,
      k: 0.99981814,
      projString: '+proj=utm +zone=35 +ellps=WGS84',
    },
    {
      lon: 66.2,
      lat: 33.3,
      cm: 69,
      k0: 0.9996,
      ell: WGS84,
      gammaDeg: -1.53813135,
      k: 1.00043814,
      projString: '+proj=utm +zone=42 +ellps=WGS84',
    },
    {
      lon: -74.1,
      lat: 4.6,
      cm: -75,
      k0: 0.9996,
      ell: WGS84,
      gammaDeg: 0.07218505,
      k: 0.99972336,
      projString: '+proj=utm +zone=18 +ellps=WGS84',
    },
  ];
  for (const r of rows) {
    it(`matches ${r.projString} at ${r.lat}, ${r.lon} to the printed 8 decimals`, () => {
      expect(Math.abs(gridConvergenceDeg(r.lat, r.lon, r.cm, r.ell) - r.gammaDeg)).toBeLessThan(1e-8);
      expect(Math.abs(tmPointScale(r.lat, r.lon, r.cm, r.k0, r.ell) - r.k)).toBeLessThan(1e-8);
    });
  }
});

describe('sign convention of grid convergence', () => {
  it('is positive east of the central meridian in the north and negative west of it', () => {
    expect(gridConvergenceDeg(45, 46, 45)).toBeGreaterThan(0);
    expect(gridConvergenceDeg(45, 44, 45)).toBeLessThan(0);
  });
  it('flips in the southern hemisphere and vanishes on the central meridian and the equator', () => {
    expect(gridConvergenceDeg(-45, 46, 45)).toBeLessThan(0);
    expect(gridConvergenceDeg(30, 45, 45)).toBe(0);
    expect(Math.abs(gridConvergenceDeg(0, 47, 45))).toBeLessThan(1e-12);
  });
  it('is about Δλ·sin φ near the central meridian (the textbook first-order term)', () => {
    const lat = 42;
    const dLon = 0.01;
    expect(gridConvergenceDeg(lat, 45 + dLon, 45)).toBeCloseTo(dLon * Math.sin(lat * DEG), 8);
  });
});

describe('zones', () => {
  it('numbers UTM zones from 180°W in 6° steps, with the Norway and Svalbard exceptions', () => {
    expect(utmZoneForLon(-180)).toBe(1);
    expect(utmZoneForLon(-177.1)).toBe(1);
    expect(utmZoneForLon(44.8)).toBe(38);
    expect(utmZoneForLon(42)).toBe(38);
    expect(utmZoneForLon(41.999999)).toBe(37);
    expect(utmZoneForLon(179.9)).toBe(60);
    expect(utmZoneForLon(180)).toBe(1);
    expect(utmZoneForLon(5, 60)).toBe(32);
    expect(utmZoneForLon(5, 50)).toBe(31);
    expect(utmZoneForLon(10, 78)).toBe(33);
    expect(utmZoneForLon(40, 78)).toBe(37);
  });
  it('gives the central meridians of UTM and Gauss-Krüger zones', () => {
    expect(utmCentralMeridianDeg(1)).toBe(-177);
    expect(utmCentralMeridianDeg(38)).toBe(45);
    expect(gk6CentralMeridianDeg(7)).toBe(39);
    expect(gk6CentralMeridianDeg(10)).toBe(57);
    expect(gk3CentralMeridianDeg(14)).toBe(42);
  });
  it('puts Gauss-Krüger zone 8 and UTM zone 38 on the same meridian, 45°E', () => {
    expect(gk6CentralMeridianDeg(8)).toBe(utmCentralMeridianDeg(38));
  });
  it('rejects zone numbers that do not exist, with a stable code', () => {
    for (const zone of [0, 61, 7.5, Number.NaN]) {
      expect(() => utmCentralMeridianDeg(zone)).toThrow(
        expect.objectContaining({ code: 'geo.tm.utm_zone_invalid' }),
      );
      expect(() => gk6CentralMeridianDeg(zone)).toThrow(
        expect.objectContaining({ code: 'geo.tm.gk_zone_invalid' }),
      );
    }
  });
  it('rejects a latitude beyond the pole', () => {
    expect(() => gridConvergenceDeg(91, 45, 45)).toThrow(
      expect.objectContaining({ code: 'geo.tm.latitude_out_of_range' }),
    );
  });
});
