import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerRecordCommands } from '../../../src/cli/record.ts';
import {
  ANGLE_UNITS,
  BEARING_REFERENCES,
  DISTANCE_UNITS,
  type MinefieldRecord,
  parseMinefieldRecord,
} from '../../../src/domain/minefield-record.ts';
import { isProblem } from '../../../src/domain/problem.ts';
import { formatSovietMils } from '../../../src/geo/record-angles.ts';
import { type DecodedRecord, decodeRecord, unitLengthM } from '../../../src/geo/record-decode.ts';
import { insideRings, scoreRecord } from '../../../src/geo/record-score.ts';
import { hasMessage } from '../../../src/i18n/catalogue.ts';
import { seededRandom } from '../../fixtures/random.ts';

/**
 * Decoding never crashes: a reading whose polygons cannot be built is a coded problem of that
 * reading, and the other readings are decoded and scored. The polygon union (polyclip-ts) can
 * be made to fail on demand here, to prove that path; everything else is the real code.
 */

/** Set to make the union fail for inputs wider than this many metres (east-west); null: never. */
const unionFailure: { widerThanM: number | null } = { widerThanM: null };

vi.mock('polyclip-ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('polyclip-ts')>();
  return {
    ...real,
    union: (...geoms: Parameters<typeof real.union>) => {
      if (unionFailure.widerThanM !== null) {
        // Every leaf is an [x, y] pair, so the even places of the flattened input are the x.
        const xs = (geoms.flat(Number.POSITIVE_INFINITY) as number[]).filter((_, i) => i % 2 === 0);
        if (Math.max(...xs) - Math.min(...xs) > unionFailure.widerThanM)
          throw new Error('Unable to complete output ring (forced by the test)');
      }
      return real.union(...geoms);
    },
  };
});

afterEach(() => {
  unionFailure.widerThanM = null;
});

const fixturePath = new URL('../../fixtures/records/gk9-grid-mil6400-pairs.json', import.meta.url).pathname;
const findingsPath = new URL('../../fixtures/records/soviet-gk8-findings.geojson', import.meta.url).pathname;
const fixture = () => parseMinefieldRecord(JSON.parse(readFileSync(fixturePath, 'utf8')));

/** Every decoded reading's turning points lie inside its own uncertainty polygon. */
function expectBuffersHoldVertices(decoded: DecodedRecord) {
  for (const h of decoded.hypotheses) {
    const polygons = h.uncertaintyPolygon.coordinates as [number, number][][][];
    expect(polygons.length, h.id).toBeGreaterThan(0);
    for (const v of h.vertices) {
      expect(
        polygons.some((rings) => insideRings([v.lon, v.lat], rings)),
        `${h.id} vertex ${v.number}`,
      ).toBe(true);
    }
  }
}

describe('the Gauss-Krüger zone 9 record that stopped decoding', () => {
  it('decodes every reading, the true bearings in paces too, each with its uncertainty polygon', () => {
    const decoded = decodeRecord(fixture());
    expect(decoded.rejected).toEqual([]);
    expect(decoded.hypotheses.map((h) => h.id)).toEqual([
      'ref=grid,angle=mil6400,dist=pair_of_steps,dir=forward',
      'ref=grid,angle=mil6400,dist=pace,dir=forward',
      'ref=true,angle=mil6400,dist=pair_of_steps,dir=forward',
      'ref=true,angle=mil6400,dist=pace,dir=forward',
    ]);
    expectBuffersHoldVertices(decoded);
  });

  it('prints every reading with record decode, exit code 0', async () => {
    const { out, exitCode } = await runCli(['record', 'decode', fixturePath]);
    expect(exitCode).toBeUndefined();
    const fc = JSON.parse(out);
    expect(fc.hypotheses).toHaveLength(4);
    expect(fc.notDecoded).toEqual([]);
  });
});

describe('a reading whose polygon cannot be built', () => {
  // The readings in pairs of steps are about 400 m wide, those in paces about 200 m (with their
  // 95 % radii under 300 m): failing the union above 350 m fails exactly the readings in pairs of steps.
  const failPairsOfSteps = () => {
    unionFailure.widerThanM = 350;
  };

  it('is left out with minefield.polygon_failed, and the other readings are decoded', () => {
    failPairsOfSteps();
    const decoded = decodeRecord(fixture());
    expect(decoded.hypotheses.map((h) => h.id)).toEqual([
      'ref=grid,angle=mil6400,dist=pace,dir=forward',
      'ref=true,angle=mil6400,dist=pace,dir=forward',
    ]);
    expect(decoded.rejected.map((r) => [r.id, r.problem.code, r.problem.pointer])).toEqual([
      ['ref=grid,angle=mil6400,dist=pair_of_steps,dir=forward', 'minefield.polygon_failed', '/perimeter'],
      ['ref=true,angle=mil6400,dist=pair_of_steps,dir=forward', 'minefield.polygon_failed', '/perimeter'],
    ]);
    expect(String(decoded.rejected[0]!.problem.params.reason)).toMatch(/Unable to complete output ring/);
    expectBuffersHoldVertices(decoded);
  });

  it('does not stop the others being scored', () => {
    failPairsOfSteps();
    const decoded = decodeRecord(fixture());
    const paces = decoded.hypotheses[1]!;
    const findings = paces.vertices.map((v) => ({ lon: v.lon, lat: v.lat }));
    const scores = scoreRecord(decoded, findings);
    expect(scores.hypotheses.map((h) => h.id)).toEqual(decoded.hypotheses.map((h) => h.id));
  });

  it('is reported by record decode and record score with its code, the others printed, exit code 0', async () => {
    failPairsOfSteps();
    const decoded = await runCli(['record', 'decode', fixturePath]);
    expect(decoded.exitCode).toBeUndefined();
    const fc = JSON.parse(decoded.out);
    expect(fc.hypotheses).toHaveLength(2);
    expect(fc.notDecoded.map((r: { problem: { code: string } }) => r.problem.code)).toEqual([
      'minefield.polygon_failed',
      'minefield.polygon_failed',
    ]);
    expect(fc.notDecoded[0].message).toMatch(/could not be built/);

    const scored = await runCli(['record', 'score', fixturePath, '--findings', findingsPath]);
    expect(scored.exitCode).toBeUndefined();
    const scores = JSON.parse(scored.out);
    expect(scores.hypotheses.map((h: { id: string }) => h.id)).toEqual(
      fc.hypotheses.map((h: { id: string }) => h.id),
    );
    expect(scores.notDecoded.map((r: { id: string }) => r.id)).toEqual(
      fc.notDecoded.map((r: { id: string }) => r.id),
    );
  });

  it('is a coded problem, not a crash, when no reading is left', async () => {
    unionFailure.widerThanM = 0;
    let thrown: unknown;
    try {
      decodeRecord(fixture());
    } catch (e) {
      thrown = e;
    }
    expect(isProblem(thrown) && thrown.code).toBe('minefield.polygon_failed');
    const cli = await runCli(['record', 'decode', fixturePath]);
    expect(cli.exitCode).toBe(1);
    expect(cli.err).toMatch(/^Error minefield\.polygon_failed at \/perimeter: /);
  });
});

// ---- records generated at random ----

type Rng = () => number;
const pick = <T>(rng: Rng, values: readonly T[]): T => values[Math.floor(rng() * values.length)]!;

/** A bearing as a record in `unit` writes it, from an azimuth in degrees. */
function writtenBearing(rng: Rng, azimuthDeg: number, unit: MinefieldRecord['angleUnit']): number | string {
  const a = ((azimuthDeg % 360) + 360) % 360;
  if (unit === 'deg') return Math.round(a * 10) / 10;
  const mils = Math.round((a / 360) * (unit === 'mil6400' ? 6400 : 6000));
  const m = mils % (unit === 'mil6400' ? 6400 : 6000);
  return unit === 'soviet' || rng() < 0.2 ? formatSovietMils(m) : m;
}

/**
 * A record generated at random: 3 to 8 turning points round a point in Gauss-Krüger zone 8 or
 * 9 (sometimes out of order, so that the perimeter crosses itself), 10 to 400 m across, any
 * angle unit, bearing reference and distance unit, from a reference point or walked from a
 * landmark, with or without a closing leg, adjustment and rows, and a random set of the
 * alternative readings enabled.
 */
function randomRecord(seed: number): MinefieldRecord {
  const rng = seededRandom(seed);
  const n = 3 + Math.floor(rng() * 6);
  const angles = Array.from({ length: n }, () => rng() * 2 * Math.PI);
  if (rng() < 0.8) angles.sort((a, b) => a - b);
  const size = 10 + rng() * 200;
  const points = angles.map((a) => {
    const r = size * (0.3 + rng());
    return [r * Math.sin(a), r * Math.cos(a)] as const;
  });
  const angleUnit = pick(rng, ANGLE_UNITS);
  const distanceUnit = pick(rng, DISTANCE_UNITS);
  const unitM = unitLengthM({}, distanceUnit);
  const leg = (dx: number, dy: number) => ({
    bearing: writtenBearing(rng, (Math.atan2(dx, dy) * 180) / Math.PI, angleUnit),
    distance: Math.max(1, Math.round(Math.hypot(dx, dy) / unitM)),
  });
  const legs = points.map((p, i) => {
    const q = points[(i + 1) % n]!;
    return leg(q[0] - p[0], q[1] - p[1]);
  });
  const zone = pick(rng, [8, 9] as const);
  const known = {
    crs: `EPSG:2840${zone}`,
    coordinates: [
      4400000 + Math.round(rng() * 300000),
      zone * 1000000 + 400000 + Math.round(rng() * 200000),
    ] as [number, number],
  };
  const fromLandmark = rng() < 0.4;
  const startsAtReference = rng() < 0.5;
  const withClosing = rng() < 0.8;
  const perimeterLegs = startsAtReference ? legs.slice(0, n - 1) : legs;
  const maybe = <T>(values: readonly T[]) => values.filter(() => rng() < 0.3);
  const record: MinefieldRecord = {
    layingDate: `${1975 + Math.floor(rng() * 40)}-0${1 + Math.floor(rng() * 9)}-15`,
    angleUnit,
    bearingReference: pick(rng, BEARING_REFERENCES),
    distanceUnit,
    ...(fromLandmark
      ? { landmark: known, legsToReference: [leg(rng() * 400 - 200, rng() * 400 - 200)] }
      : { referencePoint: known }),
    perimeter: {
      startsAtReference,
      legs: withClosing ? perimeterLegs : perimeterLegs.slice(0, -1),
      ...(withClosing ? { closingLeg: legs[n - 1]! } : {}),
    },
    closure: { maxRatio: 0.5, adjust: rng() < 0.5 },
    ...(rng() < 0.3
      ? {
          rows: [
            {
              from: { point: 'turningPoint' as const, number: 1 },
              offset: leg(points[1]![0] - points[0]![0], points[1]![1] - points[0]![1]),
              bearing: leg(points[2]![0] - points[1]![0], points[2]![1] - points[1]![1]).bearing,
              length: 10,
              spacing: 2,
            },
          ],
        }
      : {}),
    hypotheses: {
      bearingReferences: maybe(BEARING_REFERENCES),
      milCircles: maybe([6000, 6400] as const),
      distanceUnits: maybe(DISTANCE_UNITS),
      directions: maybe(['reverse'] as const),
    },
  };
  return parseMinefieldRecord(record);
}

describe('300 records generated at random', () => {
  const seen = new Set<string>();
  const outcomes = { decoded: 0, rejected: 0, wholeRecordProblems: 0 };
  for (let part = 0; part < 3; part++) {
    it(`decodes records ${part * 100 + 1} to ${part * 100 + 100} without a crash: every fault a coded problem of one reading`, () => {
      for (let seed = part * 100 + 1; seed <= part * 100 + 100; seed++) {
        const record = randomRecord(seed);
        let decoded: DecodedRecord;
        try {
          decoded = decodeRecord(record);
        } catch (e) {
          expect(isProblem(e), `record ${seed}: ${String(e)}`).toBe(true);
          if (isProblem(e)) expect(hasMessage(e.code), `record ${seed}: ${e.code}`).toBe(true);
          outcomes.wholeRecordProblems++;
          continue;
        }
        for (const r of decoded.rejected) {
          expect(hasMessage(r.problem.code), `record ${seed} ${r.id}: ${r.problem.code}`).toBe(true);
          expect(r.problem.pointer, `record ${seed} ${r.id}`).toMatch(/^\//);
        }
        for (const h of decoded.hypotheses) seen.add(h.id.replace(/,dir=.*/, '').replace(/angle=\w+,/, ''));
        for (const h of decoded.hypotheses) seen.add(h.assumptions.direction);
        for (const h of decoded.hypotheses)
          seen.add(h.assumptions.milCircle === null ? 'deg' : `mil${h.assumptions.milCircle}`);
        expectBuffersHoldVertices(decoded);
        outcomes.decoded += decoded.hypotheses.length;
        outcomes.rejected += decoded.rejected.length;
      }
    }, 240_000);
  }

  it('covered every bearing reference, distance unit, angle circle and direction', () => {
    for (const ref of BEARING_REFERENCES)
      for (const dist of DISTANCE_UNITS)
        expect(seen.has(`ref=${ref},dist=${dist}`), `${ref} ${dist}`).toBe(true);
    for (const v of ['deg', 'mil6000', 'mil6400', 'forward', 'reverse']) expect(seen.has(v), v).toBe(true);
    expect(outcomes.decoded).toBeGreaterThan(300);
  });
});

async function runCli(args: string[]): Promise<{ out: string; err: string; exitCode: number | undefined }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  const before = process.exitCode;
  const program = new Command('safeground').exitOverride();
  registerRecordCommands(program);
  try {
    await program.parseAsync(['node', 'safeground', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const exitCode = process.exitCode as number | undefined;
  process.exitCode = before;
  return { out, err, exitCode };
}
