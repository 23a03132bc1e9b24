import { readFileSync } from 'node:fs';
import proj4 from 'proj4';
import { describe, expect, it } from 'vitest';
import { type MinefieldRecord, parseMinefieldRecord } from '../../../src/domain/minefield-record.ts';
import { geodesicDirect, geodesicInverse } from '../../../src/geo/geodesic.ts';
import { decodeRecord, enumerateHypotheses, hypothesisId } from '../../../src/geo/record-decode.ts';
import { localPlane } from '../../../src/geo/record-plane.ts';
import { problemOf } from './helpers.ts';

const distanceM = (a: [number, number], b: [number, number]) =>
  geodesicInverse(a[1], a[0], b[1], b[0]).distanceM;

/** A square of 100 m in true degrees and metres, its reference point given in WGS 84 (lat, lon). */
function square(closingM = 100): MinefieldRecord {
  return {
    referencePoint: { crs: 'EPSG:4326', coordinates: [40.2, 45.3] },
    angleUnit: 'deg',
    bearingReference: 'true',
    distanceUnit: 'm',
    perimeter: {
      startsAtReference: true,
      legs: [
        { bearing: 90, distance: 100 },
        { bearing: 180, distance: 100 },
        { bearing: 270, distance: 100 },
      ],
      closingLeg: { bearing: 0, distance: closingM },
    },
  };
}

describe('decoding against an independent planar computation in UTM', () => {
  // Grid bearings and metres from a landmark in UTM zone 38N. The expected turning points
  // are walked in the projection plane with proj4 alone: grid distance = point scale ×
  // ground distance, the point scale found numerically from proj4 and the meridian
  // radius of curvature. For legs of a few hundred metres the plane walk and the
  // ellipsoidal one agree to well under a centimetre.
  const record: MinefieldRecord = {
    landmark: { crs: 'EPSG:32638', coordinates: [420000, 4430000] },
    angleUnit: 'deg',
    bearingReference: 'grid',
    distanceUnit: 'm',
    legsToReference: [{ bearing: 52.5, distance: 340 }],
    perimeter: {
      legs: [
        { bearing: 10, distance: 60 },
        { bearing: 95, distance: 220 },
        { bearing: 185, distance: 140 },
        { bearing: 275, distance: 215 },
      ],
    },
  };
  const utm = proj4('EPSG:4326', '+proj=utm +zone=38 +datum=WGS84 +units=m +no_defs');
  const a = 6378137;
  const f = 1 / 298.257223563;
  const e2 = f * (2 - f);
  function pointScale(e: number, n: number): number {
    const [lon, lat] = utm.inverse([e, n]);
    const phi = (lat * Math.PI) / 180;
    const m = (a * (1 - e2)) / (1 - e2 * Math.sin(phi) ** 2) ** 1.5;
    const dPhi = 1e-6;
    const p1 = utm.forward([lon, lat]);
    const p2 = utm.forward([lon, lat + (dPhi * 180) / Math.PI]);
    return Math.hypot(p2[0] - p1[0], p2[1] - p1[1]) / (m * dPhi);
  }
  function walk([e, n]: [number, number], bearingDeg: number, d: number): [number, number] {
    const b = (bearingDeg * Math.PI) / 180;
    const k0 = pointScale(e, n);
    const mid = [e + (k0 * d * Math.sin(b)) / 2, n + (k0 * d * Math.cos(b)) / 2] as const;
    const k = pointScale(mid[0], mid[1]);
    return [e + k * d * Math.sin(b), n + k * d * Math.cos(b)];
  }

  it('puts every turning point within 5 mm of the planar walk', () => {
    const decoded = decodeRecord(record).hypotheses[0]!;
    let p: [number, number] = [420000, 4430000];
    p = walk(p, 52.5, 340);
    expect(
      distanceM([decoded.referencePoint.lon, decoded.referencePoint.lat], utm.inverse(p) as [number, number]),
    ).toBeLessThan(0.02);
    record.perimeter.legs.forEach((leg, i) => {
      p = walk(p, leg.bearing as number, leg.distance);
      const v = decoded.vertices[i]!;
      expect(distanceM([v.lon, v.lat], utm.inverse(p) as [number, number])).toBeLessThan(0.005);
    });
    expect(decoded.gridCentralMeridianDeg).toBe(45);
    // West of the central meridian in the north, convergence is negative.
    expect(decoded.legs[0]!.convergenceDeg!).toBeLessThan(0);
  });
});

describe('decoding a Soviet-notation record step by step', () => {
  const record: MinefieldRecord = {
    landmark: { crs: 'EPSG:4326', coordinates: [40.1, 45.2], name: 'mill' },
    layingDate: '1990-05-01',
    angleUnit: 'soviet',
    bearingReference: 'magnetic',
    statedDeclinationDeg: 6.5,
    distanceUnit: 'pace',
    paceLengthM: 0.8,
    legsToReference: [{ bearing: '07-50', distance: 250 }],
    perimeter: {
      legs: [
        { bearing: '10-00', distance: 100 },
        { bearing: '25-00', distance: 150 },
        { bearing: '40-00', distance: 120 },
      ],
    },
    hypotheses: { directions: ['reverse'] },
  };

  it('chains geodesics with bearing = mils × 0.06° + stated declination and distance = paces × pace length', () => {
    const h = decodeRecord(record).hypotheses[0]!;
    let p = { latDeg: 40.1, lonDeg: 45.2 };
    const steps: [number, number][] = [
      [750, 250],
      [1000, 100],
      [2500, 150],
      [4000, 120],
    ];
    const ends = steps.map(([mils, paces]) => {
      const r = geodesicDirect(p.latDeg, p.lonDeg, mils * 0.06 + 6.5, paces * 0.8);
      p = { latDeg: r.latDeg, lonDeg: r.lonDeg };
      return [r.lonDeg, r.latDeg] as [number, number];
    });
    expect(distanceM([h.referencePoint.lon, h.referencePoint.lat], ends[0]!)).toBeLessThan(1e-6);
    h.vertices.forEach((v, i) => {
      expect(distanceM([v.lon, v.lat], ends[i + 1]!)).toBeLessThan(1e-6);
    });
    expect(h.legs[1]!.trueAzimuthDeg).toBeCloseTo(66.5, 12);
    expect(h.legs[1]!.declinationDeg).toBe(6.5);
  });

  it('turns back-bearings round under the reverse hypothesis', () => {
    const [forward, reverse] = decodeRecord(record).hypotheses;
    expect(reverse!.id).toBe('ref=magnetic,angle=mil6000,dist=pace,dir=reverse');
    expect(reverse!.legs[0]!.trueAzimuthDeg).toBeCloseTo(forward!.legs[0]!.trueAzimuthDeg + 180, 9);
    // Walking every leg the opposite way mirrors the traverse through the landmark.
    const plane = localPlane(45.2, 40.1);
    const f = plane.toLocal(forward!.vertices[2]!.lon, forward!.vertices[2]!.lat);
    const r = plane.toLocal(reverse!.vertices[2]!.lon, reverse!.vertices[2]!.lat);
    expect(f[0] + r[0]).toBeCloseTo(0, 1);
    expect(f[1] + r[1]).toBeCloseTo(0, 1);
  });

  it('takes declination from IGRF at the laying date when the record does not state it', () => {
    const { statedDeclinationDeg: _, ...withoutStated } = record;
    const h = decodeRecord(withoutStated).hypotheses[0]!;
    // IGRF in 1990 puts declination in Armenia at about +4° to +5° east.
    expect(h.legs[0]!.declinationDeg!).toBeGreaterThan(3.5);
    expect(h.legs[0]!.declinationDeg!).toBeLessThan(6);
  });
});

describe('closure', () => {
  it('measures the misclosure vector and ratio of the closing leg', () => {
    const h = decodeRecord(square(96)).hypotheses[0]!;
    expect(h.misclosure!.eastM).toBeCloseTo(0, 2);
    expect(h.misclosure!.northM).toBeCloseTo(-4, 2);
    expect(h.misclosure!.lengthM).toBeCloseTo(4, 2);
    expect(h.misclosure!.perimeterLengthM).toBe(396);
    expect(h.misclosure!.ratio).toBeCloseTo(4 / 396, 4);
    expect(h.adjusted).toBe(false);
  });

  it('distributes the misclosure by the compass rule in proportion to the distance walked', () => {
    const record = { ...square(96), closure: { adjust: true } };
    const plain = decodeRecord(square(96)).hypotheses[0]!;
    const h = decodeRecord(record).hypotheses[0]!;
    expect(h.adjusted).toBe(true);
    const expectedNorth = [0, 400 / 396, 800 / 396, 1200 / 396];
    h.vertices.forEach((v, i) => {
      expect(v.adjustmentNorthM).toBeCloseTo(expectedNorth[i]!, 2);
      expect(v.adjustmentEastM).toBeCloseTo(0, 2);
      const plane = localPlane(plain.vertices[i]!.lon, plain.vertices[i]!.lat);
      const [e, n] = plane.toLocal(v.lon, v.lat);
      expect(e).toBeCloseTo(0, 2);
      expect(n).toBeCloseTo(expectedNorth[i]!, 2);
    });
  });

  it('refuses a perimeter that does not close within the tolerance, with the misclosure', () => {
    const p = problemOf(() => decodeRecord({ ...square(96), closure: { maxM: 1 } }));
    expect(p.code).toBe('record.not_closed');
    expect(p.params.misclosureM).toBeCloseTo(4, 1);
    expect(p.params.allowedM).toBe(1);
    expect(decodeRecord({ ...square(96), closure: { maxM: 5 } }).hypotheses).toHaveLength(1);
    // The default 1:20 allows 19.8 m on this 396 m perimeter.
    expect(problemOf(() => decodeRecord(square(70))).code).toBe('record.not_closed');
  });

  it('gives the perimeter counter-clockwise and closed whatever way the record walks it', () => {
    const ring = decodeRecord(square()).hypotheses[0]!.polygon.coordinates[0]!;
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    let twiceArea = 0;
    for (let i = 0; i + 1 < ring.length; i++)
      twiceArea += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
    expect(twiceArea).toBeGreaterThan(0);
  });
});

describe('hypotheses', () => {
  const base: MinefieldRecord = {
    ...square(),
    angleUnit: 'soviet',
    bearingReference: 'magnetic',
    layingDate: '1992-01-01',
    distanceUnit: 'pace',
    perimeter: {
      startsAtReference: true,
      legs: [
        { bearing: '15-00', distance: 100 },
        { bearing: '30-00', distance: 100 },
        { bearing: '45-00', distance: 100 },
      ],
      closingLeg: { bearing: '0-00', distance: 100 },
    },
  };

  it('enumerates every enabled combination, the stated reading first, with stable ids', () => {
    const record = {
      ...base,
      hypotheses: {
        bearingReferences: ['grid', 'true', 'magnetic'] as const,
        milCircles: [6400] as const,
        distanceUnits: ['pair_of_steps'] as const,
        directions: ['reverse'] as const,
      },
    } as unknown as MinefieldRecord;
    const all = enumerateHypotheses(record);
    expect(all).toHaveLength(3 * 2 * 2 * 2);
    const ids = all.map((a) => hypothesisId(a));
    expect(new Set(ids).size).toBe(24);
    expect(ids[0]).toBe('ref=magnetic,angle=mil6000,dist=pace,dir=forward');
    expect(ids).toContain('ref=true,angle=mil6400,dist=pair_of_steps,dir=reverse');
    expect(all.find((a) => a.distanceUnit === 'pair_of_steps')!.distanceUnitM).toBe(1.5);
  });

  it('decodes each reading as its own geometry and rejects the 6400 reading that cannot close', () => {
    const decoded = decodeRecord({
      ...base,
      hypotheses: { milCircles: [6400], distanceUnits: ['pair_of_steps'] },
    });
    expect(decoded.hypotheses.map((h) => h.id)).toEqual([
      'ref=magnetic,angle=mil6000,dist=pace,dir=forward',
      'ref=magnetic,angle=mil6000,dist=pair_of_steps,dir=forward',
    ]);
    expect(decoded.rejected.map((r) => r.problem.code)).toEqual(['record.not_closed', 'record.not_closed']);
    const [pace, pair] = decoded.hypotheses;
    const first = (h: typeof pace) => [h!.vertices[1]!.lon, h!.vertices[1]!.lat] as [number, number];
    expect(distanceM([pace!.vertices[0]!.lon, pace!.vertices[0]!.lat], first(pace))).toBeCloseTo(75, 6);
    expect(distanceM([pair!.vertices[0]!.lon, pair!.vertices[0]!.lat], first(pair))).toBeCloseTo(150, 6);
  });

  it('keeps the 6400 reading alone when a bearing is beyond the 6000 circle', () => {
    const record: MinefieldRecord = {
      ...base,
      perimeter: {
        startsAtReference: true,
        legs: [
          { bearing: '16-00', distance: 100 },
          { bearing: '32-00', distance: 100 },
          { bearing: '48-00', distance: 100 },
        ],
        closingLeg: { bearing: '64-00', distance: 100 },
      },
      hypotheses: { milCircles: [6400] },
    };
    const decoded = decodeRecord(record);
    expect(decoded.hypotheses.map((h) => h.id)).toEqual(['ref=magnetic,angle=mil6400,dist=pace,dir=forward']);
    expect(decoded.rejected[0]!.problem.code).toBe('record.angle_out_of_range');
    expect(decoded.rejected[0]!.problem.pointer).toBe('/perimeter/closingLeg/bearing');
    expect(decoded.hypotheses[0]!.misclosure!.lengthM).toBeLessThan(0.01);
  });

  it('rotates magnetic, grid and true readings by declination and convergence', () => {
    const decoded = decodeRecord({ ...base, hypotheses: { bearingReferences: ['grid', 'true'] } });
    const [magnetic, grid, truth] = decoded.hypotheses;
    const leg = (h: typeof magnetic) => h!.legs[0]!;
    expect(leg(truth).trueAzimuthDeg).toBeCloseTo(90, 12);
    expect(leg(magnetic).trueAzimuthDeg).toBeCloseTo(90 + leg(magnetic).declinationDeg!, 12);
    expect(leg(grid).trueAzimuthDeg).toBeCloseTo(90 + leg(grid).convergenceDeg!, 12);
    // 45.3°E is east of zone 38's central meridian (45°E): convergence positive and small.
    expect(leg(grid).convergenceDeg!).toBeGreaterThan(0.1);
    expect(leg(grid).convergenceDeg!).toBeLessThan(0.3);
  });
});

describe('rows', () => {
  it('starts a row at its offset from a turning point and runs it for its length', () => {
    const record: MinefieldRecord = {
      ...square(),
      rows: [
        {
          from: { point: 'turningPoint', number: 1 },
          offset: { bearing: 180, distance: 10 },
          bearing: 90,
          length: 80,
          spacing: 5,
          mineModel: 'PMN',
        },
      ],
    };
    const h = decodeRecord(record).hypotheses[0]!;
    const row = h.rows[0]!;
    const plane = localPlane(h.vertices[0]!.lon, h.vertices[0]!.lat);
    const [s, e] = row.line.coordinates.map(([lon, lat]) => plane.toLocal(lon!, lat!));
    expect(s![0]).toBeCloseTo(0, 3);
    expect(s![1]).toBeCloseTo(-10, 3);
    expect(e![0]).toBeCloseTo(80, 2);
    expect(e![1]).toBeCloseTo(-10, 2);
    expect(row.mineCount).toBe(17);
    expect(row.endRadius95M).toBeGreaterThan(row.startRadius95M);
  });
});

describe('bad input', () => {
  it('refuses a record with no legs', () => {
    const r = square();
    expect(problemOf(() => decodeRecord({ ...r, perimeter: { legs: [] } })).code).toBe('record.no_legs');
  });

  it('refuses a perimeter of fewer than three turning points', () => {
    const r = square();
    const p = problemOf(() => decodeRecord({ ...r, perimeter: { legs: r.perimeter.legs.slice(0, 2) } }));
    expect(p.code).toBe('record.too_few_turning_points');
    expect(p.params.count).toBe(2);
  });

  it('refuses a record without a known point', () => {
    const { referencePoint: _, ...r } = square();
    expect(problemOf(() => decodeRecord(r)).code).toBe('record.no_origin');
  });

  it('passes on the CRS module problem for an unknown CRS, located at the point', () => {
    const r = square();
    const p = problemOf(() =>
      decodeRecord({ ...r, referencePoint: { crs: 'EPSG:999999', coordinates: [1, 2] } }),
    );
    expect(p.code).toBe('geo.crs.unknown');
    expect(p.where?.pointer).toBe('/referencePoint');
  });

  it('refuses an angle outside its unit with the leg index', () => {
    const r = square();
    const legs = [...r.perimeter.legs];
    legs[1] = { bearing: 361, distance: 100 };
    const p = problemOf(() => decodeRecord({ ...r, perimeter: { ...r.perimeter, legs } }));
    expect(p.code).toBe('record.angle_out_of_range');
    expect(p.params.leg).toBe(1);
    expect(p.where?.pointer).toBe('/perimeter/legs/1/bearing');
  });

  it('passes on the IGRF problem for a laying date outside 1900–2030', () => {
    const r = { ...square(), bearingReference: 'magnetic' as const, layingDate: '1850-01-01' };
    const p = problemOf(() => decodeRecord(r));
    expect(p.code).toBe('geo.igrf.date_out_of_range');
    expect(p.where?.pointer).toBe('/layingDate');
  });

  it('asks for the laying date when magnetic bearings have no declination', () => {
    expect(problemOf(() => decodeRecord({ ...square(), bearingReference: 'magnetic' })).code).toBe(
      'record.laying_date_needed',
    );
  });

  it('refuses a row anchored to a turning point that does not exist', () => {
    const r: MinefieldRecord = {
      ...square(),
      rows: [{ from: { point: 'turningPoint', number: 9 }, bearing: 0, length: 5 }],
    };
    const p = problemOf(() => decodeRecord(r));
    expect(p.code).toBe('record.row_anchor_unknown');
    expect(p.where?.pointer).toBe('/rows/0/from/number');
  });

  it('refuses a grid that is not a transverse Mercator zone', () => {
    const r = { ...square(), bearingReference: 'grid' as const, gridCrs: 'EPSG:4326' };
    expect(problemOf(() => decodeRecord(r)).code).toBe('record.grid_not_transverse_mercator');
  });

  it('refuses a record file that does not match the schema, with a pointer', () => {
    const p = problemOf(() => parseMinefieldRecord({ ...square(), angleUnit: 'grad' }));
    expect(p.code).toBe('record.invalid');
    expect(p.where?.pointer).toBe('/angleUnit');
  });
});

describe('the example record in test/fixtures', () => {
  it('decodes under the stated reading and closes within 1:20 after adjustment', () => {
    const text = readFileSync(
      new URL('../../fixtures/records/soviet-gk8-magnetic-paces.json', import.meta.url),
      'utf8',
    );
    const decoded = decodeRecord(parseMinefieldRecord(JSON.parse(text)));
    const h = decoded.hypotheses[0]!;
    expect(h.id).toBe('ref=magnetic,angle=mil6000,dist=pace,dir=forward');
    expect(h.misclosure!.ratio).toBeLessThan(1 / 20);
    expect(h.adjusted).toBe(true);
    expect(h.vertices).toHaveLength(4);
    expect(h.rows).toHaveLength(2);
  });
});
