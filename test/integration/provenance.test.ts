import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { geodesicInverse } from '../../src/geo/geodesic.ts';
import { login, testApp, unique } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';
import { pdfText } from './helpers/pdf.ts';

/**
 * A planted scenario: an admin area controlled by another administration from 1993-05-01 to
 * 2020-11-19 and accessible to the authority from 2020-12-01; a handed-over record laid on
 * 1993-06-15 declaring TM-62M and PMN; devices made in 1985, 2010, 2021 and of a model first
 * produced (in this test's catalogue) in 2015; a second hazard without a record holding a device
 * of the 2021 lot without a year of its own. The flags must be exactly what these facts imply.
 */

type Json = Record<string, any>;
let app: FastifyInstance;
let admin: Record<string, string>;
const recordFile = new URL('../fixtures/records/soviet-gk8-magnetic-paces.json', import.meta.url).pathname;
const fixtureRecord = JSON.parse(readFileSync(recordFile, 'utf8'));

const ids: Record<string, string> = {};
const codes: Record<string, string> = {};

async function post(url: string, payload: unknown) {
  const r = await app.inject({ method: 'POST', url, payload: payload as object, headers: admin });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as Json;
}

async function get(url: string, headers = admin) {
  return app.inject({ method: 'GET', url, headers });
}

async function finding(name: string, lon: number, lat: number, properties: Json) {
  const f = await post('/api/v1/findings', {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: { category: 'AV', foundOn: '2022-08-20', ...properties },
  });
  ids[name] = f.id;
  codes[name] = f.properties?.code ?? f.code;
}

beforeAll(async () => {
  app = await testApp();
  admin = await login('admin');
  const area = await post('/api/v1/admin-areas', {
    type: 'Feature',
    geometry: square(45.1, 39.98, 0.1),
    properties: { pcode: unique('PV'), name: unique('District '), level: 2 },
  });
  ids.area = area.id;
  const source = await post('/api/v1/sources', { kind: 'un_document', title: unique('Letter ') });
  ids.source = source.id;
  const period = await post('/api/v1/control-periods', {
    type: 'Feature',
    properties: {
      kind: 'controlled_by',
      controlledBy: 'Administration X',
      adminAreaId: area.id,
      startDate: '1993-05-01',
      endDate: '2020-11-19',
      accessibleFrom: '2020-12-01',
      sourceId: source.id,
    },
  });
  ids.period = period.id;
  codes.period = period.properties.code;
  const h1 = await post('/api/v1/hazards', {
    type: 'Feature',
    geometry: square(45.144, 40.002, 0.006),
    properties: { type: 'CHA', name: unique('Mill field ') },
  });
  ids.h1 = h1.id;
  const h2 = await post('/api/v1/hazards', {
    type: 'Feature',
    geometry: square(45.18, 40.05, 0.005),
    properties: { type: 'CHA', name: unique('Orchard ') },
  });
  ids.h2 = h2.id;
  const record = await post('/api/v1/minefield-records', {
    type: 'Feature',
    properties: { hazardId: h1.id, record: fixtureRecord },
  });
  ids.record = record.id;
  codes.record = record.properties.code;

  // The catalogue's first production year of PMN-4, as this test's authority entered it.
  const pmn4 = (await get('/api/v1/ordnance?q=PMN-4')).json().items.find((m: Json) => m.model === 'PMN-4');
  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/v1/ordnance/${pmn4.id}`,
    payload: { productionStartYear: 2015, manufacturers: [{ name: 'Plant B', factoryCode: '21' }] },
    headers: { ...admin, 'if-match': `"${pmn4.version}"` },
  });
  expect(patched.statusCode, patched.body).toBe(200);

  await finding('old', 45.1467, 40.0036, {
    category: 'AP',
    modelText: 'PMN',
    yearOfManufacture: 1985,
    hazardId: h1.id,
  });
  await finding('new', 45.1466, 40.0035, {
    modelText: 'TM-62M',
    manufacturer: 'Plant A',
    factoryCode: '570',
    lot: 'L-21-07',
    manufacturedOn: '2021-03-01',
    marking: 'ТМ-62М 21-07 570',
    hazardId: h1.id,
  });
  await finding('undeclared', 45.1468, 40.0037, {
    category: 'AP',
    modelText: 'POM-3',
    yearOfManufacture: 2010,
    hazardId: h1.id,
  });
  await finding('catalogued', 45.1465, 40.0036, { category: 'AP', ordnanceId: pmn4.id, hazardId: h1.id });
  await finding('elsewhere', 45.182, 40.052, {
    modelText: 'TM-62M',
    manufacturer: 'Plant A',
    lot: 'L-21-07',
    foundOn: '2022-09-02',
    hazardId: h2.id,
  });
});

describe('control periods register', () => {
  it('stores a period over an admin area with its source and reads it back with its history', async () => {
    const r = (await get(`/api/v1/control-periods/${ids.period}`)).json();
    expect(r.properties).toMatchObject({
      kind: 'controlled_by',
      controlledBy: 'Administration X',
      adminAreaId: ids.area,
      accessibleFrom: '2020-12-01',
      sourceId: ids.source,
    });
    expect(r.geometry).toBeNull();
    const history = (await get(`/api/v1/control-periods/${ids.period}/history`)).json();
    expect(history.items[0].action).toBe('create');
    const list = (await get('/api/v1/control-periods?kind=controlled_by')).json();
    expect(list.features.map((f: Json) => f.id)).toContain(ids.period);
  });

  it('refuses a period without an area, and one that ends before it starts', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/control-periods',
      payload: {
        type: 'Feature',
        properties: { kind: 'inaccessible', startDate: '2001-01-02', endDate: '2000-01-01' },
      },
      headers: admin,
    });
    expect(r.statusCode).toBe(400);
    const codesFound = [r.json().code, ...(r.json().errors ?? []).map((e: Json) => e.code)];
    expect(codesFound).toContain('control_period.area_missing');
    expect(codesFound).toContain('control_period.dates_reversed');
  });
});

describe('markings on findings', () => {
  it('keeps the structured markings and derives the year from a date of manufacture', async () => {
    const f = (await get(`/api/v1/findings/${ids.new}`)).json().properties;
    expect(f).toMatchObject({
      manufacturer: 'Plant A',
      factoryCode: '570',
      lot: 'L-21-07',
      manufacturedOn: '2021-03-01',
      yearOfManufacture: 2021,
    });
  });

  it('filters findings manufactured in or after a year', async () => {
    const r = (await get(`/api/v1/findings?manufacturedFrom=2021&limit=1000`)).json();
    expect(r.features.map((f: Json) => f.id)).toEqual([ids.new]);
    const since2010 = (await get(`/api/v1/findings?manufacturedFrom=2010&hazard=${ids.h1}`)).json();
    expect(since2010.features.map((f: Json) => f.id).sort()).toEqual([ids.new, ids.undeclared].sort());
    const bad = await get('/api/v1/findings?manufacturedFrom=twenty');
    expect(bad.statusCode).toBe(400);
  });
});

describe('provenance of the devices of a hazard and an area', () => {
  const flagsOf = (p: Json, name: string) =>
    p.findings
      .find((f: Json) => f.id === ids[name])
      .flags.map((x: Json) => x.code)
      .sort();

  it('raises exactly the flags the planted facts imply', async () => {
    const r = await get(`/api/v1/provenance?adminArea=${ids.area}`);
    expect(r.statusCode, r.body).toBe(200);
    const p = r.json();
    expect(flagsOf(p, 'old')).toEqual([]);
    expect(flagsOf(p, 'new')).toEqual(['manufactured_after_accessible', 'manufactured_after_record']);
    expect(flagsOf(p, 'undeclared')).toEqual([
      'manufactured_after_period_start',
      'manufactured_after_record',
      'model_not_declared',
    ]);
    expect(flagsOf(p, 'catalogued')).toEqual([
      'manufactured_after_period_start',
      'manufactured_after_record',
      'model_not_declared',
    ]);
    expect(flagsOf(p, 'elsewhere')).toEqual(['manufactured_after_accessible', 'not_on_record']);
  });

  it('states each bound and flag with its facts, assumptions and a sentence', async () => {
    const p = (await get(`/api/v1/provenance?hazard=${ids.h1}`)).json();
    const byId = Object.fromEntries(p.findings.map((f: Json) => [f.id, f]));
    expect(byId[ids.old].earliestLayingDate).toBe('1985-01-01');
    expect(byId[ids.new].earliestLayingDate).toBe('2021-03-01');
    expect(byId[ids.new].bounds[0]).toMatchObject({ basis: 'date_of_manufacture', date: '2021-03-01' });
    expect(byId[ids.catalogued].bounds).toEqual([
      { basis: 'catalogue', date: '2015-01-01', facts: { model: 'PMN-4', productionStartYear: 2015 } },
    ]);
    const after = byId[ids.new].flags.find((x: Json) => x.code === 'manufactured_after_record');
    expect(after.facts).toMatchObject({
      record: codes.record,
      layingDate: '1993-06-15',
      earliestLayingDate: '2021-03-01',
    });
    expect(after.assumptions).toEqual(
      expect.arrayContaining(['marking_read_correctly', 'not_laid_before_made', 'found_where_laid']),
    );
    expect(after.message).toContain('1993-06-15');
    expect(after.message).toContain(codes.record);
    const accessible = byId[ids.new].flags.find((x: Json) => x.code === 'manufactured_after_accessible');
    expect(accessible.facts).toMatchObject({
      period: codes.period,
      accessibleFrom: '2020-12-01',
      controlledBy: 'Administration X',
    });
    const declared = byId[ids.undeclared].flags.find((x: Json) => x.code === 'model_not_declared');
    expect(declared.facts).toMatchObject({ model: 'POM-3', record: codes.record });
    // The group of the hazard: cannot be complete as found before its latest-made device.
    expect(p.groups).toEqual([
      expect.objectContaining({
        hazardId: ids.h1,
        hazardCode: expect.stringMatching(/^HA-/),
        findings: 4,
        devices: 4,
        devicesWithBound: 4,
        earliestCompleteDate: '2021-03-01',
        earliestBoundDate: '1985-01-01',
        devicesByYearOfManufacture: { '1985': 1, '2010': 1, '2021': 1 },
      }),
    ]);
    expect(p.inputs.records.map((r: Json) => r.id)).toEqual([ids.record]);
    expect(p.inputs.controlPeriods.map((c: Json) => c.id)).toContain(ids.period);
    expect(p.method).toContain('cannot have been laid before it was made');
  });

  it('bounds a device without a year by the date marked on another device of its lot', async () => {
    const p = (await get(`/api/v1/provenance?hazard=${ids.h2}`)).json();
    const f = p.findings[0];
    expect(f.bounds).toEqual([
      { basis: 'lot', date: '2021-03-01', facts: { lot: 'L-21-07', markedOn: codes.new } },
    ]);
    expect(f.flags.find((x: Json) => x.code === 'manufactured_after_accessible').assumptions).toContain(
      'lot_made_together',
    );
  });

  it('speaks Russian and Arabic', async () => {
    for (const [locale, word] of [
      ['ru', 'формуляр'],
      ['ar', 'السجل'],
    ] as const) {
      const p = (
        await get(`/api/v1/provenance?hazard=${ids.h1}`, { ...admin, 'accept-language': locale })
      ).json();
      const f = p.findings.find((x: Json) => x.id === ids.new);
      expect(f.flags.map((x: Json) => x.message).join(' ')).toContain(word);
    }
  });

  it('asks for exactly one place, and checks dates', async () => {
    expect((await get('/api/v1/provenance')).json().code).toBe('provenance.scope_needed');
    expect((await get(`/api/v1/provenance?hazard=${ids.h1}&asAt=yesterday`)).statusCode).toBe(400);
    const r = await get(`/api/v1/provenance?hazard=${ids.h1}&asAt=2030-01-01`);
    expect(r.statusCode).toBe(200);
    expect(r.json().scope.asAt).toBe('2030-01-01');
  });

  it('refuses anonymous callers', async () => {
    expect((await get(`/api/v1/provenance?hazard=${ids.h1}`, {})).statusCode).toBe(401);
  });
});

describe('lots', () => {
  it('groups the findings of one lot across places and dates, with the distance between them', async () => {
    const r = (await get(`/api/v1/provenance/lots?hazard=${ids.h1}`)).json();
    expect(r.lots).toHaveLength(1);
    const lot = r.lots[0];
    const expected = geodesicInverse(40.0035, 45.1466, 40.052, 45.182).distanceM;
    expect(lot).toMatchObject({
      lot: 'L-21-07',
      manufacturer: 'Plant A',
      model: 'TM-62M',
      findings: 2,
      firstFoundOn: '2022-08-20',
      lastFoundOn: '2022-09-02',
      yearsOfManufacture: [2021],
    });
    expect(lot.hazards.sort()).toEqual([ids.h1, ids.h2].sort());
    expect(lot.maxDistanceM).toBeCloseTo(expected, 3);
    expect(lot.maxDistanceM).toBeGreaterThan(5000);
  });
});

describe('record completeness', () => {
  it("gives the share of the hazard's devices inside the best reading and the undeclared models", async () => {
    const r = await get(`/api/v1/minefield-records/${ids.record}/completeness`);
    expect(r.statusCode, r.body).toBe(200);
    const c = r.json();
    expect(c).toMatchObject({
      assessed: true,
      devicesFound: 4,
      devicesInsideUncertainty: 4,
      shareInsideUncertainty: 1,
      declaredCount: 69,
      devicesOfUndeclaredModels: 2,
    });
    expect(c.undeclaredModels.map((m: Json) => m.model).sort()).toEqual(['PMN-4', 'POM-3']);
  });

  it('sums the records over the programme and names hazards with findings but no record', async () => {
    const c = (await get('/api/v1/provenance/completeness')).json();
    expect(c.recordsAssessed).toBe(1);
    expect(c.shareInsideUncertainty).toBe(1);
    expect(c.hazardsWithFindingsButNoRecord).toEqual([{ hazardId: ids.h2, devices: 1 }]);
  });
});

describe('provenance in the evidence dossier', () => {
  it('lists per device the flags with their facts and assumptions, as the API gives them, in page, XLSX and PDF', async (ctx) => {
    const api = (await get(`/api/v1/provenance?hazard=${ids.h1}`)).json();
    const r = await get(`/api/v1/outputs/evidence-dossier?records=hazards:${ids.h1}`);
    expect(r.statusCode, r.body).toBe(200);
    const blocks = r.json().document.blocks as Json[];
    const method = blocks.find((b) => b.kind === 'text' && b.title.startsWith('Provenance of the devices'));
    expect(method?.text).toBe(api.method);
    const table = blocks.find((b) => b.kind === 'table' && b.title.includes('flags'))!;
    const expected = api.findings.flatMap((f: Json) =>
      f.flags.length ? f.flags.map((x: Json) => [f.code, x.message]) : [[f.code, 'No flag raised']],
    );
    expect(table.rows.map((row: unknown[]) => [row[0], row[5]])).toEqual(expected);
    const notDeclared = table.rows.find(
      (row: unknown[]) => row[0] === codes.undeclared && String(row[5]).includes('POM-3'),
    );
    expect(notDeclared, JSON.stringify(table.rows)).toBeDefined();
    const flag = api.findings
      .find((f: Json) => f.code === codes.new)
      .flags.find((x: Json) => x.code === 'manufactured_after_record');
    const row = table.rows.find((x: unknown[]) => x[0] === codes.new && x[5] === flag.message);
    expect(row[4]).toBe('2021-03-01');
    expect(row[6]).toContain('2021-03-01');
    expect(row[7]).toBe(flag.assumptionTexts.join(' '));

    const xlsx = await get(`/api/v1/outputs/evidence-dossier?records=hazards:${ids.h1}&format=xlsx`);
    expect(xlsx.statusCode).toBe(200);
    const ExcelJS = (await import('exceljs')).default;
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets.find((s) => s.name.endsWith('provenance'))!;
    const cells: string[] = [];
    sheet.eachRow((x) => cells.push(...(x.values as unknown[]).map(String)));
    expect(cells).toContain(flag.message);

    const pdf = await get(`/api/v1/outputs/evidence-dossier?records=hazards:${ids.h1}&format=pdf`);
    expect(pdf.statusCode).toBe(200);
    const text = pdfText(ctx, pdf.rawPayload);
    expect(text).toContain('Provenance of the devices found in');
    expect(text).toContain(codes.new);
  });
});
