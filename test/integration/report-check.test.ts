import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { login, testDatabase, testDatabaseKind, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';

let admin: Record<string, string>;
let approver: Record<string, string>;
let operatorA: Record<string, string>;
let operatorB: Record<string, string>;
let orgA: string;

// Hazards of 100 m × 100 m near 47.05°E 39.84°N (about 0.0011731° of longitude, 0.0009006° of latitude).
const W = 47.05;
const S = 39.84;
const DLON = 0.0011731;
const DLAT = 0.0009006;
const rect = (x0: number, y0: number, x1: number, y1: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [W + x0 * DLON, S + y0 * DLAT],
      [W + x1 * DLON, S + y0 * DLAT],
      [W + x1 * DLON, S + y1 * DLAT],
      [W + x0 * DLON, S + y1 * DLAT],
      [W + x0 * DLON, S + y0 * DLAT],
    ],
  ],
});
const point = (x: number, y: number) => ({ type: 'Point', coordinates: [W + x * DLON, S + y * DLAT] });

async function hazard(offset: number) {
  const r = await call('POST', '/api/v1/hazards', admin, {
    type: 'Feature',
    geometry: rect(offset, 0, offset + 1, 1),
    properties: { type: 'CHA', deviceCategories: ['AP'], name: unique('Check field ') },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

/** A clearance report as the report form writes it: the activity, its polygons, its findings. */
function report(hazardId: string, polygons: unknown[], findings: unknown[] = []) {
  const date = '2025-07-01';
  return {
    kind: 'activity',
    dateOfInformation: date,
    payload: {
      changes: [
        {
          op: 'create',
          register: 'activities',
          ref: 'act',
          record: {
            type: 'Feature',
            geometry: null,
            properties: {
              kind: 'clearance',
              organisationId: orgA,
              hazardId,
              method: 'manual',
              startDate: date,
            },
          },
        },
        ...polygons.map((geometry) => ({
          op: 'create',
          register: 'land-release',
          record: {
            type: 'Feature',
            geometry,
            properties: { outcome: 'cleared', hazardId, activityId: '@ref:act', releasedOn: date },
          },
        })),
        ...findings.map((geometry) => ({
          op: 'create',
          register: 'findings',
          record: {
            type: 'Feature',
            geometry,
            properties: { category: 'AP', quantity: 1, foundOn: date, hazardId, activityId: '@ref:act' },
          },
        })),
      ],
    },
  };
}

async function draft(body: unknown) {
  const r = await call('POST', '/api/v1/reports', operatorA, body);
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

/** Rows of the registers a report writes, and of the audit log. */
async function counts() {
  const db = (await testDatabase()).db;
  const r = await sql<{ n: string }>`
    select (select count(*) from activities) + (select count(*) from land_release)
      + (select count(*) from findings) + (select count(*) from audit_log)
      + (select count(*) from record_changes) as n`.execute(db);
  return Number(r.rows[0]!.n);
}

beforeAll(async () => {
  admin = await login('admin');
  const a = await call('POST', '/api/v1/organisations', admin, { name: unique('Check A '), kind: 'ngo' });
  const b = await call('POST', '/api/v1/organisations', admin, { name: unique('Check B '), kind: 'ngo' });
  orgA = a.json().id;
  approver = await login('approver');
  operatorA = await login('operator_data_entry', { organisationId: orgA });
  operatorB = await login('operator_data_entry', { organisationId: b.json().id });
});

describe(`the check of a report before approval on ${testDatabaseKind()}`, () => {
  it('finds a polygon partly outside its hazard, says by how much, and writes nothing', async () => {
    const h = await hazard(0);
    const d = await draft(report(h.id, [rect(0.5, 0, 1.5, 1)]));
    const before = await counts();
    const r = await call('POST', `/api/v1/reports/${d.id}/check`, operatorA, {});
    expect(r.statusCode, r.body).toBe(200);
    const { problems, warnings } = r.json();
    expect(warnings).toEqual([]);
    expect(problems.map((p: { code: string }) => p.code)).toEqual(['land_release.outside_hazard']);
    expect(problems[0].pointer).toMatch(/^\/payload\/changes\/1\//);
    // Half of the square sticks out, less the tolerance strip.
    expect(problems[0].params.outsideM2).toBeGreaterThan(4000);
    expect(problems[0].params.outsideM2).toBeLessThan(5100);
    expect(await counts()).toBe(before);
    expect((await call('GET', `/api/v1/reports/${d.id}`, operatorA)).json().status).toBe('draft');
    expect((await call('GET', `/api/v1/land-release?hazard=${h.id}`, admin)).json().features).toHaveLength(0);
  });

  it('warns of a finding 2 km from its hazard, a warning the approval then asks to be confirmed', async () => {
    const h = await hazard(3);
    const far = point(3.5, 0.5 + 2000 / 100);
    const d = await draft(report(h.id, [rect(3, 0, 4, 0.5)], [far]));
    const r = await call('POST', `/api/v1/reports/${d.id}/check`, operatorA, {});
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().problems).toEqual([]);
    const warnings = r.json().warnings;
    expect(warnings.map((w: { code: string }) => w.code)).toEqual(['finding.outside_hazard']);
    expect(warnings[0].change).toBe(2);
    expect(warnings[0].params.distanceM).toBeGreaterThan(1900);
    expect(warnings[0].params.distanceM).toBeLessThan(2100);

    expect((await call('POST', `/api/v1/reports/${d.id}/submit`, operatorA)).statusCode).toBe(200);
    const refused = await call('POST', `/api/v1/reports/${d.id}/approve`, approver, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('report.warnings_unconfirmed');
    const ok = await call('POST', `/api/v1/reports/${d.id}/approve`, approver, {
      confirmWarnings: [warnings[0].id],
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await call('GET', `/api/v1/findings?hazard=${h.id}`, admin)).json().features).toHaveLength(1);
  });

  it('finds nothing wrong with a clean report', async () => {
    const h = await hazard(6);
    const d = await draft(report(h.id, [rect(6, 0, 7, 0.5)], [point(6.5, 0.25)]));
    const r = await call('POST', `/api/v1/reports/${d.id}/check`, operatorA, {});
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ problems: [], warnings: [] });
  });

  it('does not show another organisation that a draft exists', async () => {
    const h = await hazard(9);
    const d = await draft(report(h.id, [rect(9, 0, 10, 1)]));
    const r = await call('POST', `/api/v1/reports/${d.id}/check`, operatorB, {});
    expect(r.statusCode).toBe(404);
  });
});

describe(`lists people can read on ${testDatabaseKind()}`, () => {
  it("names each report's creator and organisation in the list, never by e-mail", async () => {
    const me = (await call('GET', '/api/v1/auth/me', operatorA)).json();
    const name = unique('Amina Operator ');
    await sql`update users set name = ${name} where id = ${me.id ?? me.user?.id}`.execute(
      (await testDatabase()).db,
    );
    const h = await hazard(12);
    const d = await draft(report(h.id, [rect(12, 0, 13, 1)]));
    for (const who of [operatorA, approver]) {
      const list = (await call('GET', '/api/v1/reports', who)).json();
      const item = list.items.find((r: { id: string }) => r.id === d.id);
      expect(item).toMatchObject({ createdByName: name, hazardCodes: [h.properties.code] });
      expect(item.organisationName).toMatch(/^Check A /);
      expect(JSON.stringify(item)).not.toContain('@test.safeground.org');
    }
  });

  it('counts the records a register filter matches when asked', async () => {
    const h = await hazard(15);
    const all = (await call('GET', '/api/v1/hazards?limit=1&count=true', admin)).json();
    expect(all.features).toHaveLength(1);
    expect(all.total).toBeGreaterThanOrEqual(6);
    const one = (
      await call('GET', `/api/v1/hazards?q=${encodeURIComponent(h.properties.name)}&count=true`, admin)
    ).json();
    expect(one.total).toBe(1);
    expect((await call('GET', '/api/v1/hazards?limit=1', admin)).json().total).toBeUndefined();
  });
});
