import { describe, expect, it } from 'vitest';
import type { MinefieldRecord } from '../../../src/domain/minefield-record.ts';
import { type DecodedHypothesis, decodeRecord } from '../../../src/geo/record-decode.ts';
import { localPlane } from '../../../src/geo/record-plane.ts';
import {
  blurredSegmentDensity,
  blurredShareInside,
  type Finding,
  findingsFromGeoJson,
  nearestOnSegments,
  normalCdf,
  percentile,
  procrustes,
  scoreRecord,
} from '../../../src/geo/record-score.ts';
import { normalSource } from '../../fixtures/random.ts';
import { problemOf } from './helpers.ts';

/**
 * A paced magnetic record in Soviet notation whose landmark lies 800 m west of the field,
 * so that the readings rotate the field across its east-west rows; every alternative is
 * enabled and the closure tolerance is loose enough for the 6400 reading to decode too.
 */
const record: MinefieldRecord = {
  landmark: { crs: 'EPSG:28408', coordinates: [4440000, 8530000] },
  layingDate: '1992-09-01',
  angleUnit: 'soviet',
  bearingReference: 'magnetic',
  distanceUnit: 'pace',
  legsToReference: [{ bearing: '15-00', distance: 1100 }],
  perimeter: {
    startsAtReference: true,
    legs: [
      { bearing: '15-00', distance: 200 },
      { bearing: '30-00', distance: 120 },
      { bearing: '45-00', distance: 200 },
    ],
    closingLeg: { bearing: '0-00', distance: 120 },
  },
  rows: [
    {
      from: { point: 'reference' },
      offset: { bearing: '30-00', distance: 30 },
      bearing: '15-00',
      length: 180,
      spacing: 6,
      mineModel: 'TM-62M',
    },
    {
      from: { point: 'reference' },
      offset: { bearing: '30-00', distance: 80 },
      bearing: '15-00',
      length: 180,
      spacing: 4,
      mineModel: 'PMN',
    },
    {
      from: { point: 'reference' },
      offset: { bearing: '15-00', distance: 10 },
      bearing: '30-00',
      length: 100,
      spacing: 5,
      mineModel: 'PMN',
    },
  ],
  declaredMines: [
    { model: 'TM-62M', count: 31 },
    { model: 'PMN', count: 67 },
  ],
  closure: { maxRatio: 0.5 },
  hypotheses: {
    bearingReferences: ['grid', 'true'],
    milCircles: [6400],
    distanceUnits: ['pair_of_steps'],
    directions: ['reverse'],
  },
};

const decoded = decodeRecord(record);

/** Devices along the rows of one hypothesis, every `spacing`, each moved by normal noise of σ metres. */
function plant(h: DecodedHypothesis, sigmaM: number, seed: number): Finding[] {
  const normal = normalSource(seed);
  const first = h.rows[0]!.line.coordinates[0]!;
  const plane = localPlane(first[0]!, first[1]!);
  const out: Finding[] = [];
  for (const row of h.rows) {
    const [a, b] = row.line.coordinates.map(([lon, lat]) => plane.toLocal(lon!, lat!));
    const n = row.mineCount!;
    for (let i = 0; i < n; i++) {
      const t = n === 1 ? 0 : i / (n - 1);
      const e = a![0] + t * (b![0] - a![0]) + normal() * sigmaM;
      const north = a![1] + t * (b![1] - a![1]) + normal() * sigmaM;
      const [lon, lat] = plane.toLonLat(e, north);
      out.push({ lon, lat, model: row.mineModel ?? undefined });
    }
  }
  return out;
}

describe('naming the hypothesis the finds support', () => {
  it('decodes every enabled reading', () => {
    expect(decoded.hypotheses).toHaveLength(24);
    expect(decoded.rejected).toHaveLength(0);
  });

  const planted = [
    'ref=magnetic,angle=mil6000,dist=pace,dir=forward',
    'ref=grid,angle=mil6000,dist=pace,dir=forward',
    'ref=true,angle=mil6000,dist=pace,dir=forward',
    'ref=magnetic,angle=mil6400,dist=pace,dir=forward',
    'ref=magnetic,angle=mil6000,dist=pair_of_steps,dir=forward',
    'ref=grid,angle=mil6400,dist=pair_of_steps,dir=reverse',
  ];
  planted.forEach((id, k) => {
    it(`names ${id} when the finds were laid along its rows`, () => {
      const h = decoded.hypotheses.find((x) => x.id === id)!;
      const scores = scoreRecord(decoded, plant(h, 0.5, 1000 + k));
      expect(scores.best!.id).toBe(id);
      const own = scores.hypotheses.find((s) => s.id === id)!;
      expect(own.toRows!.medianM).toBeLessThan(1);
      expect(own.shareInsideUncertainty).toBe(1);
      expect(scores.best!.runnerUpMedianMisfitM!).toBeGreaterThan(own.misfit.medianM);
    });
  });
});

describe('figures of a hypothesis', () => {
  const h = decoded.hypotheses[0]!;
  const finds = plant(h, 0.5, 7);

  it('counts found against declared by model', () => {
    const withExtra = [...finds, { lon: finds[0]!.lon, lat: finds[0]!.lat, model: 'OZM-72', quantity: 2 }];
    const scores = scoreRecord(decoded, withExtra);
    const counts = scores.hypotheses[0]!.counts;
    const byModel = Object.fromEntries(counts.map((c) => [c.model, c]));
    expect(byModel['TM-62M']).toMatchObject({ declared: 31, found: h.rows[0]!.mineCount });
    expect(byModel.PMN).toMatchObject({ declared: 67, found: h.rows[1]!.mineCount! + h.rows[2]!.mineCount! });
    expect(byModel['OZM-72']).toMatchObject({ declared: null, found: 2, foundInsideUncertainty: 2 });
    expect(scores.deviceCount).toBe(finds.length + 2);
    expect(scores.declaredCount).toBe(98);
  });

  it('recovers a known rotation and shift of the finds with the rigid fit', () => {
    // Turn the planted finds 3° clockwise about the rows' centre and move them 6 m east,
    // 4 m south: the fit must say the record has to turn and move the same way.
    const plane = localPlane(finds[0]!.lon, finds[0]!.lat);
    const ends = h.rows.flatMap((r) => r.line.coordinates.map(([lon, lat]) => plane.toLocal(lon!, lat!)));
    const cx = ends.reduce((s, p) => s + p[0], 0) / ends.length;
    const cy = ends.reduce((s, p) => s + p[1], 0) / ends.length;
    const t = (-3 * Math.PI) / 180;
    const moved = finds.map((f) => {
      const [e, n] = plane.toLocal(f.lon, f.lat);
      const x = e - cx;
      const y = n - cy;
      const [lon, lat] = plane.toLonLat(
        cx + x * Math.cos(t) - y * Math.sin(t) + 6,
        cy + x * Math.sin(t) + y * Math.cos(t) - 4,
      );
      return { ...f, lon, lat };
    });
    const fit = scoreRecord(decoded, moved).hypotheses[0]!.fit!;
    expect(fit.target).toBe('rows');
    expect(fit.rotationDeg).toBeCloseTo(3, 0);
    expect(fit.shiftEastM).toBeCloseTo(6, 0);
    expect(fit.shiftNorthM).toBeCloseTo(-4, 0);
    expect(fit.scale).toBe(1);
    expect(fit.residualRmsM).toBeLessThan(1);
  });

  it('finds the pace length as a scale when asked to fit scale', () => {
    const pair = decoded.hypotheses.find(
      (x) => x.id === 'ref=magnetic,angle=mil6000,dist=pair_of_steps,dir=forward',
    )!;
    const fit = scoreRecord(decoded, plant(pair, 0.3, 11), { fitScale: true }).hypotheses[0]!.fit!;
    // Rows twice as far from the landmark: the pace reading must be stretched, not by exactly 2 since ICP fits the rows only.
    expect(fit.scale).toBeGreaterThan(1.2);
  });

  it('shares inside the polygon and the uncertainty polygon', () => {
    const far = { lon: finds[0]!.lon + 0.05, lat: finds[0]!.lat };
    const s = scoreRecord(decoded, [...finds, far]).hypotheses[0]!;
    expect(s.shareInsideUncertainty).toBeCloseTo(finds.length / (finds.length + 1), 12);
    expect(s.shareInsidePolygon).toBeLessThan(s.shareInsideUncertainty + 1e-12);
    expect(s.toRows!.maxM).toBeGreaterThan(3000);
  });

  it('returns no best hypothesis without finds', () => {
    expect(scoreRecord(decoded, []).best).toBeNull();
  });
});

describe('helpers', () => {
  it('interpolates percentiles like numpy', () => {
    // numpy.percentile([1, 2, 3, 4, 10], [50, 95]) = [3, 8.8]
    expect(percentile([10, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(percentile([10, 1, 3, 2, 4], 0.95)).toBeCloseTo(8.8, 12);
  });

  it('finds the nearest point on segments', () => {
    expect(
      nearestOnSegments(
        [1, 1],
        [
          [
            [0, 0],
            [2, 0],
          ],
        ],
      ),
    ).toEqual({ point: [1, 0], distance: 1 });
    expect(
      nearestOnSegments(
        [5, 0],
        [
          [
            [0, 0],
            [2, 0],
          ],
        ],
      ).distance,
    ).toBe(3);
  });

  it('solves 2-D Procrustes exactly for a rotated, shifted and scaled copy', () => {
    const a: [number, number][] = [
      [0, 0],
      [10, 0],
      [0, 5],
      [7, 3],
    ];
    const th = 0.3;
    const b = a.map(
      ([x, y]) =>
        [2 * (Math.cos(th) * x - Math.sin(th) * y) + 4, 2 * (Math.sin(th) * x + Math.cos(th) * y) - 1] as [
          number,
          number,
        ],
    );
    const t = procrustes(a, b, true);
    expect(t.rotationRad).toBeCloseTo(0.3, 12);
    expect(t.scale).toBeCloseTo(2, 12);
    expect(t.tx).toBeCloseTo(4, 10);
    expect(t.ty).toBeCloseTo(-1, 10);
  });

  it('reads finds from GeoJSON and refuses what is not a point', () => {
    const fc = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [45, 40] },
          properties: { model: 'PMN', quantity: 3 },
        },
        { type: 'Feature', geometry: { type: 'Point', coordinates: [45.1, 40.1] }, properties: null },
      ],
    };
    expect(findingsFromGeoJson(fc)).toEqual([
      { lon: 45, lat: 40, model: 'PMN', quantity: 3 },
      { lon: 45.1, lat: 40.1 },
    ]);
    const p = problemOf(() =>
      findingsFromGeoJson({
        type: 'FeatureCollection',
        features: [{ type: 'Feature', geometry: { type: 'LineString', coordinates: [] } }],
      }),
    );
    expect(p.code).toBe('record.findings_invalid');
    expect(p.params.feature).toBe(0);
  });
});

describe('a reading that contains the finds against one that fits them', () => {
  /**
   * The case that made the median misfit favour the larger reading: the leg to the reference
   * point is taped in metres, the perimeter paced, and the record may also be read in pairs of
   * steps (a field twice the size about the same reference point, holding the paced one).
   */
  const taped: MinefieldRecord = {
    landmark: { crs: 'EPSG:4326', coordinates: [40.0, 45.0] },
    bearingReference: 'true',
    angleUnit: 'deg',
    distanceUnit: 'pace',
    legsToReference: [{ bearing: 90, distance: 120, distanceUnit: 'm' }],
    perimeter: {
      startsAtReference: true,
      legs: [
        { bearing: 90, distance: 160 },
        { bearing: 180, distance: 100 },
        { bearing: 270, distance: 160 },
      ],
      closingLeg: { bearing: 0, distance: 100 },
    },
    hypotheses: { distanceUnits: ['pair_of_steps'] },
  };
  const readings = decodeRecord(taped);

  /** Devices every 4 m along the perimeter of one reading. */
  function alongPerimeter(h: DecodedHypothesis): Finding[] {
    const ring = h.polygon.coordinates[0]!;
    const plane = localPlane(ring[0]![0]!, ring[0]![1]!);
    const xy = ring.map(([lon, lat]) => plane.toLocal(lon!, lat!));
    const out: Finding[] = [];
    for (let i = 0; i + 1 < xy.length; i++) {
      const [a, b] = [xy[i]!, xy[i + 1]!];
      const n = Math.floor(Math.hypot(b[0] - a[0], b[1] - a[1]) / 4);
      for (let k = 0; k < n; k++) {
        const [lon, lat] = plane.toLonLat(a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n);
        out.push({ lon, lat });
      }
    }
    return out;
  }

  it('decodes the paced reading and the reading in pairs of steps that holds it', () => {
    expect(readings.hypotheses.map((h) => h.id)).toEqual([
      'ref=true,angle=deg,dist=pace,dir=forward',
      'ref=true,angle=deg,dist=pair_of_steps,dir=forward',
    ]);
  });

  it('ranks first the reading the finds were planted along, not the larger one that contains them', () => {
    const [paced, pairs] = readings.hypotheses;
    const finds = alongPerimeter(paced!);
    const scores = scoreRecord(readings, finds);
    const byId = Object.fromEntries(scores.hypotheses.map((s) => [s.id, s]));
    // The old criterion could not tell them apart: both put every find inside or on the perimeter.
    expect(byId[pairs!.id]!.shareInsideUncertainty).toBe(1);
    expect(byId[pairs!.id]!.misfit.medianM).toBeLessThanOrEqual(byId[paced!.id]!.misfit.medianM);
    expect(scores.best!.id).toBe(paced!.id);
    expect(scores.best!.runnerUpId).toBe(pairs!.id);
    expect(scores.best!.logLikelihoodRatio!).toBeGreaterThan(4.6);
    expect(byId[pairs!.id]!.likelihood.areaM2).toBeCloseTo(4 * byId[paced!.id]!.likelihood.areaM2, -1);
    expect(byId[paced!.id]!.likelihood.model).toBe('area');
    expect(scores.best!.method).toContain('uniform inside its perimeter');
  });

  it('ranks the larger reading first when the finds are planted along it', () => {
    const [paced, pairs] = readings.hypotheses;
    const scores = scoreRecord(readings, alongPerimeter(pairs!));
    expect(scores.best!.id).toBe(pairs!.id);
    expect(scores.best!.runnerUpId).toBe(paced!.id);
  });
});

describe('likelihood helpers', () => {
  it('integrates the normal distribution', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-3)).toBeCloseTo(0.0013499, 6);
  });

  it('gives a blurred row the density of a line of normal profile', () => {
    const row = { a: [-500, 0] as [number, number], b: [500, 0] as [number, number], sigmaA: 2, sigmaB: 2 };
    expect(blurredSegmentDensity([0, 0], row)).toBeCloseTo(1 / (1000 * Math.sqrt(2 * Math.PI) * 2), 9);
    // Half the profile beyond the end of the row.
    expect(blurredSegmentDensity([500, 0], row)).toBeCloseTo(0.5 / (1000 * Math.sqrt(2 * Math.PI) * 2), 9);
  });

  it('puts half of a blurred point on a straight edge inside', () => {
    const square: [number, number][][] = [
      [
        [0, 0],
        [1000, 0],
        [1000, 1000],
        [0, 1000],
        [0, 0],
      ],
    ];
    expect(blurredShareInside([0, 500], square, 10)).toBeCloseTo(0.5, 2);
    expect(blurredShareInside([500, 500], square, 10)).toBe(1);
    expect(blurredShareInside([-10, 500], square, 10)).toBeCloseTo(normalCdf(-1), 2);
  });
});
