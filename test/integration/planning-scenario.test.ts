import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRIORITY_WEIGHTS, DEFAULT_READINESS_RULES } from '../../src/domain/planning.ts';
import { geodesicDirect, polygonAreaM2 } from '../../src/geo/geodesic.ts';
import { login, testDatabaseKind, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';

/**
 * A scenario checked as an outsider would check it: settlements with hazards at known geodesic
 * distances (0.5, 0.99, 1.01, 3 and 8 km), an access road released or not, accidents at known
 * places and dates, risk education. The test states each fact, derives from the rules and
 * weights as docs/planning.md states them (its own code below, not the program's) the readiness
 * levels and the ranking, and compares them with the API's answers, as at fixed dates.
 */

type LonLat = [number, number];
interface Place {
  lon: number;
  lat: number;
}

/** The point `metres` from `from` along the geodesic leaving it at azimuth `az`. */
function walk(from: Place, az: number, metres: number): Place & { az: number } {
  const r = geodesicDirect(from.lat, from.lon, az, metres);
  return { lon: r.lonDeg, lat: r.latDeg, az: r.aziDeg };
}

/**
 * A hazard polygon whose nearest point to `s` is exactly `metres` away at azimuth `az`: a diamond
 * with that vertex nearest, 100 m long and 100 m wide, pointing away from the settlement (its
 * edges leave the near vertex at 45° to the line of sight, so no other point is nearer).
 */
function diamond(s: Place, az: number, metres: number): { ring: LonLat[]; areaM2: number } {
  const near = walk(s, az, metres);
  const mid = walk(s, az, metres + 50);
  const far = walk(s, az, metres + 100);
  const right = walk(mid, mid.az + 90, 50);
  const left = walk(mid, mid.az - 90, 50);
  const ring: LonLat[] = [near, right, far, left, near].map((p) => [p.lon, p.lat]);
  return { ring, areaM2: polygonAreaM2(ring) };
}

// ---- the stated rules, written again from docs/planning.md ----

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const dayNumber = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
/** Whether `date` lies in the `years` up to `asAt` (no fact of this scenario lies near an edge). */
const withinYears = (date: string, asAt: string, years: number) =>
  date <= asAt && dayNumber(asAt) - dayNumber(date) < years * 365;

interface HazardFact {
  key: string;
  settlement: string;
  distanceM: number;
  blocked: string[];
  /** Released whole on this date (closed from then on). */
  releasedOn?: string;
  areaM2: number;
  /** National priority levels from a date. */
  national?: Array<{ level: number; from: string }>;
}
interface SettlementFact {
  key: string;
  lon: number;
  population: number;
  displaced: number;
}
interface AccidentFact {
  key: string;
  /** Distance from each settlement and hazard it is near, by key (m). */
  distances: Record<string, number>;
  occurredOn: string;
  linkedTo?: string;
}
interface RiskEducationFact {
  settlement: string;
  heldOn: string;
}

const SETTLEMENTS: SettlementFact[] = [
  { key: 'S1', lon: 36.0, population: 1200, displaced: 150 },
  { key: 'S2', lon: 36.5, population: 3000, displaced: 400 },
  { key: 'S3', lon: 37.0, population: 500, displaced: 80 },
  { key: 'S4', lon: 37.5, population: 2000, displaced: 300 },
  { key: 'S5', lon: 38.0, population: 800, displaced: 50 },
  { key: 'S6', lon: 38.5, population: 100, displaced: 10 },
  { key: 'S7', lon: 39.0, population: 400, displaced: 40 },
];
const LAT = 35.0;

/** Hazards: where they are from their settlement, what they block. Areas are filled in below. */
const HAZARDS: Array<Omit<HazardFact, 'areaM2'> & { az: number }> = [
  // 500 m north of S1, blocking fields: not ready, but conditional with risk education.
  { key: 'Ha', settlement: 'S1', az: 0, distanceM: 500, blocked: ['agriculture'] },
  // S2's access road, 3 km east, cleared on 2026-05-01.
  { key: 'Hb', settlement: 'S2', az: 90, distanceM: 3000, blocked: ['roads'], releasedOn: '2026-05-01' },
  // S3's access road, 3 km south, never released.
  { key: 'Hc', settlement: 'S3', az: 180, distanceM: 3000, blocked: ['roads'] },
  // 8 km west of S4, blocking a road and houses: too far to matter to S4, and no one within 5 km;
  // national priority 2 from 2026-01-01, 3 from 2026-09-01.
  {
    key: 'Hd',
    settlement: 'S4',
    az: 270,
    distanceM: 8000,
    blocked: ['roads', 'housing'],
    national: [
      { level: 2, from: '2026-01-01' },
      { level: 3, from: '2026-09-01' },
    ],
  },
  // 3 km north-east of S5, blocking houses; an accident linked to it.
  { key: 'He', settlement: 'S5', az: 45, distanceM: 3000, blocked: ['housing'] },
  // Just inside and just outside the 1 km band.
  { key: 'Hf', settlement: 'S6', az: 0, distanceM: 990, blocked: ['agriculture'] },
  { key: 'Hg', settlement: 'S7', az: 0, distanceM: 1010, blocked: ['water'] },
];

/** Accidents near S5: one 2 km away in 2024, one 6 km away linked to He in 2026. */
const ACCIDENTS: Array<AccidentFact & { from: string; az: number; metres: number }> = [
  { key: 'A1', from: 'S5', az: 200, metres: 2000, occurredOn: '2024-09-01', distances: { S5: 2000 } },
  { key: 'A2', from: 'S5', az: 45, metres: 6000, occurredOn: '2026-02-10', distances: {}, linkedTo: 'He' },
];
const RISK_EDUCATION: RiskEducationFact[] = [{ settlement: 'S1', heldOn: '2026-03-01' }];

const READINESS_V2 = {
  ...DEFAULT_READINESS_RULES,
  levels: [
    {
      level: 'ready',
      when: { noOpenHazardWithinM: 1000, accessRoadReleased: true, noAccidentWithinYears: 1 },
    },
    {
      level: 'conditional',
      when: {
        noBlockedLandUseWithin: { landUses: ['housing', 'water'], distanceM: 1000 },
        noAccidentWithinYears: 3,
      },
    },
    { level: 'not_ready', when: {} },
  ],
} as typeof DEFAULT_READINESS_RULES;

type Rules = typeof DEFAULT_READINESS_RULES;
type Weights = typeof DEFAULT_PRIORITY_WEIGHTS;

const isOpen = (h: { releasedOn?: string }, asAt: string) => !h.releasedOn || h.releasedOn > asAt;

/** The level the stated rules give a settlement as at a date. */
function expectedLevel(settlement: string, rules: Rules, asAt: string): string {
  const hazards = HAZARDS.filter((h) => h.settlement === settlement && isOpen(h, asAt));
  const accidents = ACCIDENTS.filter(
    (a) =>
      a.occurredOn <= asAt &&
      (a.distances[settlement] ?? Number.POSITIVE_INFINITY) <= rules.accidentDistanceM,
  );
  const sessions = RISK_EDUCATION.filter((r) => r.settlement === settlement && r.heldOn <= asAt);
  for (const { level, when } of rules.levels) {
    const holds = [
      when.noOpenHazardWithinM === undefined ||
        !hazards.some((h) => h.distanceM <= when.noOpenHazardWithinM!),
      when.noBlockedLandUseWithin === undefined ||
        !hazards.some(
          (h) =>
            h.distanceM <= when.noBlockedLandUseWithin!.distanceM &&
            h.blocked.some((u) => (when.noBlockedLandUseWithin!.landUses as string[]).includes(u)),
        ),
      when.accessRoadReleased === undefined ||
        !hazards.some((h) => h.distanceM <= rules.accessRoadDistanceM && h.blocked.includes('roads')),
      when.noAccidentWithinYears === undefined ||
        !accidents.some((a) => withinYears(a.occurredOn, asAt, when.noAccidentWithinYears!)),
      when.riskEducationWithinYears === undefined ||
        sessions.some((r) => withinYears(r.heldOn, asAt, when.riskEducationWithinYears!)),
    ];
    if (holds.every(Boolean)) return level;
  }
  throw new Error('the rules have no fallback level');
}

/** The factor values of an open hazard as at a date, from the scenario's facts. */
function factorValues(h: HazardFact, w: Weights, asAt: string): Record<string, number | null> {
  const s = SETTLEMENTS.find((x) => x.key === h.settlement)!;
  const near = h.distanceM <= w.settlementDistanceM;
  const accidents = ACCIDENTS.filter(
    (a) =>
      a.occurredOn <= asAt &&
      withinYears(a.occurredOn, asAt, w.accidentYears) &&
      (a.linkedTo === h.key || (a.distances[h.key] ?? Number.POSITIVE_INFINITY) <= w.accidentDistanceM),
  );
  const last = accidents
    .map((a) => a.occurredOn)
    .sort()
    .pop();
  const national = (h.national ?? []).filter((n) => n.from <= asAt).pop()?.level ?? 0;
  return {
    nationalPriority: national,
    population: near ? s.population : 0,
    displacedHouseholds: near ? s.displaced : 0,
    blockedLandUse: h.blocked.length,
    accidents: accidents.length,
    accidentRecency: last ? dayNumber(asAt) - dayNumber(last) : null,
    settlementProximity: near ? h.distanceM : null,
    roadBlocked: h.blocked.includes('roads') ? 1 : 0,
    remainingArea: h.areaM2,
    // No activity has been measured: the effort is unknown.
    effort: null,
  };
}

/** The score the stated weights give: Σ weight × share, shares and contributions to 4 decimals. */
function expectedScore(values: Record<string, number | null>, w: Weights): number {
  const f = w.factors;
  const share = (factor: string, v: number | null): number => {
    if (v === null) return 0;
    switch (factor) {
      case 'nationalPriority':
        return v / 3;
      case 'roadBlocked':
        return v > 0 ? 1 : 0;
      case 'accidentRecency':
        return Math.max(0, 1 - v / (w.accidentYears * 365));
      case 'settlementProximity':
        return Math.max(0, 1 - v / w.settlementDistanceM);
      case 'effort':
        return Math.max(0, 1 - v / f.effort.cap);
      default:
        return Math.min(1, v / (f[factor as keyof typeof f] as { cap: number }).cap);
    }
  };
  let score = 0;
  for (const [factor, v] of Object.entries(values)) {
    const weight = f[factor as keyof typeof f].weight;
    score += round4(weight * round4(share(factor, v)));
  }
  return round4(score);
}

/** The ranking the stated weights give the hazards open on a date: keys, best first. */
function expectedRanking(w: Weights, asAt: string, codes: Map<string, string>): string[] {
  return HAZARD_FACTS.filter((h) => isOpen(h, asAt))
    .map((h) => ({ key: h.key, code: codes.get(h.key)!, score: expectedScore(factorValues(h, w, asAt), w) }))
    .sort((a, b) => b.score - a.score || (a.code < b.code ? -1 : 1))
    .map((x) => x.key);
}

let HAZARD_FACTS: HazardFact[] = [];

// ---- the scenario written through the API ----

let admin: Record<string, string>;
let viewer: Record<string, string>;
const ids = new Map<string, string>();
const keyOf = new Map<string, string>();
const codes = new Map<string, string>();

async function post(path: string, body: unknown) {
  const r = await call('POST', path, admin, body);
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

async function get(path: string) {
  const r = await call('GET', path, viewer);
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

beforeAll(async () => {
  admin = await login('admin');
  viewer = await login('viewer');
  const org = (await post('/api/v1/organisations', { name: unique('Scenario org '), kind: 'ngo' })).id;
  const places = new Map<string, Place>();
  for (const s of SETTLEMENTS) {
    places.set(s.key, { lon: s.lon, lat: LAT });
    const made = await post('/api/v1/settlements', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [s.lon, LAT] },
      properties: { name: `Scenario ${s.key}`, population: s.population, displacedHouseholds: s.displaced },
    });
    ids.set(s.key, made.id);
    keyOf.set(made.id, s.key);
  }
  const rings = new Map<string, LonLat[]>();
  HAZARD_FACTS = [];
  for (const h of HAZARDS) {
    const { ring, areaM2 } = diamond(places.get(h.settlement)!, h.az, h.distanceM);
    rings.set(h.key, ring);
    HAZARD_FACTS.push({ ...h, areaM2 });
    const made = await post('/api/v1/hazards', {
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [ring] },
      properties: { type: 'SHA', dateOfInformation: '2024-01-01', blockedLandUse: h.blocked },
    });
    ids.set(h.key, made.id);
    keyOf.set(made.id, h.key);
    codes.set(h.key, made.properties.code);
    for (const n of h.national ?? []) {
      const r = await call('POST', `/api/v1/priorities/${made.id}/national`, admin, {
        level: n.level,
        effectiveFrom: n.from,
        reason: 'Scenario',
      });
      expect(r.statusCode, r.body).toBe(201);
    }
  }
  for (const a of ACCIDENTS) {
    const p = walk(places.get(a.from)!, a.az, a.metres);
    await post('/api/v1/accidents', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
      properties: { occurredOn: a.occurredOn, hazardId: a.linkedTo ? ids.get(a.linkedTo) : null },
    });
  }
  for (const r of RISK_EDUCATION) {
    const s = places.get(r.settlement)!;
    await post('/api/v1/risk-education', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [s.lon, s.lat] },
      properties: {
        organisationId: org,
        heldOn: r.heldOn,
        deliveryMethod: 'face_to_face',
        settlementId: ids.get(r.settlement),
        beneficiaries: { female: { '18+': 20 }, male: { '18+': 15 } },
      },
    });
  }
  for (const h of HAZARDS.filter((x) => x.releasedOn)) {
    await post('/api/v1/land-release', {
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [rings.get(h.key)!] },
      properties: { outcome: 'cleared', hazardId: ids.get(h.key), releasedOn: h.releasedOn },
    });
  }
});

const DATES = ['2025-06-30', '2026-04-30', '2026-06-30', '2026-10-31'];

describe(`planning scenario on ${testDatabaseKind()}`, () => {
  it('measures each hazard at its stated distance from its settlement', async () => {
    const body = await get('/api/v1/readiness?asAt=2026-04-30');
    for (const h of HAZARD_FACTS.filter((x) => x.distanceM <= 5000)) {
      const item = body.items.find(
        (i: { settlement: { id: string } }) => i.settlement.id === ids.get(h.settlement),
      );
      const found = item.hazards.find((x: { id: string }) => x.id === ids.get(h.key));
      expect(found, h.key).toBeDefined();
      expect(Math.abs(found.distanceM - h.distanceM), h.key).toBeLessThan(1);
      expect(found.band).toBe(h.distanceM <= 1000 ? 0 : 1);
      expect(Math.abs(found.remainingAreaM2 - h.areaM2) / h.areaM2).toBeLessThan(0.005);
    }
    // The hazard 8 km from S4 is beyond the outer band: not listed.
    const s4 = body.items.find((i: { settlement: { id: string } }) => i.settlement.id === ids.get('S4'));
    expect(s4.hazards).toEqual([]);
  });

  it('gives each settlement the readiness level the stated rules imply, as at each date', async () => {
    for (const asAt of DATES) {
      const body = await get(`/api/v1/readiness?asAt=${asAt}`);
      expect(body.rules.version).toBe(1);
      const got = Object.fromEntries(
        body.items.map((i: { settlement: { id: string }; level: string }) => [
          keyOf.get(i.settlement.id),
          i.level,
        ]),
      );
      const want = Object.fromEntries(
        SETTLEMENTS.map((s) => [s.key, expectedLevel(s.key, DEFAULT_READINESS_RULES, asAt)]),
      );
      expect(got, asAt).toEqual(want);
    }
    // What the stated rules imply, spelt out for the dates either side of the road's release.
    const at = async (asAt: string) =>
      Object.fromEntries(
        (await get(`/api/v1/readiness?asAt=${asAt}`)).items.map(
          (i: { settlement: { id: string }; level: string }) => [keyOf.get(i.settlement.id), i.level],
        ),
      );
    expect(await at('2026-04-30')).toEqual({
      S1: 'conditional', // a field hazard 500 m away, risk education in March 2026
      S2: 'not_ready', // its road, 3 km away, not yet cleared; no risk education
      S3: 'not_ready', // its road blocked
      S4: 'ready', // the hazard is 8 km away
      S5: 'ready', // houses blocked 3 km away: outside 1 km; no road blocked
      S6: 'not_ready', // a hazard 990 m away; no risk education
      S7: 'ready', // the nearest hazard 1010 m away
    });
    expect((await at('2026-06-30')).S2).toBe('ready');
    expect((await at('2025-06-30')).S1).toBe('not_ready');
  });

  it('applies a new version of the rules (accidents within a year) and keeps the old one for its date', async () => {
    const made = await call(
      'PUT',
      '/api/v1/readiness/rules',
      { ...admin, 'if-match': '"1"' },
      { rules: READINESS_V2 },
    );
    expect(made.statusCode, made.body).toBe(200);
    const v2 = made.json().version as number;
    for (const asAt of DATES) {
      const body = await get(`/api/v1/readiness?asAt=${asAt}&version=${v2}`);
      expect(body.rules.version).toBe(v2);
      const got = Object.fromEntries(
        body.items.map((i: { settlement: { id: string }; level: string }) => [
          keyOf.get(i.settlement.id),
          i.level,
        ]),
      );
      const want = Object.fromEntries(
        SETTLEMENTS.map((s) => [s.key, expectedLevel(s.key, READINESS_V2, asAt)]),
      );
      expect(got, asAt).toEqual(want);
    }
    // The accident 2 km from S5 in September 2024 keeps it from ready until September 2025.
    const s5 = async (asAt: string) =>
      (await get(`/api/v1/readiness/${ids.get('S5')}?asAt=${asAt}&version=${v2}`)).item;
    const early = await s5('2025-06-30');
    expect(early.level).toBe('not_ready');
    expect(
      early.checks[0].conditions.find((c: { condition: string }) => c.condition === 'noAccidentWithinYears'),
    ).toMatchObject({
      met: false,
    });
    expect((await s5('2026-06-30')).level).toBe('ready');
    // Now the new version is in force; as at a date before it was made, version 1 still is.
    expect((await get('/api/v1/readiness')).rules.version).toBe(v2);
    expect((await get('/api/v1/readiness?asAt=2025-06-30')).rules.version).toBe(1);
  });

  it('ranks the open hazards as the stated factor values and weights imply', async () => {
    for (const asAt of DATES) {
      const body = await get(`/api/v1/priorities?asAt=${asAt}`);
      expect(body.weights.version).toBe(1);
      const got = body.items.map((i: { hazard: { id: string } }) => keyOf.get(i.hazard.id));
      expect(got, asAt).toEqual(expectedRanking(DEFAULT_PRIORITY_WEIGHTS, asAt, codes));
      for (const item of body.items) {
        const h = HAZARD_FACTS.find((x) => x.key === keyOf.get(item.hazard.id))!;
        const want = factorValues(h, DEFAULT_PRIORITY_WEIGHTS, asAt);
        const values = Object.fromEntries(
          item.factors.map((f: { factor: string; value: number | null }) => [f.factor, f.value]),
        );
        for (const [factor, v] of Object.entries(want)) {
          if (v === null || factor === 'remainingArea' || factor === 'settlementProximity')
            expect(values[factor] === null, `${h.key} ${factor}`).toBe(v === null);
          else expect(values[factor], `${h.key} ${factor} ${asAt}`).toBe(v);
        }
        if (want.settlementProximity !== null)
          expect(Math.abs(values.settlementProximity - want.settlementProximity)).toBeLessThan(1);
        expect(Math.abs(values.remainingArea - h.areaM2) / h.areaM2).toBeLessThan(0.005);
        expect(item.score, `${h.key} ${asAt}`).toBeCloseTo(expectedScore(want, DEFAULT_PRIORITY_WEIGHTS), 3);
      }
    }
    // Spelt out as at 2026-06-30: the hazard with a recent linked accident first, then the
    // national priority; the road to S2 is cleared and no longer ranked.
    const mid = await get('/api/v1/priorities?asAt=2026-06-30');
    expect(mid.items.map((i: { hazard: { id: string } }) => keyOf.get(i.hazard.id))).toEqual([
      'He',
      'Hd',
      'Ha',
      'Hc',
      'Hg',
      'Hf',
    ]);
    // From September the national priority 3 puts Hd first.
    const late = await get('/api/v1/priorities?asAt=2026-10-31');
    expect(keyOf.get(late.items[0].hazard.id)).toBe('Hd');
  });

  it('changes the ranking as changed weights say; the old version reproduces the old ranking', async () => {
    const before = await get('/api/v1/priorities?asAt=2026-06-30');
    const weights: Weights = {
      ...DEFAULT_PRIORITY_WEIGHTS,
      factors: {
        ...DEFAULT_PRIORITY_WEIGHTS.factors,
        population: { weight: 6, cap: 5000 },
        nationalPriority: { weight: 0 },
        accidents: { weight: 0, cap: 3 },
        accidentRecency: { weight: 0 },
        roadBlocked: { weight: 0 },
      },
    };
    const made = await call(
      'PUT',
      '/api/v1/priorities/weights',
      { ...admin, 'if-match': '"1"' },
      { weights },
    );
    expect(made.statusCode, made.body).toBe(200);
    const v2 = made.json().version as number;
    const order = (b: { items: Array<{ hazard: { id: string } }> }) =>
      b.items.map((i) => keyOf.get(i.hazard.id));

    const after = await get(`/api/v1/priorities?asAt=2026-06-30&version=${v2}`);
    expect(after.weights.version).toBe(v2);
    expect(order(after)).toEqual(expectedRanking(weights, '2026-06-30', codes));
    expect(order(after)).toEqual(['Ha', 'He', 'Hg', 'Hc', 'Hf', 'Hd']);
    expect(order(after)).not.toEqual(order(before));
    for (const item of after.items) {
      const h = HAZARD_FACTS.find((x) => x.key === keyOf.get(item.hazard.id))!;
      expect(item.score).toBeCloseTo(expectedScore(factorValues(h, weights, '2026-06-30'), weights), 3);
      const pop = item.factors.find((f: { factor: string }) => f.factor === 'population');
      expect(pop.weight).toBe(6);
    }
    // The latest version applies now; as at a date before it was made version 1 still does, and
    // so does asking for version 1: both give the ranking and scores given before the change.
    expect((await get('/api/v1/priorities')).weights.version).toBe(v2);
    for (const q of ['asAt=2026-06-30', 'asAt=2026-06-30&version=1']) {
      const old = await get(`/api/v1/priorities?${q}`);
      expect(old.weights.version, q).toBe(1);
      expect(
        old.items.map((i: { hazard: { id: string }; score: number; rank: number }) => [
          i.hazard.id,
          i.score,
          i.rank,
        ]),
      ).toEqual(
        before.items.map((i: { hazard: { id: string }; score: number; rank: number }) => [
          i.hazard.id,
          i.score,
          i.rank,
        ]),
      );
    }
    // One hazard's place and reasons under each version.
    const why = await get(`/api/v1/priorities/${ids.get('Ha')}?asAt=2026-06-30&version=${v2}`);
    expect(why.item.rank).toBe(1);
    expect(why.of).toBe(6);
    const whyOld = await get(`/api/v1/priorities/${ids.get('Ha')}?asAt=2026-06-30&version=1`);
    expect(whyOld.item.rank).toBe(3);
  });
});
