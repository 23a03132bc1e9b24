import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { geodesicInverse } from '../../src/geo/geodesic.ts';
import { type PhotoFacts, photo, uploadBody } from '../fixtures/evidence/photos.ts';
import { login, testApp, testDatabase, unique } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';
import { pdfText } from './helpers/pdf.ts';

/**
 * A whole scenario entered through the API as an authority would, then every inference compared
 * with what the planted facts imply.
 *
 * North district (45.1–45.2 E, 39.98–40.08 N): controlled by "Administration X" from 1994-05-12
 * to 2023-09-20, accessible to the authority from 2023-10-01 (a period given by its admin area).
 * Hazard HN holds a handed-over record laid on 1993-06-15 declaring TM-62M and PMN.
 * South district (45.1–45.2 E, 39.5–39.6 N): a polygon inside hazard HS was inaccessible from
 * 2020-09-27 to 2020-11-10 (no accessibleFrom: accessible from its end); HS has no record and a
 * clearance completed on 2021-06-30. The catalogue (as this test's authority entered it): OZM-72
 * produced from 1972, PMN-4 from 2024 (a fictional year, to plant a catalogue-only bound).
 *
 * Devices (HN, found 2024-02-10 unless said):
 *   n1 PMN, year 1990                         → no flag
 *   n2 TM-62M, Plant A, lot A-07, year 1993   → no flag (a year reads as its first day: 1993-01-01)
 *   n3 TM-62M, Plant A, lot B-99, made 1999-04-02 → after the record, after the period began
 *   n4 OZM-72 (catalogue from 1972), year 1999 → the same, and a model the record does not declare
 *   n5 PMN-4 (catalogue from 2024), no marking → after the record, after accessible, undeclared
 *   n6 2 × TM-62M, Plant A, lot C-23, made 2023-11-15 → after the record, after accessible
 *   n7 POM-2, no marking                      → undeclared only
 *   n8 PMN, year 1991, at the hazard's far corner, outside the record's uncertainty → no flag
 * Devices (South, found 2024-03-02):
 *   s1 TM-62M, "PLANT A", lot "c-23" (no year; the lot of n6 written otherwise), in the polygon
 *      → bounded by n6's date: after accessible, after the clearance, on no record
 *   s2 MON-50, made 2020-10-05, in the polygon → after the period began, on no record
 *   s3 PMN, year 2022, in HS outside the polygon → after the clearance, on no record
 *   s4 PMN, year 2019, in no hazard → on no record
 * n6–n8 and s1–s4 are reported after the others, which are approved as of 2024-12-01.
 */

type Json = Record<string, any>;
let app: FastifyInstance;
let admin: Record<string, string>;
const recordFile = new URL('../fixtures/records/soviet-gk8-magnetic-paces.json', import.meta.url).pathname;
const fixtureRecord = JSON.parse(readFileSync(recordFile, 'utf8'));
const AS_AT = '2025-01-15';

const ids: Record<string, string> = {};
const codes: Record<string, string> = {};
const points: Record<string, [number, number]> = {};
const uploads: Record<string, Json> = {};
const bytesOf: Record<string, Buffer> = {};

async function post(url: string, payload: unknown) {
  const r = await app.inject({ method: 'POST', url, payload: payload as object, headers: admin });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as Json;
}

async function get(url: string, headers = admin) {
  const r = await app.inject({ method: 'GET', url, headers });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as Json;
}

async function finding(name: string, at: [number, number], properties: Json) {
  const f = await post('/api/v1/findings', {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: at },
    properties: { category: 'AV', foundOn: '2024-02-10', ...properties },
  });
  ids[name] = f.id;
  codes[name] = f.properties.code;
  points[name] = at;
}

async function attach(name: string, recordType: string, recordId: string, facts: PhotoFacts) {
  const bytes = await photo(facts);
  const body = uploadBody(
    { recordType, recordId },
    { filename: `${name}.jpg`, mediaType: 'image/jpeg', bytes },
  );
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/attachments',
    payload: body.payload,
    headers: { ...admin, ...body.headers },
  });
  expect(r.statusCode, r.body).toBe(201);
  uploads[name] = r.json();
  bytesOf[name] = bytes;
}

async function catalogueYear(model: string, productionStartYear: number) {
  const m = (await get(`/api/v1/ordnance?q=${model}`)).items.find((x: Json) => x.model === model);
  const r = await app.inject({
    method: 'PATCH',
    url: `/api/v1/ordnance/${m.id}`,
    payload: { productionStartYear },
    headers: { ...admin, 'if-match': `"${m.version}"` },
  });
  expect(r.statusCode, r.body).toBe(200);
  return m.id as string;
}

const mon50Id = () => ids.mon50;
const metres = (a: [number, number], b: [number, number]) =>
  geodesicInverse(a[1], a[0], b[1], b[0]).distanceM;

beforeAll(async () => {
  app = await testApp();
  admin = await login('admin');
  const source = await post('/api/v1/sources', { kind: 'un_document', title: unique('Letter ') });
  ids.source = source.id;
  const organisation = await post('/api/v1/organisations', { name: unique('Operator '), kind: 'ngo' });
  const north = await post('/api/v1/admin-areas', {
    type: 'Feature',
    geometry: square(45.1, 39.98, 0.1),
    properties: { pcode: unique('PN'), name: unique('North '), level: 2 },
  });
  ids.north = north.id;
  const south = await post('/api/v1/admin-areas', {
    type: 'Feature',
    geometry: square(45.1, 39.5, 0.1),
    properties: { pcode: unique('PS'), name: unique('South '), level: 2 },
  });
  ids.south = south.id;
  const p1 = await post('/api/v1/control-periods', {
    type: 'Feature',
    properties: {
      kind: 'controlled_by',
      controlledBy: 'Administration X',
      adminAreaId: north.id,
      startDate: '1994-05-12',
      endDate: '2023-09-20',
      accessibleFrom: '2023-10-01',
      sourceId: source.id,
    },
  });
  codes.p1 = p1.properties.code;
  ids.p1 = p1.id;
  const p2 = await post('/api/v1/control-periods', {
    type: 'Feature',
    geometry: square(45.14, 39.54, 0.005),
    properties: { kind: 'inaccessible', startDate: '2020-09-27', endDate: '2020-11-10', sourceId: source.id },
  });
  codes.p2 = p2.properties.code;
  ids.p2 = p2.id;
  const hn = await post('/api/v1/hazards', {
    type: 'Feature',
    geometry: square(45.144, 40.002, 0.006),
    properties: { type: 'CHA', name: unique('Mill field ') },
  });
  ids.hn = hn.id;
  const hs = await post('/api/v1/hazards', {
    type: 'Feature',
    geometry: square(45.14, 39.54, 0.01),
    properties: { type: 'CHA', name: unique('Orchard ') },
  });
  ids.hs = hs.id;
  const record = await post('/api/v1/minefield-records', {
    type: 'Feature',
    properties: { hazardId: hn.id, record: fixtureRecord },
  });
  ids.record = record.id;
  codes.record = record.properties.code;
  const clearance = await post('/api/v1/activities', {
    type: 'Feature',
    properties: {
      kind: 'clearance',
      organisationId: organisation.id,
      hazardId: hs.id,
      status: 'completed',
      startDate: '2021-04-01',
      endDate: '2021-06-30',
    },
  });
  codes.clearance = clearance.properties.code;
  const ozm = await catalogueYear('OZM-72', 1972);
  const pmn4 = await catalogueYear('PMN-4', 2024);
  ids.pmn4 = pmn4;
  const mon50 = (await get('/api/v1/ordnance?q=MON-50')).items.find((x: Json) => x.model === 'MON-50').id;
  ids.mon50 = mon50;

  await finding('n1', [45.1465, 40.0035], {
    category: 'AP',
    modelText: 'PMN',
    yearOfManufacture: 1990,
    hazardId: hn.id,
  });
  await finding('n2', [45.1466, 40.0035], {
    modelText: 'TM-62M',
    manufacturer: 'Plant A',
    lot: 'A-07',
    yearOfManufacture: 1993,
    hazardId: hn.id,
  });
  await finding('n3', [45.1467, 40.0035], {
    modelText: 'TM-62M',
    manufacturer: 'Plant A',
    factoryCode: '570',
    lot: 'B-99',
    manufacturedOn: '1999-04-02',
    marking: 'ТМ-62М 99-04 570',
    hazardId: hn.id,
  });
  await finding('n4', [45.1465, 40.0036], {
    category: 'AP',
    ordnanceId: ozm,
    yearOfManufacture: 1999,
    hazardId: hn.id,
  });
  await finding('n5', [45.1466, 40.0036], { category: 'AP', ordnanceId: pmn4, hazardId: hn.id });
  await finding('s4', [45.17, 39.57], {
    category: 'AP',
    modelText: 'PMN',
    yearOfManufacture: 2019,
    foundOn: '2024-03-02',
  });
  // What was reported by 2024-12-01: approved then (a test cannot wait for days).
  const database = await testDatabase();
  await sql`update record_changes set created_at = '2024-12-01T12:00:00Z',
    date_of_information = least(date_of_information, '2024-12-01')`.execute(database.db);

  await finding('n6', [45.1467, 40.0036], {
    modelText: 'TM-62M',
    manufacturer: 'Plant A',
    lot: 'C-23',
    manufacturedOn: '2023-11-15',
    quantity: 2,
    hazardId: hn.id,
  });
  await finding('n7', [45.1468, 40.0036], { category: 'AP', modelText: 'POM-2', hazardId: hn.id });
  await finding('n8', [45.1497, 40.0078], {
    category: 'AP',
    modelText: 'PMN',
    yearOfManufacture: 1991,
    hazardId: hn.id,
  });
  const south2 = { foundOn: '2024-03-02', hazardId: hs.id };
  await finding('s1', [45.142, 39.542], {
    modelText: 'TM-62M',
    manufacturer: 'PLANT A',
    lot: 'c-23',
    ...south2,
  });
  // MON-50 as the seeded catalogue names it, with no production year entered.
  await finding('s2', [45.143, 39.543], {
    category: 'AP',
    ordnanceId: mon50,
    manufacturedOn: '2020-10-05',
    ...south2,
  });
  await finding('s3', [45.148, 39.548], {
    category: 'AP',
    modelText: 'PMN',
    yearOfManufacture: 2022,
    ...south2,
  });

  const visit = await post('/api/v1/site-visits', {
    type: 'Feature',
    geometry: square(45.144, 40.002, 0.006),
    properties: {
      visitedOn: '2024-02-20',
      title: 'Visit of the diplomatic corps',
      visitors: [{ name: 'Heads of mission of 9 embassies', organisation: 'Diplomatic corps' }],
      hazardIds: [hn.id],
      findingIds: [ids.n3, ids.n6],
      observations: 'Shown the devices lifted in February.',
      sourceId: source.id,
    },
  });
  ids.visit = visit.id;
  codes.visit = visit.properties.code;

  // n3: taken 8.5 m east of the device the day after it was found, the zone stated.
  await attach('near', 'findings', ids.n3, {
    position: [45.1468, 40.0035],
    taken: '2024:02:11 09:15:00',
    offset: '+04:00',
  });
  // s1: taken where n6 lies, 50 km north, 18 days after s1 was found.
  await attach('far', 'findings', ids.s1, {
    position: [45.1467, 40.0036],
    horizontalErrorM: 5,
    taken: '2024:03:20 14:00:00',
    offset: '+04:00',
  });
  // n6: no position, no zone, the day it was found.
  await attach('nogps', 'findings', ids.n6, { taken: '2024:02:10 16:00:00', make: 'Nokia' });
  // The visit: inside its polygon, on its day.
  await attach('visit', 'site-visits', visit.id, {
    position: [45.147, 40.005],
    taken: '2024:02:20 11:00:00',
  });
}, 600_000);

const flagsOf = (p: Json, name: string) =>
  p.findings
    .find((f: Json) => f.id === ids[name])
    .flags.map((x: Json) => x.code)
    .sort();
const flagOf = (p: Json, name: string, code: string) =>
  p.findings.find((f: Json) => f.id === ids[name]).flags.find((x: Json) => x.code === code);

/** The flags each device must raise, from the facts planted above. */
const EXPECTED: Record<string, string[]> = {
  n1: [],
  n2: [],
  n3: ['manufactured_after_period_start', 'manufactured_after_record'],
  n4: ['manufactured_after_period_start', 'manufactured_after_record', 'model_not_declared'],
  n5: ['manufactured_after_accessible', 'manufactured_after_record', 'model_not_declared'],
  n6: ['manufactured_after_accessible', 'manufactured_after_record'],
  n7: ['model_not_declared'],
  n8: [],
  s1: ['manufactured_after_accessible', 'manufactured_after_activity', 'not_on_record'],
  s2: ['manufactured_after_period_start', 'not_on_record'],
  s3: ['manufactured_after_activity', 'not_on_record'],
  s4: ['not_on_record'],
};
const EARLIEST: Record<string, string | null> = {
  n1: '1990-01-01',
  n2: '1993-01-01',
  n3: '1999-04-02',
  n4: '1999-01-01',
  n5: '2024-01-01',
  n6: '2023-11-15',
  n7: null,
  n8: '1991-01-01',
  s1: '2023-11-15',
  s2: '2020-10-05',
  s3: '2022-01-01',
  s4: '2019-01-01',
};

describe('the flags of every device', () => {
  it('raises in each district exactly the flags its control period, record and clearance imply', async () => {
    const north = await get(`/api/v1/provenance?adminArea=${ids.north}`);
    expect(north.findings.map((f: Json) => f.code).sort()).toEqual(
      ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8'].map((n) => codes[n]).sort(),
    );
    const south = await get(`/api/v1/provenance?adminArea=${ids.south}`);
    expect(south.findings.map((f: Json) => f.code).sort()).toEqual(
      ['s1', 's2', 's3', 's4'].map((n) => codes[n]).sort(),
    );
    for (const [name, flags] of Object.entries(EXPECTED)) {
      const p = name.startsWith('n') ? north : south;
      expect(flagsOf(p, name), name).toEqual(flags);
      expect(p.findings.find((f: Json) => f.id === ids[name]).earliestLayingDate, name).toBe(EARLIEST[name]);
    }
  });

  it('states the facts and assumptions behind each flag', async () => {
    const north = await get(`/api/v1/provenance?hazard=${ids.hn}`);
    expect(flagOf(north, 'n3', 'manufactured_after_period_start')).toMatchObject({
      facts: {
        period: codes.p1,
        kind: 'controlled_by',
        controlledBy: 'Administration X',
        startDate: '1994-05-12',
        endDate: '2023-09-20',
        earliestLayingDate: '1999-04-02',
        basis: 'date_of_manufacture',
      },
      assumptions: ['marking_read_correctly', 'not_laid_before_made', 'period_area', 'found_where_laid'],
    });
    expect(flagOf(north, 'n4', 'manufactured_after_record')).toMatchObject({
      facts: {
        record: codes.record,
        layingDate: '1993-06-15',
        earliestLayingDate: '1999-01-01',
        basis: 'year_of_manufacture',
        yearOfManufacture: 1999,
      },
      assumptions: [
        'marking_read_correctly',
        'not_laid_before_made',
        'year_first_day',
        'record_describes_hazard',
        'found_where_laid',
      ],
    });
    // Both bounds of n4 are stated; the latest (the year marked) is the one used.
    const n4 = north.findings.find((f: Json) => f.id === ids.n4);
    expect(n4.bounds.map((b: Json) => [b.basis, b.date])).toEqual([
      ['year_of_manufacture', '1999-01-01'],
      ['catalogue', '1972-01-01'],
    ]);
    expect(flagOf(north, 'n5', 'manufactured_after_accessible')).toMatchObject({
      facts: {
        period: codes.p1,
        accessibleFrom: '2023-10-01',
        earliestLayingDate: '2024-01-01',
        basis: 'catalogue',
        model: 'PMN-4',
        productionStartYear: 2024,
      },
      assumptions: ['catalogue_dates', 'not_laid_before_made', 'period_area', 'found_where_laid'],
    });
    // The model's page (its production years and their source) is named by the finding.
    expect(north.findings.find((f: Json) => f.id === ids.n5).ordnanceId).toBe(ids.pmn4);
    expect(flagOf(north, 'n7', 'model_not_declared')).toMatchObject({
      facts: { record: codes.record, model: 'POM-2', declared: 'TM-62M, PMN' },
      assumptions: ['record_describes_hazard', 'record_declares_all', 'found_where_laid'],
    });
    expect(flagOf(north, 'n6', 'manufactured_after_accessible').message).toContain('2023-10-01');

    const south = await get(`/api/v1/provenance?hazard=${ids.hs}`);
    const s1 = south.findings.find((f: Json) => f.id === ids.s1);
    expect(s1.bounds).toEqual([
      { basis: 'lot', date: '2023-11-15', facts: { lot: 'c-23', markedOn: codes.n6 } },
    ]);
    expect(flagOf(south, 's1', 'manufactured_after_accessible')).toMatchObject({
      // An inaccessible period with no accessibleFrom is accessible from its end.
      facts: { period: codes.p2, kind: 'inaccessible', accessibleFrom: '2020-11-10', basis: 'lot' },
      assumptions: [
        'marking_read_correctly',
        'not_laid_before_made',
        'lot_made_together',
        'period_area',
        'found_where_laid',
      ],
    });
    expect(flagOf(south, 's1', 'manufactured_after_activity')).toMatchObject({
      facts: { activity: codes.clearance, kind: 'clearance', endDate: '2021-06-30' },
    });
    expect(flagOf(south, 's2', 'manufactured_after_period_start').facts).toMatchObject({
      period: codes.p2,
      startDate: '2020-09-27',
      earliestLayingDate: '2020-10-05',
    });
    expect(flagOf(south, 's3', 'not_on_record')).toMatchObject({
      facts: { hazardId: ids.hs, recordsInScope: 0 },
      assumptions: ['found_where_laid'],
    });
    // Read as at today, the seeded model (installed, never reported) is still named.
    const today = new Date().toISOString().slice(0, 10);
    const dated = await get(`/api/v1/provenance?hazard=${ids.hs}&asAt=${today}`);
    expect(dated.findings.find((f: Json) => f.id === ids.s2)).toMatchObject({
      model: 'MON-50',
      ordnanceId: mon50Id(),
    });
    expect(flagsOf(dated, 's2')).toEqual(EXPECTED.s2);
    expect(south.inputs.controlPeriods.map((c: Json) => c.code).sort()).toEqual([codes.p1, codes.p2].sort());
  });

  it('sums the flags per hazard', async () => {
    const north = await get(`/api/v1/provenance?hazard=${ids.hn}`);
    expect(north.groups).toEqual([
      expect.objectContaining({
        hazardId: ids.hn,
        findings: 8,
        devices: 9,
        devicesWithBound: 8,
        earliestCompleteDate: '2024-01-01',
        earliestBoundDate: '1990-01-01',
        devicesByYearOfManufacture: { '1990': 1, '1991': 1, '1993': 1, '1999': 2, '2023': 2 },
        flags: {
          manufactured_after_record: 5,
          manufactured_after_period_start: 2,
          manufactured_after_accessible: 3,
          model_not_declared: 3,
        },
      }),
    ]);
  });

  it('filters the devices manufactured in or after a year', async () => {
    const r = await get('/api/v1/findings?manufacturedFrom=2022&limit=1000');
    expect(r.features.map((f: Json) => f.properties.code).sort()).toEqual([codes.n6, codes.s3].sort());
  });

  it('as at 2025-01-15 knows only what was approved by then', async () => {
    const p = await get(`/api/v1/provenance?adminArea=${ids.north}&asAt=${AS_AT}`);
    expect(p.findings.map((f: Json) => f.code).sort()).toEqual(
      ['n1', 'n2', 'n3', 'n4', 'n5'].map((n) => codes[n]).sort(),
    );
    for (const name of ['n1', 'n2', 'n3', 'n4', 'n5']) expect(flagsOf(p, name), name).toEqual(EXPECTED[name]);
  });
});

describe('lots', () => {
  it('groups the lot found in both districts, however its marking was written, with the distance between', async () => {
    const r = await get(`/api/v1/provenance/lots?hazard=${ids.hn}`);
    expect(r.lots.map((l: Json) => [l.lot, l.findings, l.devices])).toEqual([
      ['C-23', 2, 3],
      ['A-07', 1, 1],
      ['B-99', 1, 1],
    ]);
    const c23 = r.lots[0];
    expect(c23).toMatchObject({
      model: 'TM-62M',
      manufacturer: 'Plant A',
      firstFoundOn: '2024-02-10',
      lastFoundOn: '2024-03-02',
      yearsOfManufacture: [2023],
    });
    expect([...c23.hazards].sort()).toEqual([ids.hn, ids.hs].sort());
    expect([...c23.farthestPair].sort()).toEqual([codes.n6, codes.s1].sort());
    expect(c23.maxDistanceM).toBeCloseTo(metres(points.n6!, points.s1!), 3);
    expect(c23.maxDistanceM).toBeGreaterThan(50_000);
    const fromSouth = await get(`/api/v1/provenance/lots?adminArea=${ids.south}`);
    expect(fromSouth.lots.map((l: Json) => [l.findings, l.maxDistanceM])).toEqual([[2, c23.maxDistanceM]]);
  });
});

describe('photos checked against their records', () => {
  it('measures the metres and days to the record, and says plainly what a file does not hold', async () => {
    const near = uploads.near!;
    expect(near.sha256).toBe(createHash('sha256').update(bytesOf.near!).digest('hex'));
    expect(near.evidence.distanceM).toBeCloseTo(metres(points.n3!, [45.1468, 40.0035]), 1);
    expect(near.evidence.distanceM).toBeGreaterThan(8);
    expect(near.evidence.distanceM).toBeLessThan(9);
    expect(near.evidence.days).toBe(1);
    expect(near.evidence.findings.map((f: Json) => [f.code, f.status])).toEqual([
      ['evidence.place.within', 'consistent'],
      ['evidence.time.within', 'consistent'],
      ['evidence.clock.stated', 'note'],
      ['evidence.accuracy.not_stated', 'note'],
    ]);

    const far = uploads.far!;
    expect(far.evidence.distanceM).toBeCloseTo(metres(points.s1!, points.n6!), 0);
    expect(far.evidence.days).toBe(18);
    expect(far.evidence.recordDate).toBe('2024-03-02');
    expect(far.evidence.findings.map((f: Json) => [f.code, f.status])).toEqual([
      ['evidence.place.beyond', 'inconsistent'],
      ['evidence.time.after', 'inconsistent'],
      ['evidence.clock.stated', 'note'],
      ['evidence.accuracy.stated', 'note'],
    ]);

    const bare = uploads.nogps!;
    expect(bare.metadata).toMatchObject({
      position: null,
      takenLocal: '2024-02-10T16:00:00',
      cameraMake: 'Nokia',
    });
    expect(bare.evidence.distanceM).toBeNull();
    expect(bare.evidence.days).toBe(0);
    expect(bare.evidence.findings[0]).toMatchObject({
      code: 'evidence.place.no_position',
      status: 'undetermined',
      message: 'No position in the file: where the photo was taken cannot be compared with the record.',
    });

    expect(uploads.visit!.evidence.distanceM).toBe(0);
    expect(uploads.visit!.evidence.days).toBe(0);

    // The list of a record's files gives the same check, recomputed.
    const listed = await get(`/api/v1/attachments?recordType=findings&recordId=${ids.s1}`);
    expect(listed.items.map((a: Json) => [a.sha256, a.evidence.distanceM])).toEqual([
      [far.sha256, far.evidence.distanceM],
    ]);
  });
});

describe('completeness of the handed-over record as at two dates', () => {
  it('counts what was approved as at 2025-01-15, and what is known today', async () => {
    const before = await get(`/api/v1/minefield-records/${ids.record}/completeness?asAt=${AS_AT}`);
    expect(before).toMatchObject({
      assessed: true,
      devicesFound: 5,
      devicesInsideUncertainty: 5,
      shareInsideUncertainty: 1,
      declaredCount: 69,
      foundOverDeclared: 5 / 69,
      devicesOfUndeclaredModels: 2,
    });
    expect(before.undeclaredModels.map((m: Json) => m.model).sort()).toEqual(['OZM-72', 'PMN-4']);
    const now = await get(`/api/v1/minefield-records/${ids.record}/completeness`);
    expect(now).toMatchObject({
      assessed: true,
      devicesFound: 9,
      devicesInsideUncertainty: 8,
      shareInsideUncertainty: 8 / 9,
      foundOverDeclared: 9 / 69,
      devicesOfUndeclaredModels: 3,
    });
    expect(now.undeclaredModels.map((m: Json) => m.model).sort()).toEqual(['OZM-72', 'PMN-4', 'POM-2']);
    expect(now.method).toContain('95');
  });

  it('names the hazard with findings but no record, and the devices in no hazard', async () => {
    const before = await get(`/api/v1/provenance/completeness?asAt=${AS_AT}`);
    expect(before).toMatchObject({
      asAt: AS_AT,
      recordsAssessed: 1,
      devicesFound: 5,
      hazardsWithFindingsButNoRecord: [],
      devicesWithoutHazard: 1,
    });
    const now = await get('/api/v1/provenance/completeness');
    expect(now).toMatchObject({
      recordsAssessed: 1,
      devicesFound: 9,
      devicesInsideUncertainty: 8,
      devicesOfUndeclaredModels: 3,
      hazardsWithFindingsButNoRecord: [{ hazardId: ids.hs, devices: 3 }],
      devicesWithoutHazard: 1,
    });
  });
});

describe('the evidence dossier', () => {
  it('carries the flags, the visit and the photo checks the scenario implies, and its PDF is made', async (ctx) => {
    const refs = `hazards:${ids.hn},findings:${ids.n3},findings:${ids.s1}`;
    const r = await get(`/api/v1/outputs/evidence-dossier?records=${refs}`);
    const blocks = r.document.blocks as Json[];

    const flags = blocks.find((b) => b.kind === 'table' && b.sheet?.endsWith('provenance'))!;
    const expected = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8']
      .sort((a, b) => codes[a]!.localeCompare(codes[b]!))
      .flatMap((n) => (EXPECTED[n]!.length ? EXPECTED[n]!.map((c) => [codes[n], c]) : [[codes[n], null]]));
    const api = await get(`/api/v1/provenance?hazard=${ids.hn}`);
    const codeOfMessage = new Map<string, string>(
      api.findings.flatMap((f: Json) => f.flags.map((x: Json) => [`${f.code}|${x.message}`, x.code])),
    );
    const got = flags.rows.map((row: unknown[]) => [
      row[0],
      codeOfMessage.get(`${row[0]}|${row[5]}`) ?? null,
    ]);
    expect(got.map(String).sort()).toEqual(expected.map(String).sort());
    const n5row = flags.rows.find(
      (row: unknown[]) => row[0] === codes.n5 && String(row[5]).includes('2023-10-01'),
    );
    expect(n5row[4]).toBe('2024-01-01');
    expect(n5row[6]).toContain(`period: ${codes.p1}`);
    expect(n5row[7]).toContain('catalogue');

    const visits = blocks.find((b) => b.kind === 'table' && b.sheet?.endsWith('visits'))!;
    expect(visits.rows).toEqual([
      [
        codes.visit,
        '2024-02-20',
        'Visit of the diplomatic corps',
        'Heads of mission of 9 embassies (Diplomatic corps)',
        `${codes.n3}, ${codes.n6}`,
        1,
      ],
    ]);

    // The files of each finding with their hash, what they hold, and the check against it.
    const files = (code: string) =>
      blocks.find((b) => b.kind === 'table' && b.sheet === `${code} files`) ??
      blocks.find(
        (b) => b.kind === 'table' && b.title.includes(code) && b.title.toLowerCase().includes('attach'),
      );
    const n3files = files(codes.n3!)!;
    expect(n3files.rows).toHaveLength(1);
    const n3row = n3files.rows[0].map(String);
    expect(n3row).toContain(uploads.near!.sha256);
    expect(n3row.join(' ')).toContain('2024-02-11T09:15:00+04:00');
    expect(n3row).toContain(String(uploads.near!.evidence.distanceM));
    const s1row = files(codes.s1!)!.rows[0].map(String);
    expect(s1row).toContain(uploads.far!.sha256);
    expect(s1row).toContain('18');
    expect(s1row.join(' ')).toContain(uploads.far!.evidence.findings[0].message);

    const pdf = await app.inject({
      method: 'GET',
      url: `/api/v1/outputs/evidence-dossier?records=${refs}&format=pdf`,
      headers: admin,
    });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    const text = pdfText(ctx, pdf.rawPayload);
    for (const c of [codes.n3, codes.n5, codes.s1, codes.visit, codes.record]) expect(text).toContain(c);
    expect(text.replace(/\s+/g, '')).toContain(uploads.far!.sha256.slice(0, 16));
  });
});
