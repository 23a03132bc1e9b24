import { readFileSync } from 'node:fs';
import { difference, intersection } from 'polyclip-ts';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_MODELS,
  type DemoProgramme,
  generateDemoProgramme,
  mulberry32,
} from '../../src/domain/demo-programme.ts';
import { ageBandOf } from '../../src/domain/derive.ts';
import * as V from '../../src/domain/vocabularies.ts';
import { polygonAreaM2 } from '../../src/geo/geodesic.ts';
import { validateArea } from '../../src/geo/validate.ts';

type Ring = [number, number][];
type Polys = Ring[][];

/** Area of a MultiPolygon's coordinates on the ellipsoid: shells minus holes. */
function areaM2(polys: Polys): number {
  return polys.reduce(
    (sum, poly) => sum + poly.reduce((s, ring, k) => s + (k === 0 ? 1 : -1) * polygonAreaM2(ring), 0),
    0,
  );
}

/** Crossing-number test, written here independently of the generator. */
function inside(p: [number, number], ring: Ring): boolean {
  let c = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < xi + ((xj - xi) * (p[1] - yi)) / (yj - yi)) c = !c;
  }
  return c;
}

let demo: DemoProgramme;
beforeAll(() => {
  demo = generateDemoProgramme();
});

describe('mulberry32', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const sa = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(sa);
    expect([c(), c(), c()]).not.toEqual(sa);
    for (const x of sa) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('generateDemoProgramme', () => {
  it('gives the same programme for the same seed and another for another seed', () => {
    expect(JSON.stringify(generateDemoProgramme())).toBe(JSON.stringify(demo));
    const other = generateDemoProgramme(7);
    expect(other.hazards[0]!.geometry).not.toEqual(demo.hazards[0]!.geometry);
  });

  it('has the size the brief asks for', () => {
    const levels = [0, 1, 2].map((l) => demo.adminAreas.filter((a) => a.level === l).length);
    expect(levels).toEqual([1, 4, 12]);
    expect(demo.settlements.length).toBeGreaterThanOrEqual(45);
    expect(demo.settlements.length).toBeLessThanOrEqual(55);
    expect(demo.hazards).toHaveLength(300);
    expect(demo.findings).toHaveLength(5000);
    expect(demo.accidents).toHaveLength(200);
    expect(demo.casualties.length).toBeGreaterThan(250);
    expect(demo.casualties.length).toBeLessThan(350);
    expect(demo.riskEducation).toHaveLength(40);
    expect(demo.qaVisits).toHaveLength(20);
    expect(demo.sources).toHaveLength(10);
    expect(new Set(demo.landRelease.map((l) => l.outcome))).toEqual(
      new Set(['cancelled', 'reduced', 'cleared']),
    );
  });

  it('gives p-codes that nest: DM, DM01, DM0101', () => {
    const byKey = new Map(demo.adminAreas.map((a) => [a.key, a]));
    for (const a of demo.adminAreas) {
      if (a.parentKey === null) expect(a.pcode).toBe('DM');
      else expect(a.pcode.startsWith(byKey.get(a.parentKey)!.pcode)).toBe(true);
      expect(a.pcode).toHaveLength(2 + 2 * a.level);
      expect(a.names.ru).toMatch(/[А-Яа-я]/);
      expect(a.names.ar).toMatch(/[\u0600-\u06FF]/);
    }
  });

  it('makes only valid polygons (admin areas, hazards, remaining areas, land release)', () => {
    const areas = [
      ...demo.adminAreas.map((a) => a.geometry),
      ...demo.hazards.map((h) => h.geometry),
      ...demo.hazards.flatMap((h) => (h.remainingGeometry ? [h.remainingGeometry] : [])),
      ...demo.landRelease.map((l) => l.geometry),
    ];
    for (const g of areas) expect(() => validateArea(g)).not.toThrow();
  });

  it('tiles the country with its regions and each region with its districts, without overlap', () => {
    const area = (key: string) => areaM2(demo.adminAreas.find((a) => a.key === key)!.geometry.coordinates);
    const country = area('admin:DM');
    const regions = demo.adminAreas.filter((a) => a.level === 1);
    expect(regions.reduce((s, r) => s + area(r.key), 0)).toBeCloseTo(country, -2);
    for (const r of regions) {
      const districts = demo.adminAreas.filter((a) => a.parentKey === r.key);
      expect(districts).toHaveLength(3);
      expect(districts.reduce((s, d) => s + area(d.key), 0) / area(r.key)).toBeCloseTo(1, 9);
    }
    const districts = demo.adminAreas.filter((a) => a.level === 2);
    for (let i = 0; i < districts.length; i++) {
      for (let j = i + 1; j < districts.length; j++) {
        const overlap = intersection(
          districts[i]!.geometry.coordinates as Polys,
          districts[j]!.geometry.coordinates as Polys,
        );
        expect(areaM2(overlap as Polys)).toBeLessThan(1);
      }
    }
  });

  it('makes hazards of 0.5 to 30 ha that do not overlap each other', () => {
    const areas = demo.hazards.map((h) => areaM2(h.geometry.coordinates));
    expect(Math.min(...areas)).toBeGreaterThanOrEqual(5_000);
    expect(Math.max(...areas)).toBeLessThanOrEqual(300_000);
    const boxes = demo.hazards.map((h) => {
      const ring = h.geometry.coordinates[0]![0]!;
      return [
        Math.min(...ring.map((p) => p[0])),
        Math.min(...ring.map((p) => p[1])),
        Math.max(...ring.map((p) => p[0])),
        Math.max(...ring.map((p) => p[1])),
      ];
    });
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i]!, boxes[j]!];
        expect(a[0]! < b[2]! && b[0]! < a[2]! && a[1]! < b[3]! && b[1]! < a[3]!).toBe(false);
      }
    }
  });

  it('puts every land release inside its hazard and never releases more than the hazard', () => {
    for (const h of demo.hazards) {
      const releases = demo.landRelease.filter((l) => l.hazardKey === h.key);
      const hazardM2 = areaM2(h.geometry.coordinates);
      let releasedM2 = 0;
      for (const l of releases) {
        const outside = difference(l.geometry.coordinates as Polys, h.geometry.coordinates as Polys);
        expect(areaM2(outside as Polys)).toBeLessThan(1);
        releasedM2 += areaM2(l.geometry.coordinates);
      }
      expect(releasedM2).toBeLessThanOrEqual(hazardM2 * (1 + 1e-9));
      // Released and remaining land make up the hazard; closed hazards have nothing left.
      const remainingM2 = h.remainingGeometry ? areaM2(h.remainingGeometry.coordinates) : 0;
      expect(Math.abs(releasedM2 + remainingM2 - hazardM2)).toBeLessThan(hazardM2 * 1e-6);
      if (h.status === 'closed') expect(h.remainingGeometry).toBeNull();
      else expect(remainingM2).toBeGreaterThan(0);
      // Releases of one hazard do not overlap.
      for (let i = 0; i < releases.length; i++) {
        for (let j = i + 1; j < releases.length; j++) {
          const overlap = intersection(
            releases[i]!.geometry.coordinates as Polys,
            releases[j]!.geometry.coordinates as Polys,
          );
          expect(areaM2(overlap as Polys)).toBeLessThan(1);
        }
      }
    }
  });

  it('places findings inside their hazards, from catalogue models, dated 2019 to 2026', () => {
    const hazards = new Map(demo.hazards.map((h) => [h.key, h]));
    for (const f of demo.findings) {
      expect(inside(f.geometry.coordinates, hazards.get(f.hazardKey)!.geometry.coordinates[0]![0]!)).toBe(
        true,
      );
      expect(f.foundOn >= '2019-01-01' && f.foundOn <= '2026-12-31').toBe(true);
    }
    const migration = readFileSync(
      new URL('../../src/db/migrations/002_ordnance_catalogue.sql', import.meta.url),
      'utf8',
    );
    const catalogue = new Set([...migration.matchAll(/^\s*\('([^']+)', '/gm)].map((m) => m[1]));
    for (const model of DEMO_MODELS) expect(catalogue.has(model), model).toBe(true);
  });

  it('puts settlements inside their districts', () => {
    const areas = new Map(demo.adminAreas.map((a) => [a.key, a]));
    for (const s of demo.settlements) {
      expect(inside(s.geometry.coordinates, areas.get(s.adminAreaKey)!.geometry.coordinates[0]![0]!)).toBe(
        true,
      );
      expect(s.displacedHouseholds + s.returnedHouseholds).toBeLessThanOrEqual(s.households);
    }
  });

  it('gives casualties an age band that agrees with the age, and uses unknown values', () => {
    for (const c of demo.casualties) expect(c.ageBand).toBe(ageBandOf(c.age));
    expect(demo.casualties.some((c) => c.sex === 'unknown')).toBe(true);
    expect(demo.casualties.some((c) => c.outcome === 'unknown')).toBe(true);
    expect(demo.casualties.some((c) => c.casualtyStatus === 'deminer')).toBe(true);
  });

  it('labels every description and note as synthetic', () => {
    const texts = [
      ...demo.hazards.map((h) => h.description),
      ...demo.activities.map((a) => a.description),
      ...demo.accidents.map((a) => a.description),
      ...demo.riskEducation.map((r) => r.description),
      ...demo.qaVisits.map((q) => q.measuresTaken),
      ...demo.sources.map((s) => s.notes),
    ];
    for (const t of texts) expect(t).toContain('Synthetic demo data');
    for (const s of demo.sources) expect(s.title).toContain('(demo)');
  });

  it('uses only values of the code lists', () => {
    const within = (list: readonly string[], values: Array<string | null>) => {
      for (const v of values) expect(list, String(v)).toContain(v);
    };
    within(
      V.ORGANISATION_KINDS,
      demo.organisations.map((o) => o.kind),
    );
    within(
      V.SETTLEMENT_KINDS,
      demo.settlements.map((s) => s.kind),
    );
    within(
      V.HAZARD_TYPES,
      demo.hazards.map((h) => h.type),
    );
    within(
      V.HAZARD_STATUSES,
      demo.hazards.map((h) => h.status),
    );
    within(
      V.DEVICE_CATEGORIES,
      demo.hazards.flatMap((h) => h.deviceCategories),
    );
    within(
      V.EVIDENCE_TYPES,
      demo.hazards.flatMap((h) => h.evidence.map((e) => e.type)),
    );
    within(
      V.LAND_USES,
      demo.hazards.flatMap((h) => h.blockedLandUse),
    );
    within(
      V.ACTIVITY_KINDS,
      demo.activities.map((a) => a.kind),
    );
    within(V.ACTIVITY_METHODS, [
      ...demo.activities.map((a) => a.method),
      ...demo.landRelease.map((l) => l.method),
    ]);
    within(
      V.ACTIVITY_STATUSES,
      demo.activities.map((a) => a.status),
    );
    within(
      V.LAND_RELEASE_OUTCOMES,
      demo.landRelease.map((l) => l.outcome),
    );
    within(V.DEVICE_CATEGORIES, [
      ...demo.findings.map((f) => f.category),
      ...demo.accidents.map((a) => a.deviceCategory),
    ]);
    within(
      V.FINDING_CONDITIONS,
      demo.findings.map((f) => f.condition),
    );
    within(
      V.FINDING_DISPOSITIONS,
      demo.findings.map((f) => f.disposition),
    );
    within(
      V.DATE_PRECISIONS,
      demo.accidents.map((a) => a.datePrecision),
    );
    within(
      V.POINT_PRECISIONS,
      demo.accidents.map((a) => a.pointPrecision),
    );
    within(V.TRI_STATE, [
      ...demo.accidents.map((a) => a.demining),
      ...demo.casualties.map((c) => c.tamperedWithDevice),
    ]);
    within(
      V.SEXES,
      demo.casualties.map((c) => c.sex),
    );
    within(
      V.AGE_BANDS,
      demo.casualties.map((c) => c.ageBand),
    );
    within(
      V.CASUALTY_STATUSES,
      demo.casualties.map((c) => c.casualtyStatus),
    );
    within(
      V.CASUALTY_OUTCOMES,
      demo.casualties.map((c) => c.outcome),
    );
    within(
      V.CASUALTY_ACTIVITIES,
      demo.casualties.map((c) => c.activityAtTime),
    );
    within(
      V.DISPLACEMENT_STATUSES,
      demo.casualties.map((c) => c.displacementStatus),
    );
    within(
      V.RE_DELIVERY_METHODS,
      demo.riskEducation.map((r) => r.deliveryMethod),
    );
    within(
      V.QA_SEVERITIES,
      demo.qaVisits.flatMap((q) => q.nonConformities.map((n) => n.severity)),
    );
    within(
      V.SOURCE_KINDS,
      demo.sources.map((s) => s.kind),
    );
  });

  it('dates activities in order and within 2019 to 2026', () => {
    for (const a of demo.activities) {
      expect(a.startDate >= '2019-01-01').toBe(true);
      if (a.endDate) expect(a.endDate >= a.startDate && a.endDate <= '2026-12-31').toBe(true);
      else expect(a.status).toBe('in_progress');
    }
  });
});
