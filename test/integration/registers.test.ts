import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { countRecords } from '../../src/db/repositories/registers.ts';
import { hazards, REGISTERS } from '../../src/domain/records.ts';
import { polygonAreaM2 } from '../../src/geo/geodesic.ts';
import { login, testApp, testDatabase, testDatabaseKind, unique } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';

let app: FastifyInstance;
let admin: Record<string, string>;

const bowTie = {
  type: 'Polygon',
  coordinates: [
    [
      [46.95, 39.94],
      [46.951, 39.941],
      [46.951, 39.94],
      [46.95, 39.941],
      [46.95, 39.94],
    ],
  ],
};

async function post(url: string, payload: unknown, headers = admin) {
  return app.inject({ method: 'POST', url, payload: payload as object, headers });
}

async function hazardCount(): Promise<number> {
  const database = await testDatabase();
  return countRecords(database.db, hazards, { equals: [], includeArchived: true });
}

/** Makes the parents other registers point to, and returns their ids. */
async function parents() {
  const org = (await post('/api/v1/organisations', { name: unique('Org '), kind: 'ngo' })).json();
  const hazard = (
    await post('/api/v1/hazards', {
      type: 'Feature',
      geometry: square(46.9, 39.9, 0.01),
      properties: { type: 'CHA', deviceCategories: ['AP'] },
    })
  ).json();
  const accident = (
    await post('/api/v1/accidents', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [46.905, 39.905] },
      properties: { occurredOn: '2024-05-02', deviceCategory: 'AP', demining: 'no' },
    })
  ).json();
  return { orgId: org.id as string, hazardId: hazard.id as string, accidentId: accident.id as string };
}

beforeAll(async () => {
  app = await testApp();
  admin = await login('admin');
});

describe(`registers through HTTP on ${testDatabaseKind()}`, () => {
  it('reports the database kind and migration level on /health', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ok', database: testDatabaseKind() });
    expect(r.json().migration).toBeGreaterThanOrEqual(1);
  });

  it('lists every register in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const def of REGISTERS) {
      expect(Object.keys(doc.paths)).toContain(`/api/v1/${def.slug}`);
      expect(Object.keys(doc.paths)).toContain(`/api/v1/${def.slug}/{id}`);
    }
  });

  it('refuses writes without a signed-in user', async () => {
    const before = await hazardCount();
    const r = await post(
      '/api/v1/hazards',
      { type: 'Feature', geometry: square(46.95, 39.94), properties: { type: 'SHA' } },
      {},
    );
    expect(r.statusCode).toBe(401);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().code).toBe('auth.required');
    expect(await hazardCount()).toBe(before);
  });

  it('computes a hazard area on the ellipsoid within 0.1 %', async () => {
    const geometry = square(46.95, 39.94);
    const r = await post('/api/v1/hazards', {
      type: 'Feature',
      geometry,
      properties: { type: 'SHA', deviceCategories: ['AP'] },
    });
    expect(r.statusCode).toBe(201);
    const expected = polygonAreaM2(geometry.coordinates[0] as [number, number][]);
    const got = r.json().properties.areaM2 as number;
    expect(Math.abs(got - expected) / expected).toBeLessThan(0.001);
    expect(got).toBeGreaterThan(9000);
    expect(r.json().geometry.type).toBe('MultiPolygon');
    expect(r.headers.etag).toBe('"1"');
  });

  it('rejects a bow-tie polygon with a geometry code and the ring and vertex, storing nothing', async () => {
    const before = await hazardCount();
    const r = await post('/api/v1/hazards', {
      type: 'Feature',
      geometry: bowTie,
      properties: { type: 'SHA' },
    });
    expect(r.statusCode).toBe(400);
    const p = r.json();
    expect(p.code).toBe('geometry.self_intersection');
    expect(p.location).toMatchObject({ polygon: 0, ring: 0 });
    expect(p.pointer).toMatch(/^\/geometry/);
    expect(p.detail).toMatch(/crosses itself/);
    expect(await hazardCount()).toBe(before);
  });

  it.each([
    [
      'an unclosed ring',
      {
        type: 'Polygon',
        coordinates: [
          [
            [46, 39],
            [46.1, 39],
            [46.1, 39.1],
            [46, 39.1],
          ],
        ],
      },
      'geometry.ring_not_closed',
    ],
    ['coordinates out of range', square(190, 39.94), 'geometry.out_of_range'],
    ['a wrong geometry type', { type: 'Point', coordinates: [46, 39] }, 'geometry.type'],
  ])('rejects %s with its code', async (_name, geometry, code) => {
    const before = await hazardCount();
    const r = await post('/api/v1/hazards', { type: 'Feature', geometry, properties: { type: 'SHA' } });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe(code);
    expect(await hazardCount()).toBe(before);
  });

  it('rejects malformed JSON, wrong types and unknown enum values with their codes', async () => {
    const before = await hazardCount();
    const malformed = await app.inject({
      method: 'POST',
      url: '/api/v1/hazards',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"type": "Feature", "geometry": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('validation.json');

    const wrongType = await post('/api/v1/hazards', {
      type: 'Feature',
      geometry: square(46, 39),
      properties: { type: 'SHA', beneficiaries: 'many' },
    });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().code).toBe('validation.type');
    expect(wrongType.json().pointer).toBe('/properties/beneficiaries');

    const badEnum = await post('/api/v1/hazards', {
      type: 'Feature',
      geometry: square(46, 39),
      properties: { type: 'MHA' },
    });
    expect(badEnum.statusCode).toBe(400);
    expect(badEnum.json().code).toBe('validation.enum');
    expect(badEnum.json().params.allowed).toBe('SHA, CHA');

    const unknownField = await post('/api/v1/hazards', {
      type: 'Feature',
      geometry: square(46, 39),
      properties: { type: 'SHA', colour: 'red' },
    });
    expect(unknownField.json().code).toBe('validation.unknown_field');
    expect(await hazardCount()).toBe(before);
  });

  it('reports every fault of a request, not just the first', async () => {
    const r = await post('/api/v1/hazards', {
      type: 'Feature',
      geometry: bowTie,
      properties: { type: 'MHA', status: 'gone' },
    });
    const codes = (r.json().errors as Array<{ code: string }>).map((e) => e.code).sort();
    expect(codes).toEqual(['geometry.self_intersection', 'validation.enum', 'validation.enum']);
  });

  it('answers a stale If-Match with 412 and a missing one with 428, changing nothing', async () => {
    const created = (
      await post('/api/v1/hazards', {
        type: 'Feature',
        geometry: square(46.96, 39.95),
        properties: { type: 'SHA' },
      })
    ).json();
    const url = `/api/v1/hazards/${created.id}`;
    const ok = await app.inject({
      method: 'PATCH',
      url,
      headers: { ...admin, 'if-match': '"1"' },
      payload: { type: 'Feature', properties: { name: 'North field' } },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().properties.version).toBe(2);
    const stale = await app.inject({
      method: 'PATCH',
      url,
      headers: { ...admin, 'if-match': '"1"' },
      payload: { type: 'Feature', properties: { name: 'Lost update' } },
    });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().code).toBe('record.version_conflict');
    expect(stale.json().params).toMatchObject({ expected: 1, current: 2 });
    const missing = await app.inject({
      method: 'PATCH',
      url,
      headers: admin,
      payload: { type: 'Feature', properties: { name: 'x' } },
    });
    expect(missing.statusCode).toBe(428);
    const now = (await app.inject({ method: 'GET', url, headers: admin })).json();
    expect(now.properties.name).toBe('North field');
    expect(now.properties.version).toBe(2);
  });

  it('archives with If-Match and hides archived records from lists unless asked', async () => {
    const created = (
      await post('/api/v1/hazards', {
        type: 'Feature',
        geometry: square(46.97, 39.96),
        properties: { type: 'SHA', name: unique('Archive me ') },
      })
    ).json();
    const name = created.properties.name as string;
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/hazards/${created.id}`,
      headers: { ...admin, 'if-match': '"1"' },
    });
    expect(del.statusCode).toBe(200);
    expect(del.json().properties.archived).toBe(true);
    const list = (
      await app.inject({
        method: 'GET',
        url: `/api/v1/hazards?q=${encodeURIComponent(name)}`,
        headers: admin,
      })
    ).json();
    expect(list.features).toHaveLength(0);
    const withArchived = (
      await app.inject({
        method: 'GET',
        url: `/api/v1/hazards?archived=true&q=${encodeURIComponent(name)}`,
        headers: admin,
      })
    ).json();
    expect(withArchived.features).toHaveLength(1);
  });

  it('pages through a filtered, sorted list with cursors, every record once', async () => {
    const tag = unique('Page ');
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await post('/api/v1/hazards', {
        type: 'Feature',
        geometry: square(47 + i * 0.01, 40),
        properties: { type: 'SHA', name: `${tag} ${i}` },
      });
      made.push(r.json().id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/hazards?q=${encodeURIComponent(tag)}&sort=-name&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await app.inject({ method: 'GET', url, headers: admin })).json();
      seen.push(...page.features.map((f: { id: string }) => f.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(new Set(made));
    expect(seen[0]).toBe(made[6]);
  });

  it('filters by bbox, status, date range and admin area', async () => {
    const area = (
      await post('/api/v1/admin-areas', {
        type: 'Feature',
        geometry: square(10, 10, 1),
        properties: { pcode: unique('T'), name: 'Test area', level: 1 },
      })
    ).json();
    expect(area.properties.areaM2).toBeGreaterThan(1e10);
    const inside = (
      await post('/api/v1/hazards', {
        type: 'Feature',
        geometry: square(10.5, 10.5),
        properties: { type: 'CHA', status: 'in_progress', dateOfInformation: '2021-03-04' },
      })
    ).json();
    await post('/api/v1/hazards', {
      type: 'Feature',
      geometry: square(12.5, 10.5),
      properties: { type: 'CHA', status: 'in_progress', dateOfInformation: '2021-03-04' },
    });
    // Its bounding box meets the query box but its shape does not: bbox filters on the shape.
    await post('/api/v1/hazards', {
      type: 'Feature',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [10.9, 11.3],
            [11.5, 10.5],
            [11.5, 11.3],
            [10.9, 11.3],
          ],
        ],
      },
      properties: { type: 'CHA', status: 'in_progress', dateOfInformation: '2021-03-04' },
    });
    const get = async (q: string) =>
      (await app.inject({ method: 'GET', url: `/api/v1/hazards?${q}`, headers: admin }))
        .json()
        .features.map((f: { id: string }) => f.id);
    expect(await get(`adminArea=${area.id}`)).toEqual([inside.id]);
    expect(await get('bbox=10,10,11,11&status=in_progress')).toEqual([inside.id]);
    expect(await get('bbox=10,10,11,11&status=open')).toEqual([]);
    expect(await get('bbox=10,10,11,11&from=2021-03-01&to=2021-03-31')).toEqual([inside.id]);
    expect(await get('bbox=10,10,11,11&from=2021-04-01')).toEqual([]);
    const bad = await app.inject({ method: 'GET', url: '/api/v1/hazards?bbox=1,2,3', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('validation.bbox');
  });

  it('creates, reads and lists a record of every register', async () => {
    const { orgId, hazardId, accidentId } = await parents();
    const pt = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] });
    const bodies: Record<string, unknown> = {
      organisations: { name: unique('Operator '), kind: 'commercial', country: 'AZ' },
      'admin-areas': {
        type: 'Feature',
        geometry: square(20, 20, 0.5),
        properties: {
          pcode: unique('P'),
          name: 'Area',
          names: { en: 'Area', ru: 'Район', ar: 'منطقة' },
          level: 2,
        },
      },
      settlements: {
        type: 'Feature',
        geometry: pt(46.91, 39.91),
        properties: {
          name: 'Demo village',
          population: 1200,
          displacedHouseholds: 80,
          returnedHouseholds: 15,
        },
      },
      hazards: {
        type: 'Feature',
        geometry: square(46.92, 39.92),
        properties: {
          type: 'SHA',
          blockedLandUse: ['agriculture'],
          evidence: [{ type: 'accident', location: pt(46.9205, 39.9205) }],
          benchmark: pt(46.919, 39.919),
          beneficiaries: 300,
        },
      },
      activities: {
        type: 'Feature',
        geometry: pt(46.905, 39.905),
        properties: {
          kind: 'clearance',
          organisationId: orgId,
          hazardId,
          method: 'manual_mdd',
          status: 'in_progress',
          startDate: '2025-04-01',
        },
      },
      'land-release': {
        type: 'Feature',
        geometry: square(46.901, 39.901, 0.002),
        properties: { outcome: 'cleared', hazardId, depthCm: 20, releasedOn: '2025-06-01' },
      },
      findings: {
        type: 'Feature',
        geometry: pt(46.9015, 39.9015),
        properties: {
          category: 'AP',
          modelText: 'PMN-2',
          quantity: 1,
          condition: 'armed',
          depthCm: 8,
          disposition: 'destroyed_in_situ',
          foundOn: '2025-05-20',
          hazardId,
          marking: '1987',
          yearOfManufacture: 1987,
        },
      },
      accidents: {
        type: 'Feature',
        geometry: pt(46.93, 39.93),
        properties: {
          occurredOn: '2023-01-01',
          datePrecision: 'month',
          pointPrecision: 'within_1km',
          deviceCategory: 'AV',
          demining: 'no',
        },
      },
      casualties: {
        accidentId,
        sex: 'female',
        age: 9,
        casualtyStatus: 'civilian',
        outcome: 'injured',
        activityAtTime: 'playing',
        displacementStatus: 'returnee',
        identity: { name: 'A. B.', dateOfBirth: '2015-02-03' },
      },
      'risk-education': {
        type: 'Feature',
        geometry: pt(46.94, 39.94),
        properties: {
          organisationId: orgId,
          heldOn: '2025-02-02',
          deliveryMethod: 'face_to_face',
          beneficiaries: { female: { '5-12': 10, '18+': 4 }, male: { '5-12': 12 } },
        },
      },
      'qa-visits': {
        visitedOn: '2025-05-05',
        inspectedOrganisationId: orgId,
        inspectingOrganisationId: orgId,
        nonConformities: [{ description: 'Lane marking missing', severity: 'minor' }],
      },
      'site-visits': {
        type: 'Feature',
        geometry: square(46.9, 39.9, 0.002),
        properties: {
          visitedOn: '2025-05-06',
          title: 'Visit of the diplomatic corps',
          hostOrganisationId: orgId,
          visitors: [{ name: 'Ambassador', organisation: 'Embassy', organisationId: orgId }],
          hazardIds: [hazardId],
          observations: 'Shown the cleared lane and devices found.',
        },
      },
      ordnance: { model: unique('TEST-'), category: 'AP', countryOfOrigin: 'USSR' },
      sources: {
        kind: 'un_document',
        title: 'Letter (test)',
        documentSymbol: 'A/77/686-S/2023/22',
        publishedOn: '2023-01-10',
      },
      'minefield-records': {
        type: 'Feature',
        properties: {
          hazardId,
          record: JSON.parse(
            readFileSync(
              new URL('../fixtures/records/soviet-gk8-magnetic-paces.json', import.meta.url),
              'utf8',
            ),
          ),
        },
      },
      'task-orders': {
        hazardIds: [hazardId],
        organisationId: orgId,
        activityKind: 'clearance',
        plannedStart: '2025-02-01',
        plannedEnd: '2025-03-31',
      },
      teams: {
        organisationId: orgId,
        name: 'Manual team 1',
        kind: 'manual',
        size: 8,
        assets: [{ kind: 'dog', name: 'Rex', model: 'Malinois' }],
      },
      accreditations: {
        organisationId: orgId,
        activityKinds: ['clearance', 'TS'],
        validFrom: '2024-01-01',
        validTo: '2027-12-31',
      },
      projects: {
        name: 'Clearance of the northern fields',
        donors: [{ name: 'A donor', amount: 100000, currency: 'USD' }],
        fundsAmount: 100000,
        fundsCurrency: 'USD',
        periodFrom: '2025-01-01',
        periodTo: '2025-12-31',
      },
      'control-periods': {
        type: 'Feature',
        geometry: square(46.9, 39.9, 0.05),
        properties: {
          kind: 'inaccessible',
          startDate: '1993-05-01',
          endDate: '2020-11-19',
          accessibleFrom: '2020-12-01',
        },
      },
    };
    for (const def of REGISTERS) {
      const body = bodies[def.slug];
      expect(body, def.slug).toBeDefined();
      const created = await post(`/api/v1/${def.slug}`, body);
      expect(created.statusCode, `${def.slug}: ${created.body}`).toBe(201);
      const id = created.json().id as string;
      const got = await app.inject({ method: 'GET', url: `/api/v1/${def.slug}/${id}`, headers: admin });
      expect(got.statusCode).toBe(200);
      const list = await app.inject({ method: 'GET', url: `/api/v1/${def.slug}?limit=1000`, headers: admin });
      expect(list.statusCode, list.body).toBe(200);
      const items = def.geometry ? list.json().features : list.json().items;
      expect(items.length).toBeGreaterThan(0);
      const history = (
        await app.inject({ method: 'GET', url: `/api/v1/${def.slug}/${id}/history`, headers: admin })
      ).json();
      expect(history.items[0].action).toBe('create');
    }
  });

  it('derives a casualty age band and keeps identity out of lists and the audit log', async () => {
    const { accidentId } = await parents();
    const c = (
      await post('/api/v1/casualties', {
        accidentId,
        sex: 'male',
        age: 15,
        casualtyStatus: 'civilian',
        outcome: 'killed',
        identity: { name: 'Secret Name' },
      })
    ).json();
    expect(c.ageBand).toBe('13-17');
    const list = await app.inject({
      method: 'GET',
      url: `/api/v1/casualties?accident=${accidentId}`,
      headers: admin,
    });
    expect(list.body).not.toContain('Secret Name');
    const history = await app.inject({
      method: 'GET',
      url: `/api/v1/casualties/${c.id}/history`,
      headers: admin,
    });
    expect(history.body).not.toContain('Secret Name');
    const viewer = await login('viewer');
    const asViewer = await app.inject({ method: 'GET', url: `/api/v1/casualties/${c.id}`, headers: viewer });
    expect(asViewer.statusCode).toBe(200);
    expect(asViewer.body).not.toContain('Secret Name');
  });

  it('rejects a reference to a record that does not exist, with its pointer', async () => {
    const r = await post('/api/v1/findings', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [46, 39] },
      properties: { category: 'AP', foundOn: '2024-01-01', hazardId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('record.reference_not_found');
    expect(r.json().pointer).toBe('/properties/hazardId');
  });

  it('answers in Russian and Arabic when asked', async () => {
    const r = await app.inject({
      method: 'GET',
      url: '/api/v1/hazards',
      headers: { 'accept-language': 'ru' },
    });
    expect(r.json().detail).toMatch(/войдите/);
    const a = await app.inject({
      method: 'GET',
      url: '/api/v1/hazards',
      headers: { 'accept-language': 'ar' },
    });
    expect(a.json().detail).toMatch(/سجّل/);
  });

  it('refuses direct writes from a viewer', async () => {
    const viewer = await login('viewer');
    const before = await hazardCount();
    const r = await post(
      '/api/v1/hazards',
      { type: 'Feature', geometry: square(46.99, 39.99), properties: { type: 'SHA' } },
      viewer,
    );
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe('auth.forbidden');
    expect(await hazardCount()).toBe(before);
  });

  it('downloads the current filter as CSV', async () => {
    const tag = unique('Csv ');
    await post('/api/v1/hazards', {
      type: 'Feature',
      geometry: square(46.8, 39.8),
      properties: { type: 'SHA', name: tag },
    });
    const r = await app.inject({
      method: 'GET',
      url: `/api/v1/hazards?format=csv&q=${encodeURIComponent(tag)}`,
      headers: admin,
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/csv');
    const lines = r.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(tag);
  });

  it('links and unlinks the sources supporting a record, with an audit entry', async () => {
    const { hazardId } = await parents();
    const source = (
      await post('/api/v1/sources', { kind: 'operator_report', title: unique('Survey report ') })
    ).json();
    const linked = await post(`/api/v1/hazards/${hazardId}/sources`, { sourceId: source.id });
    expect(linked.statusCode, linked.body).toBe(201);
    expect(linked.json().items.map((s: { id: string }) => s.id)).toEqual([source.id]);
    const missing = await post(`/api/v1/hazards/${hazardId}/sources`, {
      sourceId: '00000000-0000-4000-8000-000000000000',
    });
    expect(missing.json().code).toBe('record.reference_not_found');
    const gone = await app.inject({
      method: 'DELETE',
      url: `/api/v1/hazards/${hazardId}/sources/${source.id}`,
      headers: admin,
    });
    expect(gone.statusCode).toBe(204);
    expect(
      (await app.inject({ method: 'GET', url: `/api/v1/hazards/${hazardId}/sources`, headers: admin })).json()
        .items,
    ).toEqual([]);
    const history = (
      await app.inject({ method: 'GET', url: `/api/v1/hazards/${hazardId}/history`, headers: admin })
    ).json().items;
    expect(history.map((h: { action: string }) => h.action)).toEqual(
      expect.arrayContaining(['link_source', 'unlink_source']),
    );
  });

  it('stores an attachment with its SHA-256 and serves it back', async () => {
    const { hazardId } = await parents();
    const boundary = '----sgtest';
    const content = 'photo bytes \u00e9';
    const body = [
      `--${boundary}\r\nContent-Disposition: form-data; name="recordType"\r\n\r\nhazards\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="recordId"\r\n\r\n${hazardId}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="note.txt"\r\nContent-Type: text/plain\r\n\r\n${content}\r\n`,
      `--${boundary}--\r\n`,
    ].join('');
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/attachments',
      headers: { ...admin, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(r.statusCode, r.body).toBe(201);
    const { createHash } = await import('node:crypto');
    expect(r.json().sha256).toBe(createHash('sha256').update(content).digest('hex'));
    const back = await app.inject({
      method: 'GET',
      url: `/api/v1/attachments/${r.json().id}/content`,
      headers: admin,
    });
    expect(back.body).toBe(content);
  });
});
