import { beforeAll, describe, expect, it } from 'vitest';
import { present } from '../../src/http/routes/registers.ts';
import { encodeCursor, parseListQuery } from '../../src/services/list-query.ts';
import { geoJsonText } from '../../src/services/registers.ts';
import { login, testApp, testDatabaseKind, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';

/**
 * A list of a register with a geometry is written as JSON text (geometry as PostGIS wrote it,
 * admin-area names from the list's own statement): its bytes must be those of the records read
 * through the register service, turned into features and written by JSON.stringify.
 */
let admin: Record<string, string>;
const prefix = unique('JSON list ');
const box = (w: number, s: number, d: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [w + d, s],
      [w + d, s + d],
      [w, s + d],
      [w, s],
    ],
  ],
});

beforeAll(async () => {
  admin = await login('admin');
  // An admin area around some of them, so names are not all null.
  const area = await call('POST', '/api/v1/admin-areas', admin, {
    type: 'Feature',
    geometry: { type: 'MultiPolygon', coordinates: [box(-0.5, -0.5, 1).coordinates] },
    properties: { pcode: unique('PC'), name: unique('Around zero '), level: 1, parentId: null },
  });
  expect(area.statusCode, area.body).toBe(201);
  // Coordinates JavaScript writes otherwise than PostGIS (1e-7, -0), ordinary ones, a benchmark
  // point, and a record with the optional fields left empty.
  const hazards = [
    { geometry: box(0.0000001, -0.0000002, 0.001), properties: { name: `${prefix} tiny` } },
    { geometry: box(-0.001, 0, 0.001), properties: { name: `${prefix} zero` } },
    {
      geometry: box(61.123456789, 33.987654321, 0.0123),
      properties: {
        name: `${prefix} plain "quoted" \\ ünïcode`,
        benchmark: { type: 'Point', coordinates: [61.1234, 33.9876] },
        deviceCategories: ['AP', 'AV'],
      },
    },
    { geometry: box(62.5, 34.5, 0.5), properties: { name: `${prefix} big` } },
  ];
  for (const h of hazards) {
    const r = await call('POST', '/api/v1/hazards', admin, {
      type: 'Feature',
      geometry: h.geometry,
      properties: { type: 'SHA', ...h.properties },
    });
    expect(r.statusCode, r.body).toBe(201);
  }
});

async function objectAnswer(url: string) {
  const app = await testApp();
  const service = app.services.registers.get('hazards')!;
  const query = Object.fromEntries(new URL(url, 'http://x').searchParams) as Record<string, string>;
  const parsed = parseListQuery(service.def, query);
  const actor = { id: null, email: 'x', role: 'admin' as const, organisationId: null };
  const page = await service.list(actor, parsed);
  return JSON.stringify({
    type: 'FeatureCollection',
    features: page.records.map((r) => present(service.def, r)),
    nextCursor: page.next ? encodeCursor(parsed.sort, page.next) : null,
    ...(query.count === 'true' ? { total: await service.count(actor, parsed) } : {}),
  });
}

describe(`lists as JSON text on ${testDatabaseKind()}`, () => {
  it('writes the same bytes as the records written by JSON.stringify', async () => {
    const q = encodeURIComponent(prefix);
    for (const url of [
      `/api/v1/hazards?q=${q}`,
      `/api/v1/hazards?q=${q}&limit=2`,
      `/api/v1/hazards?q=${q}&sort=-name&count=true`,
      `/api/v1/hazards?bbox=-1,-1,1,1&limit=500`,
      `/api/v1/hazards?limit=3&sort=areaM2`,
    ]) {
      const r = await call('GET', url, admin);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(r.body, url).toBe(await objectAnswer(url));
    }
    const all = await call('GET', `/api/v1/hazards?q=${q}`, admin);
    const names = all.json().features.map((f: { properties: { adminAreaName: string | null } }) => f);
    expect(names).toHaveLength(4);
    expect(all.body).toContain('1e-7');
  });

  it('pages on with the cursor it gives', async () => {
    const q = encodeURIComponent(prefix);
    const first = await call('GET', `/api/v1/hazards?q=${q}&limit=3&sort=name`, admin);
    const cursor = first.json().nextCursor as string;
    expect(cursor).toBeTruthy();
    const second = await call('GET', `/api/v1/hazards?q=${q}&limit=3&sort=name&cursor=${cursor}`, admin);
    expect(second.json().features).toHaveLength(1);
    expect(second.json().nextCursor).toBeNull();
  });

  it('writes GeoJSON text as JSON.stringify would', () => {
    for (const text of [
      '{"type":"Point","coordinates":[0.0000001,-0.0000002]}',
      '{"type":"Point","coordinates":[-0,1.5]}',
      '{"type":"Point","coordinates":[61.123456789,33.1]}',
      '{"type":"Point","coordinates":[10,-20.000001]}',
    ])
      expect(geoJsonText(text)).toBe(JSON.stringify(JSON.parse(text)));
    expect(geoJsonText(null)).toBe('null');
  });
});
