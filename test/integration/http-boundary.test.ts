import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/server.ts';
import { login, testApp, testDatabase, testDatabaseKind, testKeyFile, unique } from './helpers/db.ts';

/**
 * The HTTP boundary as a caller meets it: who may do a thing is decided before what they sent
 * is looked at; no input is a 500; and every way of reading a register (REST, OGC API, tiles,
 * exports, public figures) agrees on who may read and never shows a casualty's identity.
 */

let admin: Record<string, string>;
let approver: Record<string, string>;
let viewer: Record<string, string>;
let operatorA: Record<string, string>;
let operatorB: Record<string, string>;
let managerB: Record<string, string>;
const anonymous: Record<string, string> = {};
let orgA: string;
let orgB: string;
/** The whole server `safeground serve` runs (core API, tiles, OGC API), on the test database. */
let server: FastifyInstance;

async function call(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) {
  return server.inject({
    method,
    url,
    headers: typeof payload === 'string' ? { ...headers, 'content-type': 'application/json' } : headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}

const square = (lon: number, lat: number, d = 0.001) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon, lat],
      [lon + d, lat],
      [lon + d, lat + d],
      [lon, lat + d],
      [lon, lat],
    ],
  ],
});

/** JSON text of an object nested `depth` levels deep: {"a":{"a":…}} (too deep to stringify). */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

async function hazard() {
  const r = await call('POST', '/api/v1/hazards', admin, {
    type: 'Feature',
    geometry: square(46.9, 39.9),
    properties: { type: 'SHA', name: unique('Boundary ') },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; properties: { version: number } };
}

function statusReport(hazardId: string, date: string) {
  return {
    kind: 'hazard_status_change',
    dateOfInformation: date,
    reason: 'Survey found the area clear',
    payload: {
      changes: [
        {
          op: 'update',
          register: 'hazards',
          id: hazardId,
          record: { type: 'Feature', properties: { status: 'cancelled' } },
        },
      ],
    },
  };
}

async function draftReport(who: Record<string, string>) {
  const h = await hazard();
  const body = statusReport(h.id, '2025-06-01');
  const r = await call('POST', '/api/v1/reports', who, body);
  expect(r.statusCode, r.body).toBe(201);
  return { ...(r.json() as { id: string; version: number }), body };
}

beforeAll(async () => {
  await testApp();
  server = await buildServer({
    database: await testDatabase(),
    settings: { attachmentsDir: mkdtempSync(join(tmpdir(), 'safeground-att-')), keyFile: testKeyFile() },
  });
  await server.ready();
  admin = await login('admin');
  approver = await login('approver');
  viewer = await login('viewer');
  orgA = (
    await call('POST', '/api/v1/organisations', admin, { name: unique('Boundary A '), kind: 'ngo' })
  ).json().id;
  orgB = (
    await call('POST', '/api/v1/organisations', admin, { name: unique('Boundary B '), kind: 'ngo' })
  ).json().id;
  operatorA = await login('operator_data_entry', { organisationId: orgA, name: 'boundaryA' });
  operatorB = await login('operator_data_entry', { organisationId: orgB, name: 'boundaryB' });
  managerB = await login('operator_manager', { organisationId: orgB, name: 'boundaryManagerB' });
});

afterAll(async () => {
  await server?.close();
});

describe(`the HTTP boundary on ${testDatabaseKind()}`, () => {
  describe('authorisation comes before validation and preconditions', () => {
    it('answers register PATCH and DELETE with 401, 403 or 404 whatever the body and If-Match', async () => {
      const h = await hazard();
      const bad = { type: 'Nope', properties: { status: 42 } };
      for (const method of ['PATCH', 'DELETE'] as const) {
        const url = `/api/v1/hazards/${h.id}`;
        const body = method === 'PATCH' ? bad : undefined;
        expect((await call(method, url, anonymous, body)).statusCode).toBe(401);
        const asViewer = await call(method, url, viewer, body);
        expect(asViewer.statusCode, asViewer.body).toBe(403);
        expect(asViewer.json().code).toBe('auth.forbidden');
        const asOtherOperator = await call(method, url, operatorB, body);
        expect(asOtherOperator.statusCode, asOtherOperator.body).toBe(403);
        const missing = await call(
          method,
          '/api/v1/hazards/00000000-0000-4000-8000-000000000000',
          admin,
          body,
        );
        expect(missing.statusCode, missing.body).toBe(404);
        expect(missing.json().code).toBe('record.not_found');
      }
      // The record is untouched, and one who may write meets the body's faults, then If-Match.
      const asAdmin = await call('PATCH', `/api/v1/hazards/${h.id}`, admin, {
        type: 'Feature',
        properties: {},
      });
      expect(asAdmin.statusCode).toBe(428);
      const after = await call('GET', `/api/v1/hazards/${h.id}`, admin);
      expect(after.json().properties.version).toBe(h.properties.version);
    });

    it('answers report PUT and submit with 401 or 404 for those who may not see the draft', async () => {
      const draft = await draftReport(operatorA);
      const url = `/api/v1/reports/${draft.id}`;
      const bad = { kind: 42, payload: 'x' };
      expect((await call('PUT', url, anonymous, bad)).statusCode).toBe(401);
      expect((await call('POST', `${url}/submit`, anonymous)).statusCode).toBe(401);
      for (const who of [operatorB, managerB, viewer]) {
        const put = await call('PUT', url, who, bad);
        expect(put.statusCode, put.body).toBe(404);
        expect(put.json().code).toBe('report.not_found');
        const submit = await call('POST', `${url}/submit`, who);
        expect(submit.statusCode, submit.body).toBe(404);
      }
      // Its author meets the body's faults first, then the missing If-Match.
      const own = await call('PUT', url, operatorA, bad);
      expect(own.statusCode, own.body).toBe(400);
      const noIfMatch = await call('PUT', url, operatorA, { ...draft.body, dateOfInformation: '2025-06-02' });
      expect(noIfMatch.statusCode, noIfMatch.body).toBe(428);
      const still = await call('GET', url, operatorA);
      expect(still.json().status).toBe('draft');
      expect(still.json().version).toBe(draft.version);
    });
  });

  describe('no input is a 500', () => {
    it('refuses control characters in any query value with their field', async () => {
      for (const url of [
        '/api/v1/hazards?q=mine%00field',
        '/api/v1/hazards?status=open%01',
        '/api/v1/reports?before=R%00',
        '/ogc/collections/hazards/items?q=%00',
        '/tiles/hazards/3/4/5.mvt?q=%1b',
        '/api/v1/exports?as=hazards&format=csv&q=%7f',
      ]) {
        const r = await call('GET', url, admin);
        expect(r.statusCode, `${url}: ${r.body}`).toBe(400);
        expect(r.json().code, url).toBe('validation.control_character');
        expect(r.json().pointer, url).toMatch(/^\/(q|status|before)$/);
      }
    });

    it('refuses JSON nested deeper than 64 levels, however deep', async () => {
      const h = await hazard();
      for (const depth of [65, 100_000]) {
        const report = await call(
          'POST',
          '/api/v1/reports',
          operatorA,
          `{"kind":"activity","payload":${nested(depth)}}`,
        );
        expect(report.statusCode, report.body.slice(0, 300)).toBe(400);
        expect(report.json().code).toBe('validation.too_deep');
        const patch = await call(
          'PATCH',
          `/api/v1/hazards/${h.id}`,
          admin,
          `{"type":"Feature","properties":${nested(depth)}}`,
        );
        expect(patch.statusCode).toBe(400);
        expect(patch.json().code).toBe('validation.too_deep');
      }
    });

    it('validates the report list like the registers: limit, status and kind', async () => {
      for (const [query, code, pointer] of [
        ['limit=-1', 'validation.range', '/limit'],
        ['limit=abc', 'validation.range', '/limit'],
        ['limit=100000', 'validation.range', '/limit'],
        ['status=', 'validation.enum', '/status'],
        ['status=bogus', 'validation.enum', '/status'],
        ['kind=', 'validation.enum', '/kind'],
      ] as const) {
        const r = await call('GET', `/api/v1/reports?${query}`, admin);
        expect(r.statusCode, `${query}: ${r.body}`).toBe(400);
        expect(r.json().code, query).toBe(code);
        expect(r.json().pointer, query).toBe(pointer);
      }
      expect((await call('GET', '/api/v1/reports?limit=5&status=draft', admin)).statusCode).toBe(200);
    });

    it('answers schema faults of a query string with the validation codes and pointers', async () => {
      const format = await call('GET', '/api/v1/hazards?organisation=nope', admin);
      expect(format.statusCode).toBe(400);
      expect(format.json()).toMatchObject({ code: 'validation.format', pointer: '/organisation' });
      const kind = await call('GET', '/api/v1/hazards?format=xml', admin);
      expect(kind.json()).toMatchObject({ code: 'validation.enum', pointer: '/format' });
      const twice = await call('GET', '/api/v1/hazards?q=a&q=b', admin);
      expect(twice.statusCode).toBe(400);
      expect(twice.json()).toMatchObject({ code: 'validation.type', pointer: '/q' });
      const notAnId = await call('GET', '/api/v1/hazards/not-an-id/history', admin);
      expect(notAnId.statusCode).toBe(404);
    });
  });

  describe('every read path agrees on one casualty', () => {
    const secret = unique('Zhanna-Secret-');
    let casualtyId = '';
    let accidentId = '';
    const lon = 46.9123;
    const lat = 39.9123;

    beforeAll(async () => {
      const accident = await call('POST', '/api/v1/accidents', approver, {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [lon, lat] },
        properties: {
          occurredOn: '2024-03-01',
          datePrecision: 'day',
          pointPrecision: 'exact',
          deviceCategory: 'AP',
          demining: 'no',
        },
      });
      expect(accident.statusCode, accident.body).toBe(201);
      accidentId = accident.json().id;
      const casualty = await call('POST', '/api/v1/casualties', approver, {
        accidentId,
        sex: 'male',
        age: 34,
        casualtyStatus: 'civilian',
        outcome: 'injured',
        identity: { name: secret, address: `${secret} street` },
      });
      expect(casualty.statusCode, casualty.body).toBe(201);
      casualtyId = casualty.json().id;
      // The identity is stored: the approver reads it back when asking for it.
      const own = await call('GET', `/api/v1/casualties/${casualtyId}?identity=true`, approver);
      expect(own.json().identity.name).toBe(secret);
    });

    /** The web Mercator tile at zoom 14 that holds the accident. */
    function tileUrl() {
      const z = 14;
      const n = 2 ** z;
      const x = Math.floor(((lon + 180) / 360) * n);
      const r = (lat * Math.PI) / 180;
      const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
      return `/tiles/accidents/${z}/${x}/${y}.mvt`;
    }

    const reads = () => ({
      'REST list': `/api/v1/casualties?accident=${accidentId}`,
      'REST get': `/api/v1/casualties/${casualtyId}`,
      'REST history': `/api/v1/casualties/${casualtyId}/history`,
      'OGC items': `/ogc/collections/accidents/items?limit=10000`,
      'OGC item': `/ogc/collections/accidents/items/${accidentId}`,
      tile: tileUrl(),
      'export csv': `/api/v1/exports?as=casualties&format=csv&accident=${accidentId}`,
      'export geojson': `/api/v1/exports?as=casualties&format=geojson&accident=${accidentId}`,
      'list as csv': `/api/v1/casualties?format=csv&accident=${accidentId}`,
      'public summary': '/api/v1/public/summary',
      attachments: `/api/v1/attachments?recordType=casualties&recordId=${casualtyId}`,
      'area sync': '/api/v1/sync/area?bbox=-180,-90,180,90&limit=5000',
    });

    it('never shows identity, to a viewer, an operator of another organisation or anyone', async () => {
      for (const [who, headers] of [
        ['viewer', viewer],
        ['operator of another organisation', operatorB],
        ['operator manager of another organisation', managerB],
        ['anonymous', anonymous],
      ] as const) {
        for (const [read, url] of Object.entries(reads())) {
          const r = await call('GET', url, headers);
          const bytes = r.rawPayload.toString('latin1') + r.body;
          expect(bytes.includes(secret), `${who} / ${read}`).toBe(false);
          expect(r.statusCode, `${who} / ${read}: ${r.body.slice(0, 200)}`).toBeLessThan(500);
        }
      }
      const asked = await call('GET', `/api/v1/casualties/${casualtyId}?identity=true`, viewer);
      expect(asked.statusCode).toBe(403);
    });

    it('agrees on who may read: 401 for anonymous everywhere but the public figures', async () => {
      const expected: Record<string, Record<string, number>> = {
        viewer: {
          'REST list': 200,
          'REST get': 200,
          'REST history': 403,
          'OGC items': 200,
          'OGC item': 200,
          tile: 200,
          'export csv': 200,
          'export geojson': 200,
          'list as csv': 200,
          'public summary': 200,
          attachments: 200,
          'area sync': 200,
        },
        'operator of another organisation': {
          'REST list': 200,
          'REST get': 200,
          'REST history': 403,
          'OGC items': 200,
          'OGC item': 200,
          tile: 200,
          'export csv': 403,
          'export geojson': 403,
          'list as csv': 403,
          'public summary': 200,
          attachments: 200,
          'area sync': 200,
        },
        anonymous: Object.fromEntries(
          Object.keys(reads()).map((read) => [read, read === 'public summary' ? 200 : 401]),
        ),
      };
      const headersOf: Record<string, Record<string, string>> = {
        viewer,
        'operator of another organisation': operatorB,
        anonymous,
      };
      for (const [who, byRead] of Object.entries(expected)) {
        const got: Record<string, number> = {};
        for (const [read, url] of Object.entries(reads()))
          got[read] = (await call('GET', url, headersOf[who]!)).statusCode;
        expect(got, who).toEqual(byRead);
      }
    });

    it('shows the same casualty to every reader that may see it', async () => {
      const list = (await call('GET', reads()['REST list'], viewer)).json();
      expect(list.items.map((c: { id: string }) => c.id)).toEqual([casualtyId]);
      const one = (await call('GET', reads()['REST get'], viewer)).json();
      expect(one).toMatchObject({ id: casualtyId, accidentId, age: 34 });
      expect(one).not.toHaveProperty('identity');
      const geojson = JSON.parse((await call('GET', reads()['export geojson'], viewer)).body);
      expect(geojson.features.map((f: { id: string }) => f.id)).toEqual([casualtyId]);
      expect(geojson.features[0].properties).not.toHaveProperty('identity');
      const csv = (await call('GET', reads()['export csv'], viewer)).body
        .replace(/^\ufeff/, '')
        .trim()
        .split('\n');
      expect(csv).toHaveLength(2);
      expect(csv[0]).not.toMatch(/identity/);
      expect(csv[1]).toContain(casualtyId);
      const item = (await call('GET', reads()['OGC item'], viewer)).json();
      expect(item.id).toBe(accidentId);
      const tile = await call('GET', reads().tile, viewer);
      expect(tile.statusCode).toBe(200);
      expect(tile.rawPayload.length).toBeGreaterThan(0);
    });
  });
});
