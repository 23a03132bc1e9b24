import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { countRecords } from '../../src/db/repositories/registers.ts';
import { minefieldRecords } from '../../src/domain/records.ts';
import { polygonAreaM2 } from '../../src/geo/geodesic.ts';
import { login, testApp, testDatabase, testDatabaseKind, unique } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';

const run = promisify(execFile);
const repoRoot = new URL('../../', import.meta.url).pathname;
const recordFile = new URL('../fixtures/records/soviet-gk8-magnetic-paces.json', import.meta.url).pathname;
const findingsFile = new URL('../fixtures/records/soviet-gk8-findings.geojson', import.meta.url).pathname;
const fixtureRecord = JSON.parse(readFileSync(recordFile, 'utf8'));
const fixtureFindings = JSON.parse(readFileSync(findingsFile, 'utf8'));

type Json = Record<string, any>;
let app: FastifyInstance;
let admin: Record<string, string>;
let hazardId: string;
let sourceId: string;

const base = '/api/v1/minefield-records';
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v));

async function post(url: string, payload: unknown, headers = admin) {
  return app.inject({ method: 'POST', url, payload: payload as object, headers });
}

async function stored(): Promise<number> {
  const database = await testDatabase();
  return countRecords(database.db, minefieldRecords, { equals: [], includeArchived: true });
}

async function createRecord(properties: Json): Promise<Json> {
  const r = await post(base, { type: 'Feature', properties });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

/** Runs the command-line tool the way a user does and parses its JSON output. */
async function cli(...args: string[]): Promise<Json> {
  const { stdout } = await run(process.execPath, [`${repoRoot}bin/safeground.js`, ...args], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

/** The number of readings a record asks for: the stated one times every enabled alternative. */
function readingCount(record: Json): number {
  const h = record.hypotheses ?? {};
  const extra = (list: unknown[] | undefined, stated: unknown) =>
    1 + (list ?? []).filter((x) => x !== stated).length;
  const statedCircle = record.angleUnit === 'mil6400' ? 6400 : 6000;
  return (
    extra(h.bearingReferences, record.bearingReference) *
    extra(h.milCircles, statedCircle) *
    extra(h.distanceUnits, record.distanceUnit) *
    extra(h.directions, 'forward')
  );
}

beforeAll(async () => {
  app = await testApp();
  admin = await login('admin');
  const source = await post('/api/v1/sources', { kind: 'other', title: unique('Minefield record No. 14 ') });
  expect(source.statusCode, source.body).toBe(201);
  sourceId = source.json().id;
  const hazard = await post('/api/v1/hazards', {
    type: 'Feature',
    geometry: square(45.13, 39.99, 0.03),
    properties: { type: 'CHA', name: unique('Mill field '), deviceCategories: ['AP', 'AV'] },
  });
  expect(hazard.statusCode, hazard.body).toBe(201);
  hazardId = hazard.json().id;
});

describe(`minefield records through HTTP on ${testDatabaseKind()}`, () => {
  let created: Json;

  it('stores a record linked to its source and hazard, with the stated reading’s perimeter as geometry', async () => {
    created = await createRecord({ hazardId, sourceId, record: fixtureRecord });
    const p = created.properties;
    expect(p.code).toMatch(/^MR-\d{6}$/);
    expect(p).toMatchObject({
      hazardId,
      sourceId,
      version: 1,
      name: fixtureRecord.title,
      layingDate: fixtureRecord.layingDate,
      layingUnit: fixtureRecord.layingUnit,
      geometryHypothesis: `ref=${fixtureRecord.bearingReference},angle=mil6000,dist=${fixtureRecord.distanceUnit},dir=forward`,
    });
    expect(p.record).toEqual(fixtureRecord);
    expect(created.geometry.type).toBe('MultiPolygon');
    // The stored perimeter is the CLI's decoded perimeter of the same reading.
    const decoded = await cli('record', 'decode', recordFile);
    const perimeter = decoded.features.find(
      (f: Json) => f.properties.kind === 'perimeter' && f.properties.hypothesis === p.geometryHypothesis,
    );
    const ring = created.geometry.coordinates[0][0] as number[][];
    expect(ring).toHaveLength(perimeter.geometry.coordinates[0].length);
    ring.forEach(([lon, lat], i) => {
      expect(lon).toBeCloseTo(perimeter.geometry.coordinates[0][i][0], 8);
      expect(lat).toBeCloseTo(perimeter.geometry.coordinates[0][i][1], 8);
    });
    const expectedM2 = polygonAreaM2(ring as [number, number][]);
    expect(Math.abs(p.areaM2 - expectedM2) / expectedM2).toBeLessThan(0.001);
    expect(created.geometry.coordinates[0][0]).toHaveLength(fixtureRecord.perimeter.legs.length + 1);
  });

  it('reads it back with its version as ETag, and its history starts with the create', async () => {
    const r = await app.inject({ method: 'GET', url: `${base}/${created.id}`, headers: admin });
    expect(r.statusCode).toBe(200);
    expect(r.headers.etag).toBe('"1"');
    expect(r.json().properties.record).toEqual(fixtureRecord);
    expect(r.json().geometry).toEqual(created.geometry);
    const history = (
      await app.inject({ method: 'GET', url: `${base}/${created.id}/history`, headers: admin })
    ).json();
    expect(history.items[0].action).toBe('create');
  });

  it('lists records by bounding box and by hazard', async () => {
    const ids = async (q: string) =>
      (await app.inject({ method: 'GET', url: `${base}?${q}`, headers: admin }))
        .json()
        .features.map((f: Json) => f.id);
    expect(await ids('bbox=45.13,39.99,45.16,40.02')).toContain(created.id);
    expect(await ids('bbox=46,41,46.1,41.1')).not.toContain(created.id);
    expect(await ids(`hazard=${hazardId}`)).toContain(created.id);
    expect(await ids(`source=${sourceId}&from=1993-06-01&to=1993-06-30`)).toContain(created.id);
    expect(await ids(`source=${sourceId}&from=1994-01-01`)).not.toContain(created.id);
  });

  it('updates with If-Match, recomputes the perimeter from a changed record, and refuses a stale version', async () => {
    const url = `${base}/${created.id}`;
    const renamed = await app.inject({
      method: 'PATCH',
      url,
      headers: { ...admin, 'if-match': '"1"' },
      payload: { type: 'Feature', properties: { name: 'Mill field, record 14' } },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().properties.version).toBe(2);
    expect(renamed.json().geometry).toEqual(created.geometry);

    // A longer pace stretches every leg: the area grows by the square of the ratio.
    const longer = { ...copy(fixtureRecord), paceLengthM: 0.9 };
    const stretched = await app.inject({
      method: 'PATCH',
      url,
      headers: { ...admin, 'if-match': '"2"' },
      payload: { type: 'Feature', properties: { record: longer } },
    });
    expect(stretched.statusCode, stretched.body).toBe(200);
    const ratio = stretched.json().properties.areaM2 / created.properties.areaM2;
    expect(ratio).toBeCloseTo((0.9 / 0.75) ** 2, 1);
    expect(stretched.json().properties.name).toBe('Mill field, record 14');

    const stale = await app.inject({
      method: 'PATCH',
      url,
      headers: { ...admin, 'if-match': '"2"' },
      payload: { type: 'Feature', properties: { record: fixtureRecord } },
    });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().code).toBe('record.version_conflict');
    const now = (await app.inject({ method: 'GET', url, headers: admin })).json();
    expect(now.properties.version).toBe(3);
    expect(now.properties.record.paceLengthM).toBe(0.9);

    const back = await app.inject({
      method: 'PATCH',
      url,
      headers: { ...admin, 'if-match': '"3"' },
      payload: { type: 'Feature', properties: { record: fixtureRecord } },
    });
    expect(back.statusCode).toBe(200);
    expect(back.json().properties.areaM2).toBeCloseTo(created.properties.areaM2, 3);
  });

  it('decodes a stored record into every reading the record enables, and as the body asks', async () => {
    const r = await post(`${base}/${created.id}/decode`, {});
    expect(r.statusCode, r.body).toBe(200);
    const fc = r.json();
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.hypotheses.length + fc.notDecoded.length).toBe(readingCount(fixtureRecord));
    expect(fc.hypotheses.length).toBeGreaterThan(1);
    for (const h of fc.hypotheses) {
      const kinds = fc.features
        .filter((f: Json) => f.properties.hypothesis === h.id)
        .map((f: Json) => f.properties.kind);
      expect(kinds.filter((k: string) => k === 'perimeter')).toHaveLength(1);
      expect(kinds.filter((k: string) => k === 'uncertainty')).toHaveLength(1);
      expect(kinds.filter((k: string) => k === 'row')).toHaveLength(fixtureRecord.rows.length);
    }
    // Same hypotheses as the command line.
    const decoded = await cli('record', 'decode', recordFile);
    expect(fc.hypotheses.map((h: Json) => h.id)).toEqual(decoded.hypotheses.map((h: Json) => h.id));

    const stated = (await post(`${base}/${created.id}/decode`, { hypotheses: null })).json();
    expect(stated.hypotheses.map((h: Json) => h.id)).toEqual([created.properties.geometryHypothesis]);
    const mils = (await post(`${base}/${created.id}/decode`, { hypotheses: { milCircles: [6400] } })).json();
    expect(mils.hypotheses.length + mils.notDecoded.length).toBe(2);

    const labelled = await app.inject({
      method: 'POST',
      url: `${base}/${created.id}/decode`,
      headers: { ...admin, 'accept-language': 'ru' },
      payload: { hypotheses: null },
    });
    expect(labelled.json().hypotheses[0].label).not.toBe(stated.hypotheses[0].label);

    const bad = await post(`${base}/${created.id}/decode`, { hypotheses: { milCircles: [6200] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().pointer).toBe('/hypotheses/milCircles/0');
  });

  it('scores against posted findings and names the best hypothesis the CLI names', async () => {
    const r = await post(`${base}/${created.id}/score`, { findings: fixtureFindings });
    expect(r.statusCode, r.body).toBe(200);
    const scores = r.json();
    const expected = await cli('record', 'score', recordFile, '--findings', findingsFile);
    expect(scores.findingsFrom).toBe('request');
    expect(scores.findingCount).toBe(fixtureFindings.features.length);
    expect(scores.best.id).toBe(expected.best.id);
    expect(scores.best.medianMisfitM).toBeCloseTo(expected.best.medianMisfitM, 6);
    expect(scores.hypotheses.map((h: Json) => h.id)).toEqual(expected.hypotheses.map((h: Json) => h.id));
  });

  it('scores against the findings recorded in the record’s hazard, naming models from the catalogue', async () => {
    const ordnance = async (model: string) => {
      const items = (
        await app.inject({
          method: 'GET',
          url: `/api/v1/ordnance?q=${encodeURIComponent(model)}&limit=100`,
          headers: admin,
        })
      ).json().items;
      return items.find((o: Json) => o.model === model).id as string;
    };
    const tm62 = await ordnance('TM-62M');
    const ozm72 = await ordnance('OZM-72');
    for (const f of fixtureFindings.features) {
      const model = f.properties.model as string;
      // Catalogued models by reference, the PMN finds as reported text: both must reach the score.
      const named =
        model === 'TM-62M'
          ? { ordnanceId: tm62 }
          : model === 'OZM-72'
            ? { ordnanceId: ozm72 }
            : { modelText: model };
      const r = await post('/api/v1/findings', {
        type: 'Feature',
        geometry: f.geometry,
        properties: {
          category: model === 'TM-62M' ? 'AV' : 'AP',
          foundOn: '2024-05-01',
          hazardId,
          quantity: f.properties.quantity ?? 1,
          ...named,
        },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const fromHazard = await post(`${base}/${created.id}/score`, {});
    expect(fromHazard.statusCode, fromHazard.body).toBe(200);
    const posted = (await post(`${base}/${created.id}/score`, { findings: fixtureFindings })).json();
    const s = fromHazard.json();
    expect(s).toMatchObject({
      findingsFrom: 'hazard',
      hazardId,
      findingCount: fixtureFindings.features.length,
    });
    expect(s.best.id).toBe(posted.best.id);
    expect(s.best.medianMisfitM).toBeCloseTo(posted.best.medianMisfitM, 6);
    const foundByModel = (scores: Json) =>
      Object.fromEntries(scores.hypotheses[0].counts.map((c: Json) => [c.model, c.found]));
    expect(foundByModel(s)).toEqual(foundByModel(posted));
  });

  it('says why a record cannot be scored: no hazard, no findings, bad findings', async () => {
    const unlinked = await createRecord({ record: fixtureRecord, name: unique('Unlinked ') });
    const noHazard = await post(`${base}/${unlinked.id}/score`, {});
    expect(noHazard.statusCode).toBe(400);
    expect(noHazard.json().code).toBe('minefield.no_hazard');

    const emptyHazard = (
      await post('/api/v1/hazards', {
        type: 'Feature',
        geometry: square(45.2, 40.1, 0.01),
        properties: { type: 'SHA' },
      })
    ).json();
    const lonely = await createRecord({ record: fixtureRecord, hazardId: emptyHazard.id });
    const none = await post(`${base}/${lonely.id}/score`, {});
    expect(none.statusCode).toBe(400);
    expect(none.json().code).toBe('minefield.no_findings');
    const emptyPosted = await post(`${base}/${lonely.id}/score`, {
      findings: { type: 'FeatureCollection', features: [] },
    });
    expect(emptyPosted.json().code).toBe('minefield.no_findings');

    const badFindings = await post(`${base}/${lonely.id}/score`, {
      findings: {
        type: 'FeatureCollection',
        features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [400, 40] }, properties: {} }],
      },
    });
    expect(badFindings.statusCode).toBe(400);
    expect(badFindings.json().code).toBe('record.findings_invalid');
    expect(badFindings.json().pointer).toBe('/findings/features/0');

    const missing = await post(`${base}/00000000-0000-4000-8000-000000000000/score`, {});
    expect(missing.statusCode).toBe(404);
  });

  const broken = (change: (r: Json) => void) => {
    const r = copy(fixtureRecord);
    change(r);
    return r;
  };
  it.each([
    [
      'without a perimeter',
      broken((r) => delete r.perimeter),
      {},
      'validation.required',
      '/properties/record/perimeter',
    ],
    [
      'with an unknown angle unit',
      broken((r) => (r.angleUnit = 'grad')),
      {},
      'validation.enum',
      '/properties/record/angleUnit',
    ],
    [
      'with no perimeter legs',
      broken((r) => (r.perimeter.legs = [])),
      {},
      'record.no_legs',
      '/properties/record/perimeter/legs',
    ],
    [
      'whose perimeter does not close within its tolerance',
      broken((r) => {
        r.closure = { maxM: 0.5 };
        delete r.hypotheses;
      }),
      {},
      'record.not_closed',
      '/properties/record/perimeter/closingLeg',
    ],
    [
      'with a landmark in an unknown CRS',
      broken((r) => (r.landmark.crs = 'EPSG:999999')),
      {},
      'geo.crs.unknown',
      '/properties/record/landmark',
    ],
    [
      'with an impossible laying date',
      broken((r) => (r.layingDate = '1993-02-30')),
      {},
      'validation.format',
      '/properties/record/layingDate',
    ],
    [
      'with a geometry sent',
      fixtureRecord,
      { geometry: square(45.14, 40, 0.001) },
      'validation.geometry_computed',
      '/geometry',
    ],
    [
      'linked to a source that does not exist',
      fixtureRecord,
      { sourceId: '00000000-0000-4000-8000-000000000000' },
      'record.reference_not_found',
      '/properties/sourceId',
    ],
  ])(
    'refuses a record %s with its code and pointer, storing nothing',
    async (_name, record, extra: Json, code, pointer) => {
      const before = await stored();
      const { geometry, ...properties } = extra;
      const r = await post(base, {
        type: 'Feature',
        ...(geometry ? { geometry } : {}),
        properties: { record, hazardId, ...properties },
      });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().code).toBe(code);
      expect(r.json().pointer).toBe(pointer);
      expect(await stored()).toBe(before);
    },
  );

  it('refuses an update to a bad record and keeps the version and perimeter', async () => {
    const own = await createRecord({ record: fixtureRecord });
    const url = `${base}/${own.id}`;
    const current = (await app.inject({ method: 'GET', url, headers: admin })).json();
    const r = await app.inject({
      method: 'PATCH',
      url,
      headers: { ...admin, 'if-match': `"${current.properties.version}"` },
      payload: {
        type: 'Feature',
        properties: { record: broken((x) => (x.perimeter.legs = x.perimeter.legs.slice(0, 2))) },
      },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('record.too_few_turning_points');
    expect(r.json().pointer).toBe('/properties/record/perimeter/legs');
    const after = (await app.inject({ method: 'GET', url, headers: admin })).json();
    expect(after.properties.version).toBe(current.properties.version);
    expect(after.geometry).toEqual(current.geometry);
  });

  it('marks the stated reading in the decoded record and gives each reading its assumptions', async () => {
    const own = await createRecord({ record: fixtureRecord });
    const fc = (await post(`${base}/${own.id}/decode`, {})).json();
    const stated = 'ref=magnetic,angle=mil6000,dist=pace,dir=forward';
    expect(fc.statedHypothesis).toBe(stated);
    expect(fc.adoptedHypothesis).toBeNull();
    expect(fc.geometryHypothesis).toBe(stated);
    expect(fc.hypotheses.filter((h: Json) => h.stated).map((h: Json) => h.id)).toEqual([stated]);
    expect(fc.hypotheses.some((h: Json) => h.adopted)).toBe(false);
    const grid = fc.hypotheses.find(
      (h: Json) => h.id === 'ref=grid,angle=mil6000,dist=pair_of_steps,dir=reverse',
    );
    expect(grid.reading).toEqual({
      bearingReference: 'grid',
      milCircle: 6000,
      distanceUnit: 'pair_of_steps',
      distanceUnitM: 1.5,
      direction: 'reverse',
    });
    // Readings that do not decode carry their assumptions and reason too.
    expect(fc.notDecoded.length).toBeGreaterThan(0);
    for (const n of fc.notDecoded) {
      expect(n.reading.milCircle).toBe(6400);
      expect(n.problem.code).toBe('record.not_closed');
      expect(n.stated).toBe(false);
    }
  });

  describe('adopting a reading', () => {
    const other = 'ref=grid,angle=mil6000,dist=pace,dir=forward';
    let own: Json;
    let url: string;
    beforeAll(async () => {
      own = await createRecord({ record: fixtureRecord, hazardId });
      url = `${base}/${own.id}`;
    });
    const adopt = (hypothesis: unknown, version: number | null, headers = admin) =>
      app.inject({
        method: 'POST',
        url: `${url}/adopt`,
        headers: version === null ? headers : { ...headers, 'if-match': `"${version}"` },
        payload: { hypothesis } as object,
      });

    it('makes the adopted reading the record’s geometry, as an approved change in its history', async () => {
      const decoded = (await post(`${url}/decode`, {})).json();
      const perimeter = decoded.features.find(
        (f: Json) => f.properties.kind === 'perimeter' && f.properties.hypothesis === other,
      );
      const r = await adopt(other, 1);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers.etag).toBe('"2"');
      const p = r.json().properties;
      expect(p).toMatchObject({ version: 2, adoptedHypothesis: other, geometryHypothesis: other });
      expect(p.record).toEqual(fixtureRecord);
      const ring = r.json().geometry.coordinates[0][0] as number[][];
      ring.forEach(([lon, lat], i) => {
        expect(lon).toBeCloseTo(perimeter.geometry.coordinates[0][i][0], 8);
        expect(lat).toBeCloseTo(perimeter.geometry.coordinates[0][i][1], 8);
      });
      // The grid reading is the stated one turned by declination minus convergence: same area, moved.
      expect(r.json().geometry).not.toEqual(own.geometry);

      const history = (await app.inject({ method: 'GET', url: `${url}/history`, headers: admin })).json();
      const last = history.items.at(-1);
      expect(last.action).toBe('update');
      expect(last.before.adoptedHypothesis).toBeNull();
      expect(last.after.adoptedHypothesis).toBe(other);
      expect(last.after.geometryHypothesis).toBe(other);
      expect(last.approval).toMatchObject({ kind: 'direct' });
      expect(last.approval.approvedAt).toBeTruthy();

      const again = (await post(`${url}/decode`, {})).json();
      expect(again.adoptedHypothesis).toBe(other);
      expect(again.geometryHypothesis).toBe(other);
      expect(again.hypotheses.filter((h: Json) => h.adopted).map((h: Json) => h.id)).toEqual([other]);
    });

    it('keeps the adoption when the name changes, and clears it when the record is written without it', async () => {
      const renamed = await app.inject({
        method: 'PATCH',
        url,
        headers: { ...admin, 'if-match': '"2"' },
        payload: { type: 'Feature', properties: { name: unique('Adopted ') } },
      });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(renamed.json().properties).toMatchObject({
        adoptedHypothesis: other,
        geometryHypothesis: other,
      });

      const rewritten = await app.inject({
        method: 'PATCH',
        url,
        headers: { ...admin, 'if-match': '"3"' },
        payload: { type: 'Feature', properties: { record: fixtureRecord } },
      });
      expect(rewritten.statusCode, rewritten.body).toBe(200);
      expect(rewritten.json().properties.adoptedHypothesis).toBeNull();
      expect(rewritten.json().properties.geometryHypothesis).toBe(
        'ref=magnetic,angle=mil6000,dist=pace,dir=forward',
      );
      expect(rewritten.json().properties.areaM2).toBeCloseTo(own.properties.areaM2, 3);

      const alone = await app.inject({
        method: 'PATCH',
        url,
        headers: { ...admin, 'if-match': '"4"' },
        payload: { type: 'Feature', properties: { adoptedHypothesis: other } },
      });
      expect(alone.statusCode).toBe(400);
      expect(alone.json().code).toBe('minefield.adopt_needs_record');
      expect(alone.json().pointer).toBe('/properties/adoptedHypothesis');
    });

    it('lets an approver adopt too', async () => {
      const r = await adopt(other, 4, await login('approver'));
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().properties.adoptedHypothesis).toBe(other);
    });

    it('refuses a viewer and an operator with 403, changing nothing', async () => {
      for (const role of ['viewer', 'operator_data_entry'] as const) {
        const r = await adopt(other, 5, await login(role));
        expect(r.statusCode).toBe(403);
      }
      const now = (await app.inject({ method: 'GET', url, headers: admin })).json();
      expect(now.properties.version).toBe(5);
    });

    it('refuses a reading the record does not decode to, with its code, and changes nothing', async () => {
      const unknown = await adopt('ref=compass,angle=mil6000,dist=pace,dir=forward', 5);
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().code).toBe('minefield.hypothesis_unknown');
      expect(unknown.json().pointer).toBe('/hypothesis');
      // Enabled by the record but not closing: named as such.
      const open = await adopt('ref=magnetic,angle=mil6400,dist=pace,dir=forward', 5);
      expect(open.statusCode).toBe(400);
      expect(open.json().code).toBe('minefield.hypothesis_unknown');
      expect(open.json().detail).toContain('does not decode');

      const viaPatch = await app.inject({
        method: 'PATCH',
        url,
        headers: { ...admin, 'if-match': '"5"' },
        payload: { type: 'Feature', properties: { record: fixtureRecord, adoptedHypothesis: 'nonsense' } },
      });
      expect(viaPatch.statusCode).toBe(400);
      expect(viaPatch.json().code).toBe('minefield.hypothesis_unknown');
      expect(viaPatch.json().pointer).toBe('/properties/adoptedHypothesis');
      const now = (await app.inject({ method: 'GET', url, headers: admin })).json();
      expect(now.properties.version).toBe(5);
      expect(now.properties.adoptedHypothesis).toBe(other);
    });

    it('asks for If-Match and refuses a stale version', async () => {
      const none = await adopt(other, null);
      expect(none.statusCode).toBe(428);
      const stale = await adopt(other, 4);
      expect(stale.statusCode).toBe(412);
      expect(stale.json().code).toBe('record.version_conflict');
    });

    it('answers 404 for a record that does not exist', async () => {
      const r = await app.inject({
        method: 'POST',
        url: `${base}/00000000-0000-4000-8000-000000000000/adopt`,
        headers: { ...admin, 'if-match': '"1"' },
        payload: { hypothesis: other },
      });
      expect(r.statusCode).toBe(404);
    });
  });

  it('returns the findings it scored, as points', async () => {
    const r = await post(`${base}/${created.id}/score`, { findings: fixtureFindings });
    const scored = r.json().findings;
    expect(scored.type).toBe('FeatureCollection');
    expect(scored.features).toHaveLength(fixtureFindings.features.length);
    expect(scored.features[0].geometry.coordinates).toEqual(fixtureFindings.features[0].geometry.coordinates);
    expect(scored.features[0].properties.model).toBe(fixtureFindings.features[0].properties.model);
  });

  it('documents decode and score in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        base,
        `${base}/{id}`,
        `${base}/{id}/decode`,
        `${base}/{id}/score`,
        `${base}/{id}/adopt`,
      ]),
    );
    expect(doc.paths[`${base}/{id}/score`].post.requestBody).toBeDefined();
  });

  it('answers decode and score only to a signed-in user', async () => {
    const r = await post(`${base}/${created.id}/decode`, {}, {});
    expect(r.statusCode).toBe(401);
  });
});
