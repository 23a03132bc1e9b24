import { describe, expect, it } from 'vitest';
import type { MinefieldRecord } from '../../../src/domain/minefield-record.ts';
import { decodeRecord } from '../../../src/geo/record-decode.ts';
import { localPlane } from '../../../src/geo/record-plane.ts';
import { insideRings } from '../../../src/geo/record-score.ts';
import {
  CHI2_2D_95_FACTOR,
  convexHull,
  errorEllipse,
  RECORD_ERROR_DEFAULTS,
  radius95M,
  resolveErrorModel,
  variableBuffer,
} from '../../../src/geo/record-uncertainty.ts';
import { normalSource } from '../../fixtures/random.ts';

describe('error ellipse and 95 % radius', () => {
  it('finds the axes of a covariance', () => {
    const e = errorEllipse([4, 0, 1]);
    expect(e.semiMajorM).toBeCloseTo(2, 12);
    expect(e.semiMinorM).toBeCloseTo(1, 12);
    expect(e.majorAzimuthDeg).toBeCloseTo(90, 9);
    // σee = σnn = 2.5, σen = 1.5: the major axis runs north-east.
    expect(errorEllipse([2.5, 1.5, 2.5]).majorAzimuthDeg).toBeCloseTo(45, 9);
  });

  it('uses √χ²₂(0.95) = 2.4477 times the major axis', () => {
    // χ²₂(0.95) = 5.991464547 (tables of the chi-square distribution).
    expect(CHI2_2D_95_FACTOR).toBeCloseTo(Math.sqrt(5.991464547), 9);
    expect(radius95M([9, 0, 1])).toBeCloseTo(3 * 2.4477468, 6);
  });

  it('lets a record override single figures and keeps the defaults for the rest', () => {
    const m = resolveErrorModel({ compassSigmaDeg: 0.5, distanceSigmaPercent: 2 });
    expect(m.compassSigmaDeg).toBe(0.5);
    expect(m.distanceSigmaPercent).toEqual({ m: 2, pace: 2, pair_of_steps: 2 });
    expect(m.landmarkSigmaM).toBe(RECORD_ERROR_DEFAULTS.landmarkSigmaM);
  });
});

describe('linearised propagation against Monte Carlo', () => {
  // A paced magnetic traverse from a UTM landmark. The Monte Carlo run perturbs the record
  // itself (landmark coordinates, stated declination, every bearing, every distance, the
  // pace length) and decodes it again with the full ellipsoidal walk; the spread of each
  // turning point must match the linearised covariance.
  const sigma = {
    landmarkSigmaM: 8,
    declinationSigmaDeg: 1,
    compassSigmaDeg: 2,
    distanceSigmaPercent: 4,
    distanceScaleSigmaPercent: 6,
  };
  const legsToReference = [
    { bearing: 40, distance: 300 },
    { bearing: 120, distance: 200 },
  ];
  const perimeterLegs = [
    { bearing: 20, distance: 80 },
    { bearing: 100, distance: 160 },
    { bearing: 190, distance: 120 },
    { bearing: 280, distance: 150 },
  ];
  const base: MinefieldRecord = {
    landmark: { crs: 'EPSG:32638', coordinates: [500000, 4450000] },
    angleUnit: 'deg',
    bearingReference: 'magnetic',
    statedDeclinationDeg: 5,
    distanceUnit: 'pace',
    paceLengthM: 0.75,
    legsToReference,
    perimeter: { legs: perimeterLegs },
    errors: { ...sigma, datumSigmaM: 0 },
  };

  it('agrees within 10 % on the 95 % radius and the ellipse of every turning point', () => {
    const nominal = decodeRecord(base).hypotheses[0]!;
    const normal = normalSource(20240601);
    const runs = 1000;
    const samples: [number, number][][] = nominal.vertices.map(() => []);
    const planes = nominal.vertices.map((v) => localPlane(v.lon, v.lat));
    const deg = (b: number) => ((b % 360) + 360) % 360;
    const perturb = (legs: { bearing: number; distance: number }[]) =>
      legs.map((l) => ({
        bearing: deg(l.bearing + normal() * sigma.compassSigmaDeg),
        distance: l.distance * (1 + (normal() * sigma.distanceSigmaPercent) / 100),
      }));
    for (let run = 0; run < runs; run++) {
      const record: MinefieldRecord = {
        ...base,
        landmark: {
          crs: 'EPSG:32638',
          coordinates: [500000 + normal() * sigma.landmarkSigmaM, 4450000 + normal() * sigma.landmarkSigmaM],
        },
        statedDeclinationDeg: 5 + normal() * sigma.declinationSigmaDeg,
        paceLengthM: 0.75 * (1 + (normal() * sigma.distanceScaleSigmaPercent) / 100),
        legsToReference: perturb(legsToReference),
        perimeter: { legs: perturb(perimeterLegs) },
        closure: undefined,
      };
      const h = decodeRecord(record, { uncertaintyPolygon: false }).hypotheses[0]!;
      h.vertices.forEach((v, i) => {
        samples[i]!.push(planes[i]!.toLocal(v.lon, v.lat));
      });
    }
    nominal.vertices.forEach((v, i) => {
      const s = samples[i]!;
      const me = s.reduce((a, p) => a + p[0], 0) / runs;
      const mn = s.reduce((a, p) => a + p[1], 0) / runs;
      let ee = 0;
      let en = 0;
      let nn = 0;
      for (const [e, n] of s) {
        ee += (e - me) ** 2;
        en += (e - me) * (n - mn);
        nn += (n - mn) ** 2;
      }
      const mc = errorEllipse([ee / (runs - 1), en / (runs - 1), nn / (runs - 1)]);
      const mcRadius = CHI2_2D_95_FACTOR * mc.semiMajorM;
      expect(Math.abs(v.radius95M / mcRadius - 1)).toBeLessThan(0.1);
      expect(Math.abs(v.ellipse.semiMinorM / mc.semiMinorM - 1)).toBeLessThan(0.1);
      // The 95 % circle holds at least 95 % of the simulated positions (it encloses the 95 % ellipse).
      const inside = s.filter(([e, n]) => Math.hypot(e - me, n - mn) <= v.radius95M).length / runs;
      expect(inside).toBeGreaterThan(0.94);
    });
  });

  it('grows the radius along the traverse', () => {
    const h = decodeRecord(base).hypotheses[0]!;
    expect(h.referencePoint.radius95M).toBeGreaterThan(CHI2_2D_95_FACTOR * sigma.landmarkSigmaM);
    expect(h.landmark!.radius95M).toBeCloseTo(CHI2_2D_95_FACTOR * sigma.landmarkSigmaM, 9);
  });

  it('adds the datum error for a Pulkovo 1942 landmark and not for a WGS 84 one', () => {
    const wgs = decodeRecord({ ...base, errors: { landmarkSigmaM: 10 } }).hypotheses[0]!;
    const pulkovo = decodeRecord({
      ...base,
      landmark: { crs: 'EPSG:28408', coordinates: [4430000, 8500000] },
      errors: { landmarkSigmaM: 10 },
    }).hypotheses[0]!;
    expect(wgs.landmark!.radius95M).toBeCloseTo(CHI2_2D_95_FACTOR * 10, 9);
    expect(pulkovo.landmark!.radius95M).toBeCloseTo(
      CHI2_2D_95_FACTOR * Math.hypot(10, RECORD_ERROR_DEFAULTS.datumSigmaM),
      9,
    );
  });
});

describe('uncertainty polygon', () => {
  it('computes a convex hull', () => {
    expect(
      convexHull([
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
        [0.5, 0.5],
      ]),
    ).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ]);
  });

  it('holds every point within each vertex radius and along the edges, and no far point', () => {
    const ring: [number, number][] = [
      [0, 0],
      [100, 0],
      [100, 60],
      [50, 20],
      [0, 60],
    ];
    const radii = [5, 10, 20, 8, 12];
    const rings = variableBuffer(ring, radii).flat();
    ring.forEach(([x, y], i) => {
      for (let k = 0; k < 16; k++) {
        const a = (k * Math.PI) / 8;
        expect(
          insideRings([x + 0.999 * radii[i]! * Math.cos(a), y + 0.999 * radii[i]! * Math.sin(a)], rings),
        ).toBe(true);
      }
    });
    // Halfway along the first edge the capsule is (5 + 10) / 2 = 7.5 m wide on each side.
    expect(insideRings([50, -7.4], rings)).toBe(true);
    expect(insideRings([50, -8.5], rings)).toBe(false);
    // The notch of the concave polygon stays outside when the radii do not fill it.
    expect(insideRings([50, 45], rings)).toBe(false);
  });

  it('contains the decoded perimeter', () => {
    const h = decodeRecord({
      referencePoint: { crs: 'EPSG:4326', coordinates: [40, 45] },
      angleUnit: 'deg',
      bearingReference: 'true',
      distanceUnit: 'm',
      perimeter: {
        startsAtReference: true,
        legs: [
          { bearing: 90, distance: 100 },
          { bearing: 0, distance: 100 },
        ],
      },
    }).hypotheses[0]!;
    const plane = localPlane(45, 40);
    const rings = h.uncertaintyPolygon.coordinates
      .flat()
      .map((r) => r.map(([lon, lat]) => plane.toLocal(lon!, lat!)));
    for (const v of h.vertices) expect(insideRings(plane.toLocal(v.lon, v.lat), rings)).toBe(true);
    expect(h.uncertaintyPolygon.coordinates).toHaveLength(1);
  });
});
