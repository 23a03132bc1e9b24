import { describe, expect, it } from 'vitest';
import { checkDraft } from '../../web/src/field/checks.ts';
import {
  draftChanges,
  type FieldDraft,
  newDraft,
  placeOfPointer,
  polygonOf,
} from '../../web/src/field/drafts.ts';
import { averageFixes } from '../../web/src/field/gps.ts';
import { fitZoom, tilesOf } from '../../web/src/field/tiles.ts';

// The field app's pure parts: GPS averaging, the tiles kept for an area, the offline checks and
// the report a draft becomes.
const hazard = {
  type: 'Feature' as const,
  properties: {},
  geometry: {
    type: 'Polygon' as const,
    coordinates: [
      [
        [46.8, 40.1],
        [46.81, 40.1],
        [46.81, 40.11],
        [46.8, 40.11],
        [46.8, 40.1],
      ],
    ],
  },
};

function activity(corners: Array<[number, number]>): FieldDraft {
  const d = newDraft('activity');
  d.content.hazardId = '00000000-0000-4000-8000-000000000001';
  d.content.released = [{ key: 'a', outcome: 'cleared', corners }];
  d.content.found = [
    {
      key: 'f',
      category: 'AP',
      quantity: 2,
      position: {
        point: { type: 'Point', coordinates: [46.805, 40.105] },
        source: 'gps',
        accuracyM: 4,
        fixes: 1,
      },
      condition: 'intact',
      depthCm: '15',
      modelText: '',
    },
  ];
  return d;
}

describe('field app', () => {
  it('averages fixes weighted by their accuracy', () => {
    const mean = averageFixes([
      { lon: 46.8, lat: 40.1, accuracyM: 5 },
      { lon: 46.8002, lat: 40.1, accuracyM: 5 },
    ]);
    expect(mean.lon).toBeCloseTo(46.8001, 7);
    expect(mean.accuracyM).toBeCloseTo(5 / Math.SQRT2, 6);
    const skewed = averageFixes([
      { lon: 0, lat: 0, accuracyM: 1 },
      { lon: 1, lat: 0, accuracyM: 10 },
    ]);
    expect(skewed.lon).toBeCloseTo(1 / 101, 9);
  });

  it('keeps the tiles of a box from its fitting zoom, within a cap', () => {
    const box: [number, number, number, number] = [46.8, 40.1, 46.82, 40.12];
    const z = fitZoom(box);
    expect(z).toBeGreaterThanOrEqual(12);
    const tiles = tilesOf(box, z, z + 3);
    expect(tiles.every((t) => t.z >= z && t.z <= z + 3)).toBe(true);
    expect(tiles.filter((t) => t.z === z).length).toBeLessThanOrEqual(4);
    expect(tilesOf([40, 30, 50, 40], 0, 14, 100).length).toBeLessThanOrEqual(100);
  });

  it('refuses offline a released polygon that crosses itself or leaves the hazard', () => {
    const good = activity([
      [46.801, 40.101],
      [46.809, 40.101],
      [46.809, 40.109],
      [46.801, 40.109],
    ]);
    expect(
      checkDraft(good, draftChanges(good, 'org'), hazard, 'en').filter((f) => f.level === 'error'),
    ).toEqual([]);
    const bowtie = activity([
      [46.801, 40.101],
      [46.809, 40.109],
      [46.809, 40.101],
      [46.801, 40.109],
    ]);
    const crossing = checkDraft(bowtie, draftChanges(bowtie, 'org'), hazard, 'en');
    expect(crossing.some((f) => f.at === 'released.0' && /crosses itself/.test(f.text ?? ''))).toBe(true);
    const outside = activity([
      [46.801, 40.101],
      [46.82, 40.101],
      [46.809, 40.109],
    ]);
    const found = checkDraft(outside, draftChanges(outside, 'org'), hazard, 'en');
    expect(found).toContainEqual(
      expect.objectContaining({ level: 'error', at: 'released.0', code: 'land_release.outside_hazard' }),
    );
  });

  it('makes the report the web form makes: the activity, its closed polygon and its findings', () => {
    const d = activity([
      [46.801, 40.101],
      [46.809, 40.101],
      [46.809, 40.109],
    ]);
    const changes = draftChanges(d, 'org-1');
    expect(changes.map((c) => c.register)).toEqual(['activities', 'land-release', 'findings']);
    const polygon = polygonOf(d.content.released[0]!.corners)!;
    expect(polygon.coordinates[0]![0]).toEqual(polygon.coordinates[0]![3]);
    const finding = changes[2] as { record: { properties: Record<string, unknown> } };
    expect(finding.record.properties).toMatchObject({
      category: 'AP',
      quantity: 2,
      depthCm: 15,
      activityId: '@ref:act',
    });
  });

  it('makes a risk education session the report the web form makes, and checks it offline', () => {
    const d = newDraft('other_records');
    const findings = () => checkDraft(d, draftChanges(d, 'org-1'), null, 'en');
    expect(findings().map((f) => `${f.level} ${f.at}`)).toEqual([
      'error sessionPosition',
      'warning beneficiaries',
    ]);
    d.content.sessionPosition = {
      point: { type: 'Point', coordinates: [46.805, 40.105] },
      source: 'gps',
      accuracyM: 6,
      fixes: 1,
    };
    d.content.beneficiaries.cells = { female: { '5-12': '14' }, male: { '13-17': ' 9 ' } };
    expect(findings()).toEqual([]);
    const [change] = draftChanges(d, 'org-1') as Array<{
      register: string;
      record: { geometry: unknown; properties: Record<string, unknown> };
    }>;
    expect(change!.register).toBe('risk-education');
    expect(change!.record.geometry).toEqual({ type: 'Point', coordinates: [46.805, 40.105] });
    expect(change!.record.properties).toMatchObject({
      organisationId: 'org-1',
      deliveryMethod: 'face_to_face',
      beneficiaries: { female: { '5-12': 14 }, male: { '13-17': 9 } },
    });
    d.content.beneficiaries.cells.male!['0-4'] = '-2';
    expect(findings().map((f) => `${f.at} ${f.key}`)).toEqual(['beneficiaries form.notACount']);
    expect(placeOfPointer(d, '/payload/changes/0/record/properties/beneficiaries/male')).toBe(
      'beneficiaries',
    );
    expect(placeOfPointer(d, '/payload/changes/0/record/geometry')).toBe('sessionPosition');
  });
});
