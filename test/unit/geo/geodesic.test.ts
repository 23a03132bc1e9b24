import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { geodesicDirect, geodesicInverse, polygonAreaM2 } from '../../../src/geo/geodesic.ts';
import { testdata } from '../../fixtures/testdata.ts';

// Karney's GeodTest set (100 problems on WGS 84, solved to ~1e-15 in extended precision):
// lat1 lon1 azi1 lat2 lon2 azi2 s12 a12 m12 S12.
const geodTestUrl = testdata('geodesic', 'GeodTest-100.dat');

interface GeodProblem {
  line: number;
  lat1: number;
  lon1: number;
  azi1: number;
  lat2: number;
  lon2: number;
  azi2: number;
  s12: number;
  a12: number;
  S12: number;
}

const problems: GeodProblem[] = readFileSync(geodTestUrl, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l, i) => {
    const v = l.trim().split(/\s+/).map(Number);
    return {
      line: i + 1,
      lat1: v[0],
      lon1: v[1],
      azi1: v[2],
      lat2: v[3],
      lon2: v[4],
      azi2: v[5],
      s12: v[6],
      a12: v[7],
      S12: v[9],
    };
  });

// Straight-line (chord) distance between two geodetic points on WGS 84 via Earth-centred
// coordinates: an error metric that does not itself depend on the geodesic code under test
// and behaves at the poles, where a longitude error means nothing.
function chordM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const a = 6378137;
  const f = 1 / 298.257223563;
  const e2 = f * (2 - f);
  const ecef = (lat: number, lon: number) => {
    const phi = (lat * Math.PI) / 180;
    const lam = (lon * Math.PI) / 180;
    const n = a / Math.sqrt(1 - e2 * Math.sin(phi) ** 2);
    return [
      n * Math.cos(phi) * Math.cos(lam),
      n * Math.cos(phi) * Math.sin(lam),
      n * (1 - e2) * Math.sin(phi),
    ];
  };
  const p = ecef(lat1, lon1);
  const q = ecef(lat2, lon2);
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

/** Smallest difference between two angles in degrees, in [0, 180]. */
function angleDiffDeg(x: number, y: number): number {
  const d = (((x - y) % 360) + 360) % 360;
  return Math.min(d, 360 - d);
}

describe('geodesics on WGS 84 against the GeodTest problems', () => {
  it('reads all 100 problems', () => {
    expect(problems).toHaveLength(100);
  });

  it('solves every direct problem to within 1 mm of the reference end point', () => {
    let worstM = 0;
    let worstAziDeg = 0;
    for (const p of problems) {
      const r = geodesicDirect(p.lat1, p.lon1, p.azi1, p.s12);
      const errM = chordM(r.latDeg, r.lonDeg, p.lat2, p.lon2);
      const aziErr = angleDiffDeg(r.aziDeg, p.azi2);
      worstM = Math.max(worstM, errM);
      worstAziDeg = Math.max(worstAziDeg, aziErr);
      expect(errM, `problem ${p.line}`).toBeLessThan(1e-3);
      // 1e-8° of azimuth is under 2e-10 rad; near the poles azimuth is ill-conditioned (problem 54 reaches 1.2e-9°).
      expect(aziErr, `problem ${p.line}`).toBeLessThan(1e-8);
    }
    console.log(
      `direct: worst position error ${worstM.toExponential(2)} m, worst end azimuth error ${worstAziDeg.toExponential(2)}°`,
    );
  });

  it('solves every inverse problem: distance within 1 µm, azimuths to 1e-9° where the line is not near-antipodal', () => {
    let worstDistM = 0;
    let worstAziDeg = 0;
    let worstEndM = 0;
    let azimuthChecked = 0;
    for (const p of problems) {
      const r = geodesicInverse(p.lat1, p.lon1, p.lat2, p.lon2);
      const distErr = Math.abs(r.distanceM - p.s12);
      worstDistM = Math.max(worstDistM, distErr);
      expect(distErr, `problem ${p.line}`).toBeLessThan(1e-6);
      // Near-antipodal pairs (arc length within 0.1° of 180°, 29 of the 100) have two or more geodesics
      // of (almost) equal length, so the azimuth is ill-conditioned there; what must hold for every problem is that following the returned
      // azimuth for the returned distance lands on the target point.
      const back = geodesicDirect(p.lat1, p.lon1, r.azi1Deg, r.distanceM);
      const endErr = chordM(back.latDeg, back.lonDeg, p.lat2, p.lon2);
      worstEndM = Math.max(worstEndM, endErr);
      expect(endErr, `problem ${p.line}`).toBeLessThan(1e-3);
      if (p.a12 < 179.9) {
        azimuthChecked += 1;
        const aziErr = Math.max(angleDiffDeg(r.azi1Deg, p.azi1), angleDiffDeg(r.azi2Deg, p.azi2));
        worstAziDeg = Math.max(worstAziDeg, aziErr);
        expect(aziErr, `problem ${p.line}`).toBeLessThan(1e-9);
      }
    }
    // 29 of the 100 are near-antipodal (see above): the azimuths of the other 71 must have been compared.
    expect(azimuthChecked).toBe(71);
    console.log(
      `inverse: worst distance error ${worstDistM.toExponential(2)} m, worst azimuth error ${worstAziDeg.toExponential(2)}° over ${azimuthChecked} non-antipodal problems, ` +
        `worst re-walked end point ${worstEndM.toExponential(2)} m`,
    );
  });
});

describe('ellipsoidal polygon area', () => {
  // GeodTest's S12 is the area of the quadrilateral (lat1, lon1), (0, lon1), (0, lon2),
  // (lat2, lon2) bounded by the geodesic, the two meridians and the equator. Where both ends
  // lie in one hemisphere and the longitude span is under 179°, that quadrilateral is a simple
  // ring and its area must equal |S12|.
  const usable = problems.filter(
    (p) =>
      p.lat1 * p.lat2 > 0 &&
      Math.abs(p.lon2 - p.lon1) < 179 &&
      Math.abs(p.lat1) < 89.9 &&
      Math.abs(p.lat2) < 89.9,
  );

  it('has enough problems to test with', () => {
    expect(usable.length).toBeGreaterThan(20);
  });

  it('matches the geodesic-to-equator areas of GeodTest to 0.1 m² (or 1e-12 relative)', () => {
    let worstM2 = 0;
    for (const p of usable) {
      const ring: [number, number][] = [
        [p.lon1, p.lat1],
        [p.lon1, 0],
        [p.lon2, 0],
        [p.lon2, p.lat2],
        [p.lon1, p.lat1],
      ];
      const areaM2 = polygonAreaM2(ring);
      const err = Math.abs(areaM2 - Math.abs(p.S12));
      worstM2 = Math.max(worstM2, err);
      expect(err, `problem ${p.line}`).toBeLessThan(Math.max(0.1, Math.abs(p.S12) * 1e-12));
    }
    console.log(`area: ${usable.length} quadrilaterals, worst error ${worstM2.toExponential(2)} m²`);
  });

  it('gives the same area whichever way the ring runs', () => {
    const ring: [number, number][] = [
      [44.0, 41.0],
      [44.01, 41.0],
      [44.01, 41.01],
      [44.0, 41.01],
    ];
    expect(polygonAreaM2([...ring].reverse())).toBeCloseTo(polygonAreaM2(ring), 6);
  });
});
