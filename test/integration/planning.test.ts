import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PRIORITY_WEIGHTS,
  DEFAULT_READINESS_RULES,
  PRIORITY_FACTORS,
} from '../../src/domain/planning.ts';
import { login, testDatabaseKind, unique } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';
import { call } from './helpers/http.ts';

/**
 * A planted scenario: settlements with hazards at known distances (1° of latitude ≈ 111 km, so a
 * hazard's southern edge 500 m north of a settlement lies 0.0045° north of it), a road released or
 * not, accidents and risk education; the readiness levels and the ranking must be those the stated
 * rules and weights give.
 */

let admin: Record<string, string>;
let viewer: Record<string, string>;
let orgId: string;

const M_PER_DEG_LAT = 111_035;
/** The latitude `metres` north of `lat`. */
const north = (lat: number, metres: number) => lat + metres / M_PER_DEG_LAT;

async function post(path: string, body: unknown) {
  const r = await call('POST', path, admin, body);
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

async function settlement(lon: number, lat: number, props: Record<string, unknown> = {}) {
  return post('/api/v1/settlements', {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: { name: unique('Village '), ...props },
  });
}

/** A hazard of 0.001° (about 85 × 111 m) whose south-west corner is `metres` north of lon, lat. */
async function hazard(
  lon: number,
  lat: number,
  metres: number,
  props: Record<string, unknown> = {},
  d = 0.001,
) {
  return post('/api/v1/hazards', {
    type: 'Feature',
    geometry: square(lon, north(lat, metres), d),
    properties: { type: 'SHA', dateOfInformation: '2024-01-01', ...props },
  });
}

async function readiness(settlementId: string, q = '') {
  const r = await call('GET', `/api/v1/readiness/${settlementId}${q}`, viewer);
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

async function ranking(q = '') {
  const r = await call('GET', `/api/v1/priorities${q}`, viewer);
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

const weightsOnly = (factor: (typeof PRIORITY_FACTORS)[number]) => ({
  ...DEFAULT_PRIORITY_WEIGHTS,
  factors: Object.fromEntries(
    Object.entries(DEFAULT_PRIORITY_WEIGHTS.factors).map(([f, w]) => [
      f,
      { ...w, weight: f === factor ? 1 : 0 },
    ]),
  ),
});

async function putWeights(weights: unknown, version: number) {
  return call('PUT', '/api/v1/priorities/weights', { ...admin, 'if-match': `"${version}"` }, { weights });
}

beforeAll(async () => {
  admin = await login('admin');
  viewer = await login('viewer');
  orgId = (await post('/api/v1/organisations', { name: unique('Planning org '), kind: 'ngo' })).id;
});

describe(`readiness of settlements on ${testDatabaseKind()}`, () => {
  const LAT = 40.0;
  let a: { id: string };
  let b: { id: string };
  let c: { id: string };
  let d: { id: string };
  let roadHazard: { id: string; properties: { code: string } };
  let fieldHazard: { properties: { code: string } };

  beforeAll(async () => {
    // A: an open hazard blocking fields 500 m away, risk education given last year: conditional.
    a = await settlement(47.0, LAT, { population: 800, displacedHouseholds: 120 });
    fieldHazard = await hazard(47.0, LAT, 500, { blockedLandUse: ['agriculture'] });
    await post('/api/v1/risk-education', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [47.0, LAT] },
      properties: {
        organisationId: orgId,
        heldOn: new Date(Date.now() - 200 * 86_400_000).toISOString().slice(0, 10),
        deliveryMethod: 'face_to_face',
        settlementId: a.id,
        beneficiaries: { female: { '18+': 12 }, male: { '18+': 9 } },
      },
    });
    // B: the access road, 3 km away, is blocked by an open hazard until it is cleared on 2025-06-01.
    b = await settlement(47.5, LAT, { population: 300 });
    roadHazard = await hazard(47.5, LAT, 3000, { blockedLandUse: ['roads'] });
    // C: a hazard blocking houses 2 km away (outside the 1 km band) and no road blocked: ready.
    c = await settlement(48.0, LAT);
    await hazard(48.0, LAT, 2000, { blockedLandUse: ['housing'] });
    // D: a hazard blocking houses 300 m away: not ready, with an accident 200 m away.
    d = await settlement(48.5, LAT);
    const near = await hazard(48.5, LAT, 300, { blockedLandUse: ['housing'] });
    const accident = await post('/api/v1/accidents', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [48.5, north(LAT, 200)] },
      properties: { occurredOn: '2024-03-01', hazardId: near.id },
    });
    await post('/api/v1/casualties', {
      accidentId: accident.id,
      sex: 'female',
      casualtyStatus: 'civilian',
      outcome: 'injured',
    });
  });

  it('names the rule version and states the rule of each level', async () => {
    const r = await call('GET', '/api/v1/readiness', viewer);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.rules.version).toBe(1);
    const byId = new Map(body.items.map((i: { settlement: { id: string } }) => [i.settlement.id, i]));
    expect([a, b, c, d].map((s) => (byId.get(s.id) as { level: string }).level)).toEqual([
      'conditional',
      'not_ready',
      'ready',
      'not_ready',
    ]);
    const ready = byId.get(c.id) as { rule: { statement: string; index: number } };
    expect(ready.rule.index).toBe(0);
    expect(ready.rule.statement).toBe(
      'ready: no open hazard within 1,000 m and the access road released (no open hazard blocking roads within 5,000 m)',
    );
  });

  it('puts hazards in their distance bands with their remaining area, and says what breaks a level', async () => {
    const one = (await readiness(a.id)).item;
    expect(one.bands.map((x: { fromM: number; toM: number }) => [x.fromM, x.toM])).toEqual([
      [0, 1000],
      [1000, 5000],
    ]);
    expect(one.bands[0].hazards).toEqual([fieldHazard.properties.code]);
    expect(one.hazards[0].distanceM).toBeGreaterThan(480);
    expect(one.hazards[0].distanceM).toBeLessThan(520);
    expect(one.hazards[0].remainingAreaM2).toBeGreaterThan(9000);
    expect(one.blockedLandUse).toEqual(['agriculture']);
    expect(one.riskEducation).toMatchObject({ sessions: 1, beneficiaries: 21 });
    expect(one.checks[0]).toMatchObject({ level: 'ready', met: false });
    expect(one.checks[0].conditions[0]).toMatchObject({
      condition: 'noOpenHazardWithinM',
      met: false,
      because: [fieldHazard.properties.code],
    });

    const roadBlocked = (await readiness(b.id)).item;
    expect(roadBlocked.bands[1].hazards).toEqual([roadHazard.properties.code]);
    expect(roadBlocked.checks[0].conditions[1]).toMatchObject({
      condition: 'accessRoadReleased',
      met: false,
      because: [roadHazard.properties.code],
    });
    // Not conditional either: no risk education has been delivered there.
    expect(roadBlocked.checks[1].conditions[1]).toMatchObject({
      condition: 'riskEducationWithinYears',
      met: false,
    });

    const withAccident = (await readiness(d.id)).item;
    expect(withAccident.accidents).toMatchObject({ count: 1, casualties: 1, lastOn: '2024-03-01' });
    expect(withAccident.blockedLandUse).toEqual(['housing']);
  });

  it('becomes ready when the road is cleared, and is still not ready as at a date before', async () => {
    await post('/api/v1/land-release', {
      type: 'Feature',
      geometry: square(47.5, north(LAT, 3000)),
      properties: { outcome: 'cleared', hazardId: roadHazard.id, releasedOn: '2025-06-01' },
    });
    expect((await readiness(b.id)).item.level).toBe('ready');
    const before = await readiness(b.id, '?asAt=2025-05-01');
    expect(before.asAt).toBe('2025-05-01');
    expect(before.item.level).toBe('not_ready');
    expect(before.item.hazards.map((h: { code: string }) => h.code)).toEqual([roadHazard.properties.code]);
    // Before the hazard was recorded there was nothing to stop a return.
    expect((await readiness(b.id, '?asAt=2023-06-01')).item.level).toBe('ready');
  });

  it('uses a new version of the rules once an administrator makes one, and the old one when asked', async () => {
    const rules = {
      ...DEFAULT_READINESS_RULES,
      levels: [
        { level: 'ready', when: { noOpenHazardWithinM: 250 } },
        { level: 'not_ready', when: {} },
      ],
    };
    expect((await call('PUT', '/api/v1/readiness/rules', admin, { rules })).statusCode).toBe(428);
    const refused = await call('PUT', '/api/v1/readiness/rules', { ...viewer, 'if-match': '"1"' }, { rules });
    expect(refused.statusCode).toBe(403);
    const bad = await call(
      'PUT',
      '/api/v1/readiness/rules',
      { ...admin, 'if-match': '"1"' },
      { rules: { ...rules, levels: [{ level: 'ready', when: { noOpenHazardWithinM: 250 } }] } },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('planning.rules.fallback_level');
    const made = await call(
      'PUT',
      '/api/v1/readiness/rules',
      { ...admin, 'if-match': '"1"' },
      { rules, note: 'r' },
    );
    expect(made.statusCode, made.body).toBe(200);
    expect(made.json().version).toBe(2);
    const stale = await call('PUT', '/api/v1/readiness/rules', { ...admin, 'if-match': '"1"' }, { rules });
    expect(stale.statusCode).toBe(412);

    const now = await readiness(a.id);
    expect(now.rules.version).toBe(2);
    expect(now.item.level).toBe('ready');
    const old = await readiness(a.id, '?version=1');
    expect(old.rules.version).toBe(1);
    expect(old.item.level).toBe('conditional');
    const versions = (await call('GET', '/api/v1/readiness/rules/versions', viewer)).json();
    expect(versions.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(versions.items[1].settings).toEqual(DEFAULT_READINESS_RULES);
  });
});

describe(`priorities of hazards on ${testDatabaseKind()}`, () => {
  const LAT = 41.0;
  let p1: { id: string };
  let p2: { id: string };
  let p3: { id: string };
  let version = 1;
  const order = (items: Array<{ hazard: { id: string } }>) =>
    items.map((i) => i.hazard.id).filter((id) => [p1.id, p2.id, p3.id].includes(id));

  beforeAll(async () => {
    // P1 200 m from a settlement of 1000 people (100 households displaced), blocking houses and fields.
    await settlement(50.0, LAT, { population: 1000, displacedHouseholds: 100 });
    p1 = await hazard(50.0, LAT, 200, { blockedLandUse: ['housing', 'agriculture'] });
    // P2 2 km from 4000 people (400 households displaced), blocking a road, an accident 300 m away,
    // and national priority 3.
    await settlement(50.3, LAT, { population: 4000, displacedHouseholds: 400 });
    p2 = await hazard(50.3, LAT, 2000, { blockedLandUse: ['roads'] });
    await post('/api/v1/accidents', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [50.3, north(LAT, 1700)] },
      properties: { occurredOn: '2025-06-01' },
    });
    const np = await call('POST', `/api/v1/priorities/${p2.id}/national`, admin, {
      level: 3,
      effectiveFrom: '2025-01-01',
      reason: 'Return of the displaced to the valley',
    });
    expect(np.statusCode, np.body).toBe(201);
    // P3 far from anyone, 25 times larger, blocking nothing.
    p3 = await hazard(50.6, LAT, 0, {}, 0.005);
  });

  it('shows every factor with its value, weight and contribution, the score their sum', async () => {
    const body = await ranking();
    expect(body.weights.version).toBe(1);
    const first = (await call('GET', '/api/v1/priorities/weights?version=1', viewer)).json();
    expect(first.settings).toEqual(DEFAULT_PRIORITY_WEIGHTS);
    const item = body.items.find((i: { hazard: { id: string } }) => i.hazard.id === p2.id);
    const f = Object.fromEntries(item.factors.map((x: { factor: string }) => [x.factor, x])) as Record<
      string,
      { value: number | null; share: number; weight: number; contribution: number }
    >;
    expect(Object.keys(f)).toEqual([...PRIORITY_FACTORS]);
    expect(f.nationalPriority).toMatchObject({ value: 3, share: 1, weight: 3, contribution: 3 });
    expect(f.population).toMatchObject({ value: 4000, share: 0.8, weight: 2, contribution: 1.6 });
    expect(f.displacedHouseholds).toMatchObject({ value: 400, share: 0.8, weight: 3 });
    expect(f.blockedLandUse).toMatchObject({ value: 1, weight: 2 });
    expect(f.accidents).toMatchObject({ value: 1, weight: 3 });
    expect(f.roadBlocked).toMatchObject({ value: 1, share: 1 });
    expect(f.settlementProximity!.value).toBeGreaterThan(1950);
    expect(f.settlementProximity!.value).toBeLessThan(2050);
    expect(f.settlementProximity!.share).toBeCloseTo(1 - f.settlementProximity!.value! / 5000, 3);
    const sum = item.factors.reduce((s: number, x: { contribution: number }) => s + x.contribution, 0);
    expect(item.score).toBeCloseTo(sum, 3);
    for (const x of item.factors) expect(x.contribution).toBeCloseTo(x.weight * x.share, 4);

    const far = body.items.find((i: { hazard: { id: string } }) => i.hazard.id === p3.id);
    const farF = Object.fromEntries(far.factors.map((x: { factor: string }) => [x.factor, x]));
    expect(farF.population.value).toBe(0);
    expect(farF.settlementProximity).toMatchObject({ value: null, share: 0, contribution: 0 });
    // Scores are in descending order and ranks follow them.
    const scores = body.items.map((i: { score: number }) => i.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    expect(body.items.map((i: { rank: number }) => i.rank)).toEqual(
      body.items.map((_: unknown, i: number) => i + 1),
    );
    expect(order(body.items)).toEqual([p2.id, p1.id, p3.id]);
  });

  it('reorders the hazards as changed weights say, and reproduces an earlier ranking by its version', async () => {
    const byArea = await putWeights(weightsOnly('remainingArea'), version);
    expect(byArea.statusCode, byArea.body).toBe(200);
    version = byArea.json().version;
    const areaRanking = await ranking();
    expect(areaRanking.weights.version).toBe(version);
    // P3 is the largest; P1 and P2 are the same size, so their tie is broken by code.
    expect(order(areaRanking.items)).toEqual([p3.id, p1.id, p2.id]);

    version = (await putWeights(weightsOnly('displacedHouseholds'), version)).json().version;
    const displaced = await ranking();
    expect(order(displaced.items)).toEqual([p2.id, p1.id, p3.id]);
    const scoreOf = (id: string) =>
      displaced.items.find((i: { hazard: { id: string } }) => i.hazard.id === id).score;
    expect(scoreOf(p2.id)).toBeCloseTo(0.8, 4);
    expect(scoreOf(p1.id)).toBeCloseTo(0.2, 4);
    expect(scoreOf(p3.id)).toBe(0);

    version = (await putWeights(weightsOnly('blockedLandUse'), version)).json().version;
    expect(order((await ranking()).items)).toEqual([p1.id, p2.id, p3.id]);

    const first = await ranking('?version=1');
    expect(first.weights.version).toBe(1);
    expect(order(first.items)).toEqual([p2.id, p1.id, p3.id]);
    expect((await putWeights(weightsOnly('population'), 1)).statusCode).toBe(412);
  });

  it('answers why one hazard is ranked where it is, and drops the national priority before it was set', async () => {
    const why = await call('GET', `/api/v1/priorities/${p2.id}?version=1`, viewer);
    expect(why.statusCode, why.body).toBe(200);
    expect(why.json().item.rank).toBeGreaterThanOrEqual(1);
    expect(why.json().of).toBeGreaterThanOrEqual(3);
    const before = await call('GET', `/api/v1/priorities/${p2.id}?version=1&asAt=2024-12-31`, viewer);
    const np = before.json().item.factors.find((x: { factor: string }) => x.factor === 'nationalPriority');
    expect(np).toMatchObject({ value: 0, contribution: 0 });
    // An accident after the date does not count.
    const acc = before.json().item.factors.find((x: { factor: string }) => x.factor === 'accidents');
    expect(acc.value).toBe(0);
    expect((await call('GET', `/api/v1/priorities/${p2.id}?asAt=2023-01-01`, viewer)).statusCode).toBe(404);
  });
});

describe(`estimated effort on ${testDatabaseKind()}`, () => {
  const LAT = 42.0;
  it('measures m² per team-day by method from completed activities and gives the days to release', async () => {
    // Three cleared hazards of the same size, cleared manually in 10, 20 and 40 days.
    const spans: Array<[string, string]> = [
      ['2025-01-01', '2025-01-10'],
      ['2025-02-01', '2025-02-20'],
      ['2025-03-01', '2025-04-09'],
    ];
    let area = 0;
    for (const [i, [start, end]] of spans.entries()) {
      const h = await hazard(52 + i * 0.1, LAT, 0);
      area = h.properties.areaM2;
      const act = await post('/api/v1/activities', {
        type: 'Feature',
        geometry: null,
        properties: {
          kind: 'clearance',
          organisationId: orgId,
          hazardId: h.id,
          method: 'manual',
          status: 'completed',
          startDate: start,
          endDate: end,
        },
      });
      await post('/api/v1/land-release', {
        type: 'Feature',
        geometry: square(52 + i * 0.1, LAT),
        properties: {
          outcome: 'cleared',
          hazardId: h.id,
          activityId: act.id,
          method: 'manual',
          releasedOn: end,
        },
      });
    }
    const effort = (await call('GET', '/api/v1/effort', viewer)).json();
    const manual = effort.methods.find((m: { method: string }) => m.method === 'manual');
    expect(manual.samples).toBe(3);
    expect(manual.medianM2PerTeamDay).toBeCloseTo(area / 20, 1);
    expect(manual.q1M2PerTeamDay).toBeCloseTo((area / 40 + area / 20) / 2, 1);
    expect(manual.q3M2PerTeamDay).toBeCloseTo((area / 20 + area / 10) / 2, 1);
    // As at a date before the last one ended, only two were measured.
    const earlier = (await call('GET', '/api/v1/effort?asAt=2025-03-01', viewer)).json();
    expect(earlier.methods.find((m: { method: string }) => m.method === 'manual').samples).toBe(2);

    // An open hazard of the same size with a manual activity: 20 days at the median.
    const open = await hazard(52.5, LAT, 0);
    await post('/api/v1/activities', {
      type: 'Feature',
      geometry: null,
      properties: {
        kind: 'clearance',
        organisationId: orgId,
        hazardId: open.id,
        method: 'manual',
        startDate: '2025-05-01',
      },
    });
    const why = (await call('GET', `/api/v1/priorities/${open.id}`, viewer)).json();
    expect(why.item.effort.method).toBe('manual');
    expect(why.item.effort.days).toBeCloseTo(20, 0);
    expect(why.item.effort.low).toBeLessThan(why.item.effort.days);
    expect(why.item.effort.high).toBeGreaterThan(why.item.effort.days);
    const effortFactor = why.item.factors.find((x: { factor: string }) => x.factor === 'effort');
    expect(effortFactor.value).toBeCloseTo(20, 0);
  });
});
