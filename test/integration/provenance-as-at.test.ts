import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { login, testApp, testDatabase, unique } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';

/**
 * Record completeness as at a date: a handed-over record and three devices in its hazard,
 * approved in December 2024; then a device found in 2022 reported (back-dated) today. As at
 * 2025-01-15 the record's figures are those of the three devices; as at today, of four.
 */

type Json = Record<string, any>;
let app: FastifyInstance;
let admin: Record<string, string>;
const recordFile = new URL('../fixtures/records/soviet-gk8-magnetic-paces.json', import.meta.url).pathname;
const fixtureRecord = JSON.parse(readFileSync(recordFile, 'utf8'));
const AS_AT = '2025-01-15';
let recordId = '';
let hazardId = '';

async function post(url: string, payload: unknown) {
  const r = await app.inject({ method: 'POST', url, payload: payload as object, headers: admin });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as Json;
}

async function get(url: string) {
  const r = await app.inject({ method: 'GET', url, headers: admin });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as Json;
}

const finding = (lon: number, lat: number, properties: Json) =>
  post('/api/v1/findings', {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: { category: 'AV', foundOn: '2022-08-20', hazardId, ...properties },
  });

beforeAll(async () => {
  app = await testApp();
  admin = await login('admin');
  const hazard = await post('/api/v1/hazards', {
    type: 'Feature',
    geometry: square(45.144, 40.002, 0.006),
    properties: { type: 'CHA', name: unique('Back-dated field ') },
  });
  hazardId = hazard.id;
  recordId = (
    await post('/api/v1/minefield-records', {
      type: 'Feature',
      properties: { hazardId, record: fixtureRecord },
    })
  ).id;
  await finding(45.1467, 40.0036, { category: 'AP', modelText: 'PMN' });
  await finding(45.1466, 40.0035, { modelText: 'TM-62M' });
  await finding(45.1468, 40.0037, { category: 'AP', modelText: 'POM-3' });
  // Reported and approved in December 2024 (a test cannot wait for days).
  const database = await testDatabase();
  await sql`update record_changes set created_at = '2024-12-01T12:00:00Z',
    date_of_information = least(date_of_information, '2024-12-01')`.execute(database.db);
  // Found in 2022, reported today.
  await finding(45.1465, 40.0036, { category: 'AP', modelText: 'POM-3', foundOn: '2022-08-21' });
});

describe('record completeness as at a date', () => {
  it('leaves out a back-dated device approved after the as-at date, and counts it as at today', async () => {
    const before = await get(`/api/v1/minefield-records/${recordId}/completeness?asAt=${AS_AT}`);
    expect(before).toMatchObject({ assessed: true, devicesFound: 3, devicesOfUndeclaredModels: 1 });
    const now = await get(`/api/v1/minefield-records/${recordId}/completeness`);
    expect(now).toMatchObject({ assessed: true, devicesFound: 4, devicesOfUndeclaredModels: 2 });
    const today = new Date().toISOString().slice(0, 10);
    expect((await get(`/api/v1/minefield-records/${recordId}/completeness?asAt=${today}`)).devicesFound).toBe(
      4,
    );
  });

  it('gives the programme figures as at the date, naming it', async () => {
    const before = await get(`/api/v1/provenance/completeness?asAt=${AS_AT}`);
    expect(before.asAt).toBe(AS_AT);
    expect(before.devicesFound).toBe(3);
    expect((await get('/api/v1/provenance/completeness')).devicesFound).toBe(4);
  });

  it('does not find a record that did not exist yet', async () => {
    const r = await app.inject({
      method: 'GET',
      url: `/api/v1/minefield-records/${recordId}/completeness?asAt=2024-06-01`,
      headers: admin,
    });
    expect(r.statusCode).toBe(404);
  });
});
