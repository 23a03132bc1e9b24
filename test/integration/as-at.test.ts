import { VectorTile } from '@mapbox/vector-tile';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { ogcPlugin } from '../../src/http/ogc/index.ts';
import { tilesPlugin } from '../../src/http/tiles/plugin.ts';
import { login, testDatabase, testDatabaseKind, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';

let admin: Record<string, string>;
let ogc: FastifyInstance;
let org: string;
let area: string;

// Squares of about 130 m near 44.15°E 37.21°N, far from other tests' records.
const W = 44.15;
const S = 37.21;
const D = 0.0015;
const square = (x: number, size = 1) => ({
  type: 'Polygon',
  coordinates: [
    [
      [W + x * D, S],
      [W + (x + size) * D, S],
      [W + (x + size) * D, S + size * D],
      [W + x * D, S + size * D],
      [W + x * D, S],
    ],
  ],
});
const point = (x: number) => ({ type: 'Point', coordinates: [W + (x + 0.5) * D, S + 0.5 * D] });

async function create(register: string, body: Record<string, unknown>) {
  const r = await call('POST', `/api/v1/${register}`, admin, body);
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

const feature = (geometry: unknown, properties: Record<string, unknown>) => ({
  type: 'Feature',
  geometry,
  properties,
});

/** The day the registers are read "as at": after the first records' approval, before today. */
const AS_AT = '2025-01-15';
const today = () => new Date().toISOString().slice(0, 10);

let h1: { id: string };
let h2: { id: string };
let activity: { id: string };
let accident: { id: string };

beforeAll(async () => {
  admin = await login('admin');
  org = (await create('organisations', { name: unique('As-at org '), kind: 'ngo' })).id;
  area = (
    await create(
      'admin-areas',
      feature(square(-1, 12), { pcode: unique('AA'), name: unique('As-at district '), level: 2 }),
    )
  ).id;
  h1 = await create(
    'hazards',
    feature(square(0, 2), {
      type: 'CHA',
      status: 'open',
      name: 'Before the survey',
      organisationId: org,
      dateOfInformation: '2024-01-10',
    }),
  );
  h2 = await create(
    'hazards',
    feature(square(4, 2), { type: 'SHA', organisationId: org, dateOfInformation: '2024-02-01' }),
  );
  activity = await create(
    'activities',
    feature(null, { kind: 'clearance', organisationId: org, hazardId: h1.id, startDate: '2024-03-01' }),
  );
  await create(
    'land-release',
    feature(square(0, 1), {
      outcome: 'cleared',
      hazardId: h1.id,
      activityId: activity.id,
      releasedOn: '2024-03-20',
    }),
  );
  await create(
    'findings',
    feature(point(0), { category: 'AP', quantity: 3, activityId: activity.id, foundOn: '2024-03-15' }),
  );
  accident = await create('accidents', feature(point(8), { occurredOn: '2024-04-02' }));
  await create('casualties', {
    accidentId: accident.id,
    sex: 'female',
    age: 9,
    casualtyStatus: 'civilian',
    outcome: 'injured',
  });
  await create(
    'risk-education',
    feature(point(9), {
      organisationId: org,
      heldOn: '2024-05-05',
      deliveryMethod: 'face_to_face',
      beneficiaries: { female: { '5-12': 10 }, male: { '5-12': 8 } },
    }),
  );
  // These changes were reported and approved in December 2024 (a test cannot wait for days).
  const database = await testDatabase();
  await sql`update record_changes set created_at = '2024-12-01T12:00:00Z',
    date_of_information = least(date_of_information, '2024-12-01')`.execute(database.db);
  ogc = await buildApp({ database, plugins: [(app) => ogcPlugin(app), (app) => tilesPlugin(app)] });
  await ogc.ready();
});

afterAll(async () => {
  await ogc?.close();
});

const ogcGet = (url: string) => ogc.inject({ method: 'GET', url, headers: admin });

const scope = () => `from=2024-01-01&to=2024-12-31&organisation=${org}&adminArea=${area}`;

async function summary(asAt: string) {
  const r = await call('GET', `/api/v1/stats/summary?${scope()}&asAt=${asAt}`, admin);
  expect(r.statusCode, r.body).toBe(200);
  expect(r.headers['as-at']).toBe(asAt);
  return r.json();
}

async function total(register: string, filter: string) {
  const r = await call('GET', `/api/v1/${register}?${filter}&count=true&limit=1`, admin);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().total as number;
}

/** The list counts behind each figure of the summary, with the summary's own filters. */
async function listCounts(asAt: string) {
  const f = `${scope()}&asAt=${asAt}`;
  const place = `organisation=${org}&adminArea=${area}&asAt=${asAt}`;
  return {
    open: await total('hazards', `status=open&${place}`),
    inProgress: await total('hazards', `status=in_progress&${place}`),
    cleared: await total('land-release', `outcome=cleared&${f}`),
    reduced: await total('land-release', `outcome=reduced&${f}`),
    findingsAP: await total('findings', `category=AP&${f}`),
    accidents: await total('accidents', `from=2024-01-01&to=2024-12-31&adminArea=${area}&asAt=${asAt}`),
    casualties: await total('casualties', `from=2024-01-01&to=2024-12-31&adminArea=${area}&asAt=${asAt}`),
    sessions: await total('risk-education', f),
  };
}

function figuresOf(s: Record<string, any>) {
  return {
    open: s.openHazardsByStatus.open,
    inProgress: s.openHazardsByStatus.in_progress,
    cleared: s.releasedCount.cleared,
    reduced: s.releasedCount.reduced,
    findingsAP: s.findingRecordsByCategory.AP ?? 0,
    accidents: s.accidentCount,
    casualties: s.casualtiesThisYear.total,
    sessions: s.riskEducation.sessions,
  };
}

describe(`the registers as at a date on ${testDatabaseKind()}`, () => {
  it('gives the same figures for a past date after a back-dated report, and new ones for today', async () => {
    const before = await summary(AS_AT);
    const listBefore = await call('GET', `/api/v1/land-release?${scope()}&asAt=${AS_AT}&count=true`, admin);
    expect(listBefore.json().asAt).toBe(AS_AT);
    expect(figuresOf(before)).toEqual(await listCounts(AS_AT));
    expect(before).toMatchObject({
      asAt: AS_AT,
      openHazardCount: 2,
      releasedCount: { cleared: 1 },
      findingsByCategory: { AP: 3 },
      accidentCount: 1,
      casualties: { byStatus: { civilian: 1 }, bySex: { female: 1 }, byAgeBand: { '5-12': 1 } },
      riskEducation: { sessions: 1, beneficiaries: 18 },
    });

    // A survey of June 2024 reported now: a hazard renamed and partly released, a new finding,
    // a second casualty and another session, all true on the ground before the as-at date.
    const h1Now = (await call('GET', `/api/v1/hazards/${h1.id}`, admin)).json();
    const patched = await call(
      'PATCH',
      `/api/v1/hazards/${h1.id}`,
      { ...admin, 'if-match': `"${h1Now.properties.version}"` },
      {
        type: 'Feature',
        properties: { name: 'After the survey', status: 'in_progress', dateOfInformation: '2024-06-01' },
      },
    );
    expect(patched.statusCode, patched.body).toBe(200);
    const late = await create(
      'land-release',
      feature(square(4, 1), {
        outcome: 'reduced',
        hazardId: h2.id,
        activityId: activity.id,
        releasedOn: '2024-06-10',
      }),
    );
    await create(
      'findings',
      feature(point(4), { category: 'AP', quantity: 2, activityId: activity.id, foundOn: '2024-06-11' }),
    );
    await create('casualties', {
      accidentId: accident.id,
      sex: 'male',
      casualtyStatus: 'deminer',
      outcome: 'killed',
    });
    await create(
      'risk-education',
      feature(point(9), {
        organisationId: org,
        heldOn: '2024-06-12',
        deliveryMethod: 'face_to_face',
        beneficiaries: { female: { '18+': 5 } },
      }),
    );

    // Regenerated for the same date: the same figures, the same lists.
    const again = await summary(AS_AT);
    expect(again).toEqual(before);
    expect(await listCounts(AS_AT)).toEqual(figuresOf(before));

    // As at today: the back-dated changes count.
    const now = await summary(today());
    expect(now).toMatchObject({
      openHazardCount: 2,
      openHazardsByStatus: { open: 1, in_progress: 1 },
      releasedCount: { cleared: 1, reduced: 1 },
      findingsByCategory: { AP: 5 },
      casualties: { byStatus: { civilian: 1, deminer: 1 }, byOutcome: { injured: 1, killed: 1 } },
      riskEducation: { sessions: 2, beneficiaries: 23 },
    });
    expect(now.releasedM2.reduced).toBeGreaterThan(0);
    expect(now.openHazardAreaM2).toBeLessThan(before.openHazardAreaM2);
    expect(figuresOf(now)).toEqual(await listCounts(today()));
    // Without asAt the present state gives the same figures as today's.
    const present = (await call('GET', `/api/v1/stats/summary?${scope()}`, admin)).json();
    expect(figuresOf(present)).toEqual(figuresOf(now));
    expect(present.openHazardAreaM2).toBeCloseTo(now.openHazardAreaM2, 0);

    // One record as at the date: its values then; a record not yet reported then does not exist.
    const old = await call('GET', `/api/v1/hazards/${h1.id}?asAt=${AS_AT}`, admin);
    expect(old.statusCode, old.body).toBe(200);
    expect(old.headers['as-at']).toBe(AS_AT);
    expect(old.json().properties).toMatchObject({ name: 'Before the survey', status: 'open' });
    const current = (await call('GET', `/api/v1/hazards/${h1.id}`, admin)).json();
    expect(current.properties).toMatchObject({ name: 'After the survey', status: 'in_progress' });
    expect((await call('GET', `/api/v1/land-release/${late.id}?asAt=${AS_AT}`, admin)).statusCode).toBe(404);
    const items = await ogcGet(`/ogc/collections/hazards/items?asAt=${AS_AT}&limit=1000`);
    expect(items.statusCode, items.body).toBe(200);
    const fromOgc = items.json().features.find((f: { id: string }) => f.id === h1.id);
    expect(fromOgc.properties.name).toBe('Before the survey');

    // One OGC feature as at the date, and a feature not yet reported then.
    const item = await ogcGet(`/ogc/collections/hazards/items/${h1.id}?asAt=${AS_AT}`);
    expect(item.statusCode, item.body).toBe(200);
    expect(item.headers['as-at']).toBe(AS_AT);
    expect(item.json()).toMatchObject({
      asAt: AS_AT,
      properties: { name: 'Before the survey', status: 'open' },
    });
    expect((await ogcGet(`/ogc/collections/hazards/items/${h1.id}`)).json().properties.status).toBe(
      'in_progress',
    );
    expect((await ogcGet(`/ogc/collections/land-release/items/${late.id}?asAt=${AS_AT}`)).statusCode).toBe(
      404,
    );
    expect((await ogcGet(`/ogc/collections/hazards/items/${h1.id}?asAt=2024-13-01`)).json().code).toBe(
      'validation.format',
    );

    // A vector tile as at the date draws the records as they were (and is cached apart from today's).
    const z = 14;
    const lon = W + 4.5 * D;
    const lat = S + 0.5 * D;
    const n = 2 ** z;
    const x = Math.floor(((lon + 180) / 360) * n);
    const phi = (lat * Math.PI) / 180;
    const y = Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n);
    const tileIds = async (layer: string, query: string) => {
      const r = await ogcGet(`/tiles/${layer}/${z}/${x}/${y}.mvt${query}`);
      expect(r.statusCode, r.body).toBeLessThan(300);
      if (r.statusCode === 204 || !r.rawPayload.length) return [];
      const tile = new VectorTile(new PbfReader(new Uint8Array(r.rawPayload)));
      const l = tile.layers[layer];
      return l ? Array.from({ length: l.length }, (_, i) => l.feature(i).properties) : [];
    };
    const releasesNow = await tileIds('land-release', '');
    expect(releasesNow.map((p) => p.id)).toContain(late.id);
    const releasesThen = await tileIds('land-release', `?asAt=${AS_AT}`);
    expect(releasesThen.map((p) => p.id)).not.toContain(late.id);
    const hazardsThen = await tileIds('hazards', `?asAt=${AS_AT}`);
    expect(hazardsThen.find((p) => p.id === h1.id)?.status).toBe('open');
    expect((await tileIds('hazards', '')).find((p) => p.id === h1.id)?.status).toBe('in_progress');
    expect((await tileIds('land-release', `?asAt=${AS_AT}`)).map((p) => p.id)).not.toContain(late.id);
  });

  it('refuses a date that is not one, or is in the future, at its parameter', async () => {
    for (const [url, code] of [
      ['/api/v1/hazards?asAt=2024-02-30', 'validation.format'],
      ['/api/v1/hazards?asAt=yesterday', 'validation.format'],
      ['/api/v1/hazards?asAt=2999-01-01', 'validation.as_at_future'],
      [
        `/api/v1/hazards/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}?asAt=2999-01-01`,
        'validation.as_at_future',
      ],
      ['/api/v1/stats/summary?asAt=2999-01-01', 'validation.as_at_future'],
      ['/api/v1/stats/summary?from=2024-05-01&to=2024-01-01', 'validation.period'],
      ['/api/v1/exports?as=hazards&format=csv&asAt=2999-01-01', 'validation.as_at_future'],
    ] as const) {
      const r = await call('GET', url, admin);
      expect(r.statusCode, url).toBe(400);
      expect(r.json().code, url).toBe(code);
    }
    const bad = await ogcGet('/ogc/collections/hazards/items?asAt=2024-13-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('validation.format');
    const r = await call('GET', '/api/v1/hazards?asAt=2999-01-01', admin);
    expect(r.json().pointer ?? r.json().errors?.[0]?.pointer).toBe('/asAt');
  });
});
