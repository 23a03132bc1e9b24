import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { ogcPlugin } from '../../src/http/ogc/index.ts';
import { photo, uploadBody } from '../fixtures/evidence/photos.ts';
import { login, testApp, testDatabase, testDatabaseKind } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';

let app: FastifyInstance;
let admin: Record<string, string>;
let organisationId: string;
let hazardId: string;
let findingId: string;
let sourceId: string;

async function post(url: string, payload: unknown, headers = admin) {
  return app.inject({ method: 'POST', url, payload: payload as object, headers });
}

const MISSING = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  app = await testApp();
  admin = await login('admin');
  organisationId = (await post('/api/v1/organisations', { name: 'Host agency', kind: 'authority' })).json()
    .id;
  hazardId = (
    await post('/api/v1/hazards', {
      type: 'Feature',
      geometry: square(46.8, 39.8, 0.01),
      properties: { type: 'CHA', deviceCategories: ['AP'] },
    })
  ).json().id;
  findingId = (
    await post('/api/v1/findings', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [46.805, 39.805] },
      properties: { category: 'AP', modelText: 'PMN-2', foundOn: '2022-08-15', hazardId },
    })
  ).json().id;
  sourceId = (await post('/api/v1/sources', { kind: 'un_document', title: 'Letter on the visit' })).json().id;
});

const visit = () => ({
  type: 'Feature',
  geometry: square(46.8, 39.8, 0.005),
  properties: {
    visitedOn: '2022-08-26',
    title: 'Visit of the diplomatic corps',
    hostOrganisationId: organisationId,
    visitors: [
      { name: 'Heads of mission of 12 embassies', organisation: 'Diplomatic corps' },
      { name: 'A. Observer', role: 'Military attaché', organisationId },
    ],
    hazardIds: [hazardId],
    findingIds: [findingId],
    observations: 'Shown newly laid mines along the road and the devices lifted on 15 August.',
    sourceId,
  },
});

describe(`site visits on ${testDatabaseKind()}`, () => {
  it('records a visit with its visitors, places, hazards and findings shown, and reads it back', async () => {
    const r = await post('/api/v1/site-visits', visit());
    expect(r.statusCode, r.body).toBe(201);
    const created = r.json();
    expect(created.properties.code).toMatch(/^SV-\d{6}$/);
    const got = (
      await app.inject({ method: 'GET', url: `/api/v1/site-visits/${created.id}`, headers: admin })
    ).json();
    expect(got.geometry.type).toBe('MultiPolygon');
    expect(got.properties).toMatchObject({
      visitedOn: '2022-08-26',
      title: 'Visit of the diplomatic corps',
      hazardIds: [hazardId],
      findingIds: [findingId],
      sourceId,
    });
    expect(got.properties.visitors[1]).toEqual({
      name: 'A. Observer',
      role: 'Military attaché',
      organisationId,
    });

    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/site-visits?from=2022-08-01&to=2022-08-31&q=diplomatic',
      headers: admin,
    });
    expect(list.json().features.map((f: { id: string }) => f.id)).toContain(created.id);

    const history = (
      await app.inject({ method: 'GET', url: `/api/v1/site-visits/${created.id}/history`, headers: admin })
    ).json();
    expect(history.items[0].action).toBe('create');

    const ogc = await buildApp({ database: await testDatabase(), plugins: [(a) => ogcPlugin(a)] });
    try {
      const item = await ogc.inject({
        method: 'GET',
        url: `/ogc/collections/site-visits/items/${created.id}`,
        headers: admin,
      });
      expect(item.statusCode, item.body).toBe(200);
      expect(item.json().properties.title).toBe('Visit of the diplomatic corps');
    } finally {
      await ogc.close();
    }
  });

  it('lists the visits to a hazard in its evidence dossier: date, visitors, findings shown, files', async () => {
    const made = await post('/api/v1/site-visits', visit());
    expect(made.statusCode, made.body).toBe(201);
    const findingCode = (
      await app.inject({ method: 'GET', url: `/api/v1/findings/${findingId}`, headers: admin })
    ).json().properties.code;
    const r = await app.inject({
      method: 'GET',
      url: `/api/v1/outputs/evidence-dossier?records=hazards:${hazardId}`,
      headers: admin,
    });
    expect(r.statusCode, r.body).toBe(200);
    const table = r
      .json()
      .document.blocks.find((b: { title: string }) => b.title.startsWith('Site visits to'));
    const row = table.rows.find((x: unknown[]) => x[0] === made.json().properties.code);
    expect(row).toEqual([
      made.json().properties.code,
      '2022-08-26',
      'Visit of the diplomatic corps',
      'Heads of mission of 12 embassies (Diplomatic corps); A. Observer (Military attaché)',
      findingCode,
      0,
    ]);
    // As at a date before the visit was reported, the hazard had none.
    const then = await app.inject({
      method: 'GET',
      url: `/api/v1/outputs/evidence-dossier?records=hazards:${hazardId}&asAt=2022-01-01`,
      headers: admin,
    });
    expect(then.statusCode).toBe(404);
  });

  it('refuses hazards, findings and organisations that do not exist, naming each one', async () => {
    const body = visit();
    body.properties.hazardIds = [hazardId, MISSING];
    body.properties.findingIds = [MISSING];
    body.properties.visitors = [{ name: 'X', organisationId: MISSING } as never];
    const r = await post('/api/v1/site-visits', body);
    expect(r.statusCode).toBe(400);
    const pointers = r
      .json()
      .errors.map((e: { code: string; pointer: string }) => `${e.code} ${e.pointer}`)
      .sort();
    expect(pointers).toEqual([
      'record.reference_not_found /properties/findingIds/0',
      'record.reference_not_found /properties/hazardIds/1',
      'record.reference_not_found /properties/visitors/0/organisationId',
    ]);
  });

  it('may be entered by an operator in a report and takes effect on approval', async () => {
    const operator = await login('operator_data_entry', { organisationId });
    const manager = await login('operator_manager', { organisationId });
    const approver = await login('approver');
    const body = visit();
    body.properties.title = 'Visit of the donor group';
    const draft = await post(
      '/api/v1/reports',
      {
        kind: 'other_records',
        dateOfInformation: '2022-08-26',
        payload: { changes: [{ op: 'create', register: 'site-visits', record: body }] },
      },
      operator,
    );
    expect(draft.statusCode, draft.body).toBe(201);
    const id = draft.json().id as string;
    for (const [step, who] of [
      ['submit', operator],
      ['review', manager],
      ['approve', approver],
    ] as const) {
      const r = await post(`/api/v1/reports/${id}/${step}`, {}, who);
      expect(r.statusCode, `${step}: ${r.body}`).toBe(200);
    }
    const list = await app.inject({ method: 'GET', url: '/api/v1/site-visits?q=donor', headers: admin });
    expect(list.json().features.map((f: { properties: { title: string } }) => f.properties.title)).toEqual([
      'Visit of the donor group',
    ]);
  });

  it("checks a photo of the visit against the visit's place and date", async () => {
    const created = (await post('/api/v1/site-visits', visit())).json();
    const bytes = await photo({
      position: [46.8021, 39.8021],
      taken: '2022:08:26 11:00:00',
      offset: '+04:00',
    });
    const body = uploadBody(
      { recordType: 'site-visits', recordId: created.id },
      { filename: 'visit.jpg', mediaType: 'image/jpeg', bytes },
    );
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/attachments',
      payload: body.payload,
      headers: { ...admin, ...body.headers },
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().evidence).toMatchObject({ distanceM: 0, days: 0, recordDateField: 'visitedOn' });
  });
});
