import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { LAND_RELEASE_TOLERANCE_M } from '../../src/services/register-hooks/land-release.ts';
import { DEFAULT_DUPLICATES } from '../../src/services/reports.ts';
import { checkDraft } from '../../web/src/field/checks.ts';
import { draftChanges, type FieldDraft, newDraft } from '../../web/src/field/drafts.ts';
import {
  distanceToHazardM,
  FINDING_TOLERANCE_M,
  RELEASE_OUTSIDE_M2,
  RELEASE_TOLERANCE_M,
  releaseFit,
} from '../../web/src/field/within.ts';

// "Inside the hazard" on the device: the whole polygon against the whole hazard (concave
// outlines, holes, several parts), with the server's tolerance, thresholds and messages.
const X = 46.8;
const Y = 40.1;
const at = (dx: number, dy: number): [number, number] => [X + dx, Y + dy];
const poly = (...corners: Array<[number, number]>): Polygon => ({
  type: 'Polygon',
  coordinates: [[...corners, corners[0]!]],
});
/** Metres per degree of longitude / latitude at 40.1° N (for expectations only). */
const M_LON = 85_300;
const M_LAT = 111_030;

// A U: a 0.01° square with a notch 0.002° wide cut from the top down to 0.003°.
const U = poly(
  at(0, 0),
  at(0.01, 0),
  at(0.01, 0.01),
  at(0.006, 0.01),
  at(0.006, 0.003),
  at(0.004, 0.003),
  at(0.004, 0.01),
  at(0, 0.01),
);
// A square with a square hole in its middle.
const holed: Polygon = {
  type: 'Polygon',
  coordinates: [
    [at(0, 0), at(0.01, 0), at(0.01, 0.01), at(0, 0.01), at(0, 0)],
    [at(0.004, 0.004), at(0.004, 0.006), at(0.006, 0.006), at(0.006, 0.004), at(0.004, 0.004)],
  ],
};
// Two squares with a gap of 0.002° between them.
const twoParts: MultiPolygon = {
  type: 'MultiPolygon',
  coordinates: [
    poly(at(0, 0), at(0.004, 0), at(0.004, 0.01), at(0, 0.01)).coordinates,
    poly(at(0.006, 0), at(0.01, 0), at(0.01, 0.01), at(0.006, 0.01)).coordinates,
  ],
};

function activity(hazard: Polygon | MultiPolygon, corners: Array<[number, number]>, found: [number, number]) {
  const d: FieldDraft = newDraft('activity');
  d.content.hazardId = '00000000-0000-4000-8000-000000000001';
  d.content.released = [{ key: 'a', outcome: 'cleared', corners }];
  d.content.found = [
    {
      key: 'f',
      category: 'AP',
      quantity: 1,
      position: { point: { type: 'Point', coordinates: found }, source: 'typed', accuracyM: null, fixes: 0 },
      condition: '',
      depthCm: '',
      modelText: '',
    },
  ];
  const feature = { type: 'Feature' as const, properties: { code: 'HZ-000042' }, geometry: hazard };
  return checkDraft(d, draftChanges(d, 'org'), feature, 'en');
}

describe('inside the hazard, offline', () => {
  it('uses the tolerance and thresholds the server uses', () => {
    expect(RELEASE_TOLERANCE_M).toBe(LAND_RELEASE_TOLERANCE_M);
    expect(FINDING_TOLERANCE_M).toBe(DEFAULT_DUPLICATES.findingOutsideHazardM);
    expect(RELEASE_OUTSIDE_M2).toBe(0.01);
  });

  it('finds a polygon whose corners are all inside a concave hazard but whose edges cross its notch', () => {
    // Corners in the two arms of the U; the top and bottom edges cross the notch.
    const across = poly(at(0.002, 0.006), at(0.008, 0.006), at(0.008, 0.008), at(0.002, 0.008));
    const fit = releaseFit(across, U);
    expect(fit).not.toBeNull();
    expect(fit!.farthestM).toBe(0);
    // The notch part: 0.002° × 0.002°, less a 1 m strip along each of its two sides.
    const notch = 0.002 * M_LON * 0.002 * M_LAT - 2 * 0.002 * M_LAT;
    expect(fit!.outsideM2).toBeGreaterThan(notch * 0.99);
    expect(fit!.outsideM2).toBeLessThan(notch * 1.01);
    // The same polygon within one arm is inside.
    expect(
      releaseFit(poly(at(0.001, 0.006), at(0.003, 0.006), at(0.003, 0.008), at(0.001, 0.008)), U),
    ).toEqual({
      outsideM2: 0,
      farthestM: 0,
    });
    // Below the notch, across the U's base, it is inside too.
    expect(
      releaseFit(poly(at(0.002, 0.001), at(0.008, 0.001), at(0.008, 0.002), at(0.002, 0.002)), U)!.outsideM2,
    ).toBe(0);
  });

  it('refuses it in the draft with the server code and message, pointing at the polygon', () => {
    const problems = activity(
      U,
      [at(0.002, 0.006), at(0.008, 0.006), at(0.008, 0.008), at(0.002, 0.008)],
      at(0.002, 0.002),
    );
    const outside = problems.filter((f) => f.code === 'land_release.outside_hazard');
    expect(outside).toHaveLength(1);
    expect(outside[0]).toMatchObject({ level: 'error', at: 'released.0' });
    expect(outside[0]!.text).toMatch(
      /lies [\d,.]+ m² outside hazard HZ-000042 \(up to 0 m from it; 1 m are tolerated\)/,
    );
  });

  it('finds a polygon over a hole of the hazard, and one spanning two parts of a multi-polygon', () => {
    const overHole = releaseFit(
      poly(at(0.003, 0.003), at(0.007, 0.003), at(0.007, 0.007), at(0.003, 0.007)),
      holed,
    );
    const hole = 0.002 * M_LON * 0.002 * M_LAT;
    expect(overHole!.farthestM).toBe(0);
    expect(overHole!.outsideM2).toBeGreaterThan(hole * 0.97);
    expect(overHole!.outsideM2).toBeLessThan(hole);
    const span = releaseFit(
      poly(at(0.002, 0.004), at(0.008, 0.004), at(0.008, 0.006), at(0.002, 0.006)),
      twoParts,
    );
    expect(span!.outsideM2).toBeGreaterThan(hole * 0.97);
    expect(
      releaseFit(poly(at(0.007, 0.004), at(0.009, 0.004), at(0.009, 0.006), at(0.007, 0.006)), twoParts)!
        .outsideM2,
    ).toBe(0);
  });

  it('tolerates 1 m beyond the outline and no more', () => {
    // 0.5 m and 3 m beyond the square's east edge, over 0.002° of it.
    const beyond = (m: number) =>
      poly(at(0.008, 0.004), at(0.01 + m / M_LON, 0.004), at(0.01 + m / M_LON, 0.006), at(0.008, 0.006));
    expect(releaseFit(beyond(0.5), holed)!.outsideM2).toBe(0);
    const far = releaseFit(beyond(3), holed)!;
    expect(far.farthestM).toBeGreaterThan(2.9);
    expect(far.farthestM).toBeLessThan(3.1);
    const strip = 2 * 0.002 * M_LAT;
    expect(far.outsideM2).toBeGreaterThan(strip * 0.95);
    expect(far.outsideM2).toBeLessThan(strip * 1.05);
  });

  it('warns of a finding more than 50 m from the hazard, in its notch or beyond its outline', () => {
    expect(distanceToHazardM(at(0.002, 0.005), U)).toBe(0);
    // The middle of the notch is 0.001° (≈ 85 m) from either arm.
    expect(distanceToHazardM(at(0.005, 0.008), U)).toBeGreaterThan(84);
    expect(distanceToHazardM(at(0.005, 0.008), U)).toBeLessThan(86);
    expect(distanceToHazardM(at(0.005, 0.005), holed)).toBeGreaterThan(84);
    const inNotch = activity(U, [at(0.001, 0.001), at(0.003, 0.001), at(0.003, 0.002)], at(0.005, 0.008));
    expect(inNotch).toEqual([
      expect.objectContaining({ level: 'warning', at: 'found.0', code: 'finding.outside_hazard' }),
    ]);
    expect(inNotch[0]!.text).toMatch(/lies 85 m outside hazard HZ-000042 \(more than the 50 m tolerated\)/);
    // 30 m east of the outline: within the tolerance.
    expect(
      activity(U, [at(0.001, 0.001), at(0.003, 0.001), at(0.003, 0.002)], at(0.01 + 30 / M_LON, 0.005)),
    ).toEqual([]);
  });
});
