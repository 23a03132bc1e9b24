import { type Kysely, sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Schema } from '../../src/db/connect.ts';
import { problemFromDatabaseError } from '../../src/db/errors.ts';
import { HAZARD_TRANSITIONS, hazardHistoryProblem, hazardTransition } from '../../src/domain/reports.ts';
import { HAZARD_STATUSES, HAZARD_TYPES } from '../../src/domain/vocabularies.ts';
import { login, testDatabase, testDatabaseKind, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';

/**
 * Every rule the service or the database can raise for hazards and land release, each with a
 * case that raises it and one that does not: over HTTP (the service checks first), and straight
 * in SQL (the database triggers hold when the service is bypassed). The hazard transitions are
 * one table in the domain (HAZARD_TRANSITIONS) and one in the database (hazard_transitions);
 * the two are compared here, pair by pair.
 */

let admin: Record<string, string>;
let approver: Record<string, string>;
let operator: Record<string, string>;
let organisationId: string;

// Hazards of 100 m × 100 m in a strip of their own near 21°E 42°N (0.001207° of longitude,
// 0.0009005° of latitude), apart from the other test files' hazards.
const W = 21;
const S = 42;
const DLON = 0.001207;
const DLAT = 0.0009005;
let slot = 0;
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

/** A hazard written directly by the authority, in the next free square; `x` is its west edge. */
async function hazard(props: Record<string, unknown>) {
  const x = 2 * slot++;
  const r = await call('POST', '/api/v1/hazards', admin, {
    type: 'Feature',
    geometry: rect(x, 0, x + 1, 1),
    properties: { type: 'CHA', deviceCategories: ['AP'], name: unique('Rule field '), ...props },
  });
  expect(r.statusCode, r.body).toBe(201);
  return { ...r.json(), x };
}

/** Approves a report at once (drafted and submitted by the operator); returns the approval's response. */
async function approved(body: Record<string, unknown>) {
  const draft = await call('POST', '/api/v1/reports', operator, body);
  expect(draft.statusCode, draft.body).toBe(201);
  const sub = await call('POST', `/api/v1/reports/${draft.json().id}/submit`, operator);
  expect(sub.statusCode, sub.body).toBe(200);
  return call('POST', `/api/v1/reports/${draft.json().id}/approve`, approver, {});
}

function hazardUpdate(
  kind: 'hazard_status_change' | 'activity',
  hazardId: string,
  properties: Record<string, unknown>,
  date: string,
  reason: string | null,
) {
  return {
    kind,
    dateOfInformation: date,
    reason,
    payload: {
      changes: [
        ...(kind === 'activity'
          ? [
              {
                op: 'create',
                register: 'activities',
                record: {
                  type: 'Feature',
                  geometry: null,
                  properties: { kind: 'clearance', organisationId, hazardId, method: 'manual' },
                },
              },
            ]
          : []),
        { op: 'update', register: 'hazards', id: hazardId, record: { type: 'Feature', properties } },
      ],
    },
  };
}

function clearance(hazardId: string, geometries: unknown[]) {
  return {
    kind: 'activity',
    dateOfInformation: '2025-06-01',
    payload: {
      changes: [
        {
          op: 'create',
          register: 'activities',
          ref: 'act',
          record: {
            type: 'Feature',
            geometry: null,
            properties: { kind: 'clearance', organisationId, hazardId, method: 'manual' },
          },
        },
        ...geometries.map((geometry) => ({
          op: 'create',
          register: 'land-release',
          record: {
            type: 'Feature',
            geometry,
            properties: { outcome: 'cleared', hazardId, activityId: '@ref:act', releasedOn: '2025-06-01' },
          },
        })),
      ],
    },
  };
}

async function patch(id: string, version: number, properties: Record<string, unknown>) {
  return call(
    'PATCH',
    `/api/v1/hazards/${id}`,
    { ...admin, 'if-match': `"${version}"` },
    {
      type: 'Feature',
      properties,
    },
  );
}

async function statusOf(id: string) {
  return (await call('GET', `/api/v1/hazards/${id}`, admin)).json().properties;
}

/**
 * Runs `body` in a transaction that is always rolled back, and returns the rule code the
 * database raised (via the one mapping of database errors), or null when it raised nothing.
 */
async function databaseRule(body: (trx: Kysely<Schema>) => Promise<void>): Promise<string | null> {
  const database = await testDatabase();
  const done = new Error('roll back');
  try {
    await database.db.transaction().execute(async (trx) => {
      await body(trx);
      throw done;
    });
  } catch (e) {
    if (e === done) return null;
    const p = problemFromDatabaseError(e);
    if (!p) throw e;
    return p.code;
  }
  return null;
}

const multi = (g: unknown) => sql`ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(g)}), 4326))`;

async function insertHazard(trx: Kysely<Schema>, status: string, type: string, x: number): Promise<string> {
  const res = await sql<{ id: string }>`insert into hazards (type, status, geom)
    values (${type}, ${status}, ${multi(rect(x, 3, x + 1, 4))}) returning id`.execute(trx);
  return res.rows[0]!.id;
}

beforeAll(async () => {
  admin = await login('admin');
  approver = await login('approver');
  const org = await call('POST', '/api/v1/organisations', admin, {
    name: unique('Rules operator '),
    kind: 'ngo',
  });
  organisationId = org.json().id;
  operator = await login('operator_data_entry', { organisationId });
});

describe(`hazard transitions: one table in the domain and in the database (${testDatabaseKind()})`, () => {
  it('holds the same allowed transitions in the database table as in the domain', async () => {
    const database = await testDatabase();
    const rows = await sql<{ field: string; fromValue: string; toValue: string; reasonRequired: boolean }>`
      select field, from_value, to_value, reason_required from hazard_transitions`.execute(database.db);
    const key = (t: { field: string; from: string; to: string; reasonRequired: boolean }) =>
      `${t.field}:${t.from}>${t.to}:${t.reasonRequired ? 'reason' : 'free'}`;
    expect(
      rows.rows
        .map((r) =>
          key({ field: r.field, from: r.fromValue, to: r.toValue, reasonRequired: r.reasonRequired }),
        )
        .sort(),
    ).toEqual(HAZARD_TRANSITIONS.map(key).sort());
  });

  it('refuses at least one change of status, so that the rule can fire', () => {
    const refused = HAZARD_STATUSES.flatMap((a) => HAZARD_STATUSES.map((b) => [a, b] as const)).filter(
      ([a, b]) => a !== b && !hazardTransition('status', a, b),
    );
    expect(refused).toEqual([['closed', 'in_progress']]);
  });

  const pairs = (values: readonly string[]) => values.flatMap((a) => values.map((b) => [a, b] as const));
  /** What the domain says of one change: null when allowed, else the rule code. */
  const expected = (field: 'status' | 'type', from: string, to: string, reason: boolean): string | null => {
    if (from === to) return null;
    const t = hazardTransition(field, from, to);
    if (field === 'type') return !t || (t.reasonRequired && !reason) ? 'hazard.type_transition' : null;
    if (!t) return 'hazard.status_transition';
    return t.reasonRequired && !reason ? 'hazard.reopen_reason_required' : null;
  };

  for (const reason of [false, true]) {
    it(`the service and the database trigger agree with the table on every change of status and type ${reason ? 'with' : 'without'} a reason`, async () => {
      let x = 200 + (reason ? 20 : 0);
      for (const [field, values] of [
        ['status', HAZARD_STATUSES],
        ['type', HAZARD_TYPES],
      ] as const) {
        for (const [from, to] of pairs(values)) {
          const want = expected(field, from, to, reason);
          const state = (v: string, date: string) => ({
            status: field === 'status' ? v : 'open',
            type: field === 'type' ? v : 'CHA',
            reason: reason ? 'new evidence' : null,
            dateOfInformation: date,
          });
          const service = hazardHistoryProblem([state(from, '2024-01-01'), state(to, '2024-02-01')]);
          expect(service?.problem.code ?? null, `service ${field} ${from} → ${to}`).toBe(want);

          const hx = x++;
          const raised = await databaseRule(async (trx) => {
            const id = await insertHazard(
              trx,
              field === 'status' ? from : 'open',
              field === 'type' ? from : 'CHA',
              hx,
            );
            if (reason)
              await sql`select set_config('safeground.reopen_reason', 'new evidence', true)`.execute(trx);
            if (field === 'status')
              await sql`update hazards set status = ${to} where id = ${id}`.execute(trx);
            else await sql`update hazards set type = ${to} where id = ${id}`.execute(trx);
          });
          expect(raised, `database ${field} ${from} → ${to}`).toBe(want);
        }
      }
    });
  }
});

describe(`hazard rules over HTTP (${testDatabaseKind()})`, () => {
  it('hazard.status_transition: a closed hazard goes back into work only by being re-opened first', async () => {
    const h = await hazard({ status: 'open', dateOfInformation: '2024-01-01' });
    const closed = await approved(
      hazardUpdate('hazard_status_change', h.id, { status: 'closed' }, '2024-02-01', 'cancelled'),
    );
    expect(closed.statusCode, closed.body).toBe(200);

    const refused = await approved(
      hazardUpdate(
        'hazard_status_change',
        h.id,
        { status: 'in_progress' },
        '2024-03-01',
        'clearance resumed',
      ),
    );
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().code).toBe('hazard.status_transition');
    expect(refused.json().params).toMatchObject({ from: 'closed', to: 'in_progress', date: '2024-03-01' });
    expect((await statusOf(h.id)).status).toBe('closed');

    const reopened = await approved(
      hazardUpdate('hazard_status_change', h.id, { status: 'open' }, '2024-03-01', 'new accident'),
    );
    expect(reopened.statusCode, reopened.body).toBe(200);
    const working = await approved(
      hazardUpdate(
        'hazard_status_change',
        h.id,
        { status: 'in_progress' },
        '2024-04-01',
        'clearance resumed',
      ),
    );
    expect(working.statusCode, working.body).toBe(200);
    expect((await statusOf(h.id)).status).toBe('in_progress');
  });

  it('hazard.reopen_reason_required: re-opening a closed hazard needs a reason, which a direct write or an activity report has not', async () => {
    const h = await hazard({ status: 'closed', dateOfInformation: '2024-01-01' });
    const direct = await patch(h.id, h.properties.version, {
      status: 'open',
      dateOfInformation: '2024-05-01',
    });
    expect(direct.statusCode, direct.body).toBe(400);
    expect(direct.json().code).toBe('hazard.reopen_reason_required');

    const activity = await approved(hazardUpdate('activity', h.id, { status: 'open' }, '2024-05-01', null));
    expect(activity.statusCode, activity.body).toBe(400);
    expect(activity.json().code).toBe('hazard.reopen_reason_required');
    expect((await statusOf(h.id)).status).toBe('closed');

    const withReason = await approved(
      hazardUpdate(
        'hazard_status_change',
        h.id,
        { status: 'open' },
        '2024-05-01',
        'device found by a farmer',
      ),
    );
    expect(withReason.statusCode, withReason.body).toBe(200);
    expect((await statusOf(h.id)).status).toBe('open');
  });

  it('hazard.type_transition: a CHA becomes an SHA only with a reason; an SHA becomes a CHA freely', async () => {
    const h = await hazard({ type: 'CHA', dateOfInformation: '2024-01-01' });
    const direct = await patch(h.id, h.properties.version, { type: 'SHA', dateOfInformation: '2024-05-01' });
    expect(direct.statusCode, direct.body).toBe(400);
    expect(direct.json().code).toBe('hazard.type_transition');
    expect((await statusOf(h.id)).type).toBe('CHA');

    const withReason = await approved(
      hazardUpdate('hazard_status_change', h.id, { type: 'SHA' }, '2024-05-01', 'evidence was a scrap pit'),
    );
    expect(withReason.statusCode, withReason.body).toBe(200);
    const now = await statusOf(h.id);
    expect(now.type).toBe('SHA');
    const back = await patch(h.id, now.version, { type: 'CHA', dateOfInformation: '2024-06-01' });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().properties.type).toBe('CHA');
  });

  it('a hazard with nothing left to release closes from open without a reason', async () => {
    const h = await hazard({ status: 'open' });
    const r = await approved(clearance(h.id, [rect(h.x, 0, h.x + 1, 1)]));
    expect(r.statusCode, r.body).toBe(200);
    expect((await statusOf(h.id)).status).toBe('closed');
  });
});

describe(`land-release rules over HTTP and in the database (${testDatabaseKind()})`, () => {
  it('land_release.outside_hazard: refused outside the hazard, accepted within the 1 m tolerance', async () => {
    const h = await hazard({});
    const outside = await approved(clearance(h.id, [rect(h.x + 0.5, 0, h.x + 1.5, 1)]));
    expect(outside.statusCode, outside.body).toBe(400);
    expect(outside.json().code).toBe('land_release.outside_hazard');
    // 0.5 m past the east edge (0.005 of the 100 m square): inside the tolerance.
    const edge = await approved(clearance(h.id, [rect(h.x + 0.5, 0, h.x + 1.005, 1)]));
    expect(edge.statusCode, edge.body).toBe(200);
  });

  it('land_release.area_exceeds_hazard: refused when released land adds up to more than the hazard', async () => {
    const h = await hazard({});
    const overlapping = await approved(
      clearance(h.id, [rect(h.x, 0, h.x + 1, 0.7), rect(h.x, 0.4, h.x + 1, 1)]),
    );
    expect(overlapping.statusCode, overlapping.body).toBe(400);
    expect(overlapping.json().code).toBe('land_release.area_exceeds_hazard');
    const adjacent = await approved(
      clearance(h.id, [rect(h.x, 0, h.x + 1, 0.4), rect(h.x, 0.4, h.x + 1, 1)]),
    );
    expect(adjacent.statusCode, adjacent.body).toBe(200);
  });

  it('the database triggers refuse both when the service is bypassed, and accept land within the hazard', async () => {
    const h = await hazard({});
    const insert = (trx: Kysely<Schema>, g: unknown) =>
      sql`insert into land_release (outcome, hazard_id, geom) values ('cleared', ${h.id}, ${multi(g)})`.execute(
        trx,
      );
    expect(await databaseRule((trx) => insert(trx, rect(h.x + 0.5, 0, h.x + 1.5, 1)).then(() => {}))).toBe(
      'land_release.outside_hazard',
    );
    expect(
      await databaseRule(async (trx) => {
        await insert(trx, rect(h.x, 0, h.x + 1, 0.7));
        await insert(trx, rect(h.x, 0.4, h.x + 1, 1));
      }),
    ).toBe('land_release.area_exceeds_hazard');
    expect(await databaseRule((trx) => insert(trx, rect(h.x, 0, h.x + 1, 0.5)).then(() => {}))).toBeNull();
  });

  it('audit.append_only: the audit log cannot be changed, even in SQL', async () => {
    expect(
      await databaseRule(async (trx) => {
        await sql`update audit_log set action = action`.execute(trx);
      }),
    ).toBe('audit.append_only');
  });
});

describe(`report rules of src/domain/reports.ts over HTTP (${testDatabaseKind()})`, () => {
  const draft = (body: Record<string, unknown>) => call('POST', '/api/v1/reports', operator, body);
  const codes = (r: { json: () => { code: string; errors?: Array<{ code: string }> } }) => {
    const p = r.json();
    return [p.code, ...(p.errors ?? []).map((e) => e.code)];
  };
  const statusChange = (properties: Record<string, unknown>, reason: string | null) =>
    hazardUpdate(
      'hazard_status_change',
      '00000000-0000-4000-8000-000000000000',
      properties,
      '2025-01-01',
      reason,
    );
  const activityRecord = (hazardId: string) => ({
    op: 'create',
    register: 'activities',
    record: {
      type: 'Feature',
      geometry: null,
      properties: { kind: 'clearance', organisationId, hazardId, method: 'manual' },
    },
  });

  it('report.reason_required: a status change or a correction needs a reason', async () => {
    const refused = await draft(statusChange({ status: 'closed' }, null));
    expect(refused.statusCode, refused.body).toBe(400);
    expect(codes(refused)).toContain('report.reason_required');
    const accepted = await draft(statusChange({ status: 'closed' }, 'cancelled by survey'));
    expect(accepted.statusCode, accepted.body).toBe(201);
  });

  it('report.status_change_fields: a status change changes status and type only', async () => {
    const refused = await draft(statusChange({ status: 'closed', name: 'renamed' }, 'cancelled'));
    expect(refused.statusCode, refused.body).toBe(400);
    expect(codes(refused)).toContain('report.status_change_fields');
    const accepted = await draft(statusChange({ status: 'closed', type: 'SHA' }, 'cancelled'));
    expect(accepted.statusCode, accepted.body).toBe(201);
  });

  it('report.change_not_allowed: each kind of report holds only its own changes', async () => {
    const body = statusChange({ status: 'closed' }, 'cancelled');
    const withFinding = {
      ...body,
      payload: {
        changes: [
          ...body.payload.changes,
          { op: 'archive', register: 'findings', id: '00000000-0000-4000-8000-000000000001' },
        ],
      },
    };
    const refused = await draft(withFinding);
    expect(refused.statusCode, refused.body).toBe(400);
    expect(codes(refused)).toContain('report.change_not_allowed');
    expect((await draft(body)).statusCode).toBe(201);
  });

  it('report.activity_count: an activity report holds exactly one activity', async () => {
    const h = await hazard({});
    const two = {
      kind: 'activity',
      dateOfInformation: '2025-01-01',
      payload: { changes: [activityRecord(h.id), activityRecord(h.id)] },
    };
    const refused = await draft(two);
    expect(refused.statusCode, refused.body).toBe(400);
    expect(codes(refused)).toContain('report.activity_count');
    const one = await draft({ ...two, payload: { changes: [activityRecord(h.id)] } });
    expect(one.statusCode, one.body).toBe(201);
  });

  it('report.accident_count: an accident report holds exactly one accident', async () => {
    const accident = {
      op: 'create',
      register: 'accidents',
      record: {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [W, S - 0.01] },
        properties: { occurredOn: '2025-01-01', deviceCategory: 'AP' },
      },
    };
    const refused = await draft({
      kind: 'accident',
      dateOfInformation: '2025-01-01',
      payload: { changes: [accident, accident] },
    });
    expect(refused.statusCode, refused.body).toBe(400);
    expect(codes(refused)).toContain('report.accident_count');
    const one = await draft({
      kind: 'accident',
      dateOfInformation: '2025-01-01',
      payload: { changes: [accident] },
    });
    expect(one.statusCode, one.body).toBe(201);
  });
});
