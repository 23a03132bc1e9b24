import { beforeAll, describe, expect, it } from 'vitest';
import { login, testDatabaseKind, unique } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';
import { call } from './helpers/http.ts';

let admin: Record<string, string>;
let approver: Record<string, string>;
let operatorA: Record<string, string>;
let operatorB: Record<string, string>;
let orgA: string;
let orgB: string;

/** A hazard written directly by the authority, with its area. */
async function hazard(lon: number, lat: number, d = 0.002): Promise<{ id: string; areaM2: number }> {
  const r = await call('POST', '/api/v1/hazards', admin, {
    type: 'Feature',
    geometry: square(lon, lat, d),
    properties: { type: 'CHA', dateOfInformation: '2024-01-01', blockedLandUse: ['agriculture'] },
  });
  expect(r.statusCode, r.body).toBe(201);
  return { id: r.json().id, areaM2: r.json().properties.areaM2 };
}

async function taskOrder(properties: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await call('POST', '/api/v1/task-orders', admin, {
    organisationId: orgA,
    activityKind: 'clearance',
    issuedOn: '2025-01-10',
    plannedStart: '2025-02-01',
    plannedEnd: '2025-03-31',
    ...properties,
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

/** An activity report by operator A, submitted; returns its id. */
async function activityReport(
  taskOrderId: string,
  hazardId: string,
  extra: Record<string, unknown> = {},
  dateOfInformation = '2025-02-20',
) {
  const r = await call('POST', '/api/v1/reports', operatorA, {
    kind: 'activity',
    dateOfInformation,
    payload: {
      changes: [
        {
          op: 'create',
          register: 'activities',
          record: {
            type: 'Feature',
            geometry: null,
            properties: {
              kind: 'clearance',
              organisationId: orgA,
              hazardId,
              taskOrderId,
              method: 'manual',
              status: 'in_progress',
              startDate: '2025-02-10',
              ...extra,
            },
          },
        },
      ],
    },
  });
  expect(r.statusCode, r.body).toBe(201);
  const id = r.json().id as string;
  expect((await call('POST', `/api/v1/reports/${id}/submit`, operatorA)).statusCode).toBe(200);
  return id;
}

const state = async (id: string, headers = admin) =>
  (await call('GET', `/api/v1/task-orders/${id}`, headers)).json().state as string;

beforeAll(async () => {
  admin = await login('admin');
  approver = await login('approver');
  orgA = (await call('POST', '/api/v1/organisations', admin, { name: unique('Tasked '), kind: 'ngo' })).json()
    .id;
  orgB = (await call('POST', '/api/v1/organisations', admin, { name: unique('Other '), kind: 'ngo' })).json()
    .id;
  operatorA = await login('operator_manager', { organisationId: orgA, name: 'to-operator-a' });
  operatorB = await login('operator_manager', { organisationId: orgB, name: 'to-operator-b' });
});

describe(`task orders on ${testDatabaseKind()}`, () => {
  it('issues an order with the priority of its hazards at issue, read-only', async () => {
    const h = await hazard(36.1, 12.1);
    const order = await taskOrder({ hazardIds: [h.id], reference: 'NMAA/2025/001' });
    expect(order.code).toMatch(/^TO-\d{6}$/);
    expect(order.state).toBe('issued');
    const p = order.priorityAtIssue as Record<string, unknown>;
    expect(p.asAt).toBe('2025-01-10');
    expect(p.weightsVersion).toBe(1);
    expect(p.rank).toBeGreaterThanOrEqual(1);
    expect(p.of).toBeGreaterThanOrEqual(p.rank as number);
    expect((p.hazards as Array<Record<string, unknown>>)[0]).toMatchObject({ hazardId: h.id });
    expect(p.score).toBe((p.hazards as Array<Record<string, unknown>>)[0]!.score);

    const bad = await call('POST', '/api/v1/task-orders', admin, {
      organisationId: orgA,
      activityKind: 'clearance',
      hazardIds: [h.id],
      plannedStart: '2025-02-01',
      plannedEnd: '2025-03-31',
      priorityAtIssue: { score: 99 },
    });
    expect(bad.statusCode).toBe(400);
    const reversed = await call('POST', '/api/v1/task-orders', admin, {
      organisationId: orgA,
      activityKind: 'clearance',
      hazardIds: [h.id, '00000000-0000-4000-8000-000000000000'],
      plannedStart: '2025-04-01',
      plannedEnd: '2025-03-31',
    });
    expect(reversed.statusCode).toBe(400);
    const codes = reversed.json().errors.map((e: { code: string }) => e.code);
    expect(codes).toEqual(
      expect.arrayContaining(['task_order.dates_reversed', 'record.reference_not_found']),
    );
    // Operators do not issue orders.
    const refused = await call('POST', '/api/v1/task-orders', operatorA, {
      organisationId: orgA,
      activityKind: 'clearance',
      hazardIds: [h.id],
      plannedStart: '2025-02-01',
      plannedEnd: '2025-03-31',
    });
    expect(refused.statusCode).toBe(403);
  });

  it("an operator sees only their own organisation's orders", async () => {
    const h = await hazard(36.2, 12.1);
    const order = await taskOrder({ hazardIds: [h.id] });
    const id = order.id as string;
    expect((await call('GET', `/api/v1/task-orders/${id}`, operatorA)).statusCode).toBe(200);
    expect((await call('GET', `/api/v1/task-orders/${id}`, operatorB)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/task-orders/${id}/progress`, operatorB)).statusCode).toBe(404);
    const listB = (await call('GET', '/api/v1/task-orders?limit=500', operatorB)).json();
    expect(listB.items.map((o: { id: string }) => o.id)).not.toContain(id);
    const listA = (await call('GET', '/api/v1/task-orders?limit=500', operatorA)).json();
    expect(listA.items.map((o: { id: string }) => o.id)).toContain(id);
    expect(listA.items.every((o: { organisationId: string }) => o.organisationId === orgA)).toBe(true);
    const boardB = (await call('GET', '/api/v1/planning/board?from=2025-01&to=2025-06', operatorB)).json();
    expect(JSON.stringify(boardB)).not.toContain(id);
    // Analysts and viewers of the authority see all.
    const viewer = await login('viewer');
    expect((await call('GET', `/api/v1/task-orders/${id}`, viewer)).statusCode).toBe(200);
  });

  it('a linked activity approved starts the order; releasing every hazard completes it', async () => {
    const h1 = await hazard(36.3, 12.1, 0.001);
    const h2 = await hazard(36.31, 12.1, 0.001);
    const order = await taskOrder({ hazardIds: [h1.id, h2.id] });
    const id = order.id as string;
    const report = await activityReport(id, h1.id);
    expect(await state(id)).toBe('issued');
    const approved = await call('POST', `/api/v1/reports/${report}/approve`, approver, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(await state(id)).toBe('started');

    // Clear the first hazard whole: the order is not complete while the second is open.
    for (const [i, h] of [h1, h2].entries()) {
      const r = await call('POST', '/api/v1/land-release', admin, {
        type: 'Feature',
        geometry: square(i === 0 ? 36.3 : 36.31, 12.1, 0.001),
        properties: { outcome: 'cleared', hazardId: h.id, releasedOn: '2025-03-15' },
      });
      expect(r.statusCode, r.body).toBe(201);
      expect(await state(id)).toBe(i === 0 ? 'started' : 'completed');
    }
    const history = (await call('GET', `/api/v1/task-orders/${id}/history`, admin)).json();
    expect(JSON.stringify(history)).toContain('completed');
  });

  it('a suspended order warns the approver of a new linked activity', async () => {
    const h = await hazard(36.4, 12.1);
    const order = await taskOrder({ hazardIds: [h.id] });
    const id = order.id as string;
    const patched = await call(
      'PATCH',
      `/api/v1/task-orders/${id}`,
      { ...admin, 'if-match': '"1"' },
      {
        state: 'suspended',
      },
    );
    expect(patched.statusCode, patched.body).toBe(200);
    const report = await activityReport(id, h.id);
    const refused = await call('POST', `/api/v1/reports/${report}/approve`, approver, {});
    expect(refused.statusCode).toBe(409);
    const warnings = refused.json().warnings as Array<{ id: string; code: string; params: object }>;
    expect(warnings.map((w) => w.code)).toContain('task_order.not_active');
    expect(warnings[0]!.params).toEqual({ state: 'suspended' });
    expect(await state(id)).toBe('suspended');
    // Confirmed, the activity is recorded and the order stays suspended.
    const ok = await call('POST', `/api/v1/reports/${report}/approve`, approver, {
      confirmWarnings: warnings.map((w) => w.id),
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await state(id)).toBe('suspended');
  });

  it('progress: released area against remaining, planned against actual dates, as at a date', async () => {
    const h = await hazard(36.5, 12.1, 0.002);
    // Dated after today's approvals, so that the order is read as at those dates (as every
    // register is: changes dated and approved by then).
    const order = await taskOrder({
      hazardIds: [h.id],
      issuedOn: '2033-01-10',
      plannedStart: '2033-02-01',
      plannedEnd: '2033-02-28',
    });
    const id = order.id as string;
    const report = await activityReport(
      id,
      h.id,
      { status: 'completed', startDate: '2033-02-10', endDate: '2033-03-10' },
      '2033-03-10',
    );
    expect((await call('POST', `/api/v1/reports/${report}/approve`, approver, {})).statusCode).toBe(200);
    // Half the hazard (the western half) released on 2033-03-05.
    const half = {
      type: 'Polygon',
      coordinates: [
        [
          [36.5, 12.1],
          [36.501, 12.1],
          [36.501, 12.102],
          [36.5, 12.102],
          [36.5, 12.1],
        ],
      ],
    };
    const lr = await call('POST', '/api/v1/land-release', admin, {
      type: 'Feature',
      geometry: half,
      properties: { outcome: 'cleared', hazardId: h.id, releasedOn: '2033-03-05' },
    });
    expect(lr.statusCode, lr.body).toBe(201);
    const released = lr.json().properties.areaM2 as number;

    const p = (await call('GET', `/api/v1/task-orders/${id}/progress?asAt=2033-03-20`, admin)).json();
    expect(p.asAt).toBe('2033-03-20');
    expect(p.state).toBe('started');
    expect(p.area.totalM2).toBeCloseTo(h.areaM2, 0);
    expect(p.area.releasedM2).toBeCloseTo(released, 0);
    expect(p.area.remainingM2).toBeCloseTo(h.areaM2 - released, 0);
    expect(p.area.releasedShare).toBeCloseTo(released / h.areaM2, 3);
    expect(p.dates).toMatchObject({
      plannedStart: '2033-02-01',
      plannedEnd: '2033-02-28',
      actualStart: '2033-02-10',
      lastEnd: '2033-03-10',
      startDaysLate: 9,
      daysLate: 20,
    });
    expect(p.activities).toBe(1);
    // Before the release, nothing was released yet and the order was 0 days late.
    const before = (await call('GET', `/api/v1/task-orders/${id}/progress?asAt=2033-02-15`, admin)).json();
    expect(before.area.releasedM2).toBe(0);
    expect(before.dates.daysLate).toBe(0);
    expect(before.dates.lastEnd).toBeNull();
  });

  it('as at a date, the order itself (plan and state) is read as it stood then', async () => {
    // A read as at a date sees changes dated and approved by its end, so the story is told on
    // dates after today's approvals: issued on 2031-01-10, started by an activity reported on
    // 2031-02-20, completed by a release on 2031-03-15.
    const h = await hazard(36.7, 12.1, 0.001);
    const order = await taskOrder({
      hazardIds: [h.id],
      issuedOn: '2031-01-10',
      plannedStart: '2031-02-01',
      plannedEnd: '2031-03-31',
    });
    const id = order.id as string;
    const r = await call('POST', '/api/v1/reports', operatorA, {
      kind: 'activity',
      dateOfInformation: '2031-02-20',
      payload: {
        changes: [
          {
            op: 'create',
            register: 'activities',
            record: {
              type: 'Feature',
              geometry: null,
              properties: {
                kind: 'clearance',
                organisationId: orgA,
                hazardId: h.id,
                taskOrderId: id,
                method: 'manual',
                status: 'in_progress',
                startDate: '2031-02-18',
              },
            },
          },
        ],
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    expect((await call('POST', `/api/v1/reports/${r.json().id}/submit`, operatorA)).statusCode).toBe(200);
    expect((await call('POST', `/api/v1/reports/${r.json().id}/approve`, approver, {})).statusCode).toBe(200);
    const lr = await call('POST', '/api/v1/land-release', admin, {
      type: 'Feature',
      geometry: square(36.7, 12.1, 0.001),
      properties: { outcome: 'cleared', hazardId: h.id, releasedOn: '2031-03-15' },
    });
    expect(lr.statusCode, lr.body).toBe(201);
    expect(await state(id)).toBe('completed');
    const progress = async (asAt: string) =>
      call('GET', `/api/v1/task-orders/${id}/progress?asAt=${asAt}`, admin);
    expect((await progress('2031-01-05')).statusCode).toBe(404);
    const issued = (await progress('2031-02-01')).json();
    expect(issued.state).toBe('issued');
    const started = (await progress('2031-03-05')).json();
    expect(started.state).toBe('started');
    expect((await progress('2031-04-01')).json().state).toBe('completed');

    const list = async (q: string) =>
      (await call('GET', `/api/v1/task-orders/progress?${q}`, admin)).json() as {
        items: Array<{ id: string; state: string; progress: { state: string } }>;
      };
    const listed = (await list('asAt=2031-02-25')).items.find((o) => o.id === id)!;
    expect(listed.state).toBe('started');
    expect(listed.progress.state).toBe('started');
    expect((await list('asAt=2031-01-05')).items.map((o) => o.id)).not.toContain(id);

    const board = (
      await call(
        'GET',
        `/api/v1/planning/board?from=2031-01&to=2031-04&organisationId=${orgA}&asAt=2031-02-10`,
        admin,
      )
    ).json();
    const cells = board.rows[0].cells as Array<{
      month: string;
      orders: Array<{ id: string; state: string; plannedEnd: string }>;
    }>;
    const feb = cells.find((c) => c.month === '2031-02')!.orders.find((o) => o.id === id)!;
    expect(feb).toMatchObject({ state: 'issued', plannedEnd: '2031-03-31' });
  });

  it('planning board: rows by organisation, columns by month, cells the orders active then', async () => {
    const h = await hazard(36.6, 12.1);
    const order = await taskOrder({
      hazardIds: [h.id],
      plannedStart: '2026-05-20',
      plannedEnd: '2026-07-05',
    });
    const r = await call(
      'GET',
      `/api/v1/planning/board?from=2026-04&to=2026-08&organisationId=${orgA}`,
      admin,
    );
    expect(r.statusCode, r.body).toBe(200);
    const board = r.json();
    expect(board.months).toEqual(['2026-04', '2026-05', '2026-06', '2026-07', '2026-08']);
    expect(board.rows.map((row: { organisation: { id: string } }) => row.organisation.id)).toEqual([orgA]);
    const cells = board.rows[0].cells as Array<{
      month: string;
      orders: Array<{ id: string; state: string }>;
    }>;
    const monthsWith = cells.filter((c) => c.orders.some((o) => o.id === order.id)).map((c) => c.month);
    expect(monthsWith).toEqual(['2026-05', '2026-06', '2026-07']);
    const cell = cells.find((c) => c.month === '2026-06')!.orders.find((o) => o.id === order.id)!;
    expect(cell).toMatchObject({ code: order.code, state: 'issued' });
    expect(cell).toHaveProperty('progress.area.remainingM2');
    expect(cell).toHaveProperty('effort');
    const bad = await call('GET', '/api/v1/planning/board?from=2026-09&to=2026-01', admin);
    expect(bad.statusCode).toBe(400);
  });
});
