import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { login, testDatabase, testDatabaseKind, unique } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';
import { call } from './helpers/http.ts';

let admin: Record<string, string>;
let approver: Record<string, string>;
let orgA: string;
let orgB: string;
let orgC: string;
let operatorA: Record<string, string>;
let areaX: string;
let areaY: string;
let hazardX: string;
let hazardY: string;

// Two admin areas 0.1° apart, a hazard in each.
const X = [45.1, 38.1] as const;
const Y = [45.3, 38.1] as const;

async function post(url: string, body: unknown, who = admin) {
  const r = await call('POST', url, who, body);
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

beforeAll(async () => {
  admin = await login('admin');
  approver = await login('approver');
  orgA = (await post('/api/v1/organisations', { name: unique('Accredited '), kind: 'ngo' })).id;
  orgB = (await post('/api/v1/organisations', { name: unique('Suspended '), kind: 'commercial' })).id;
  orgC = (
    await post('/api/v1/organisations', { name: unique('Unaccredited '), acronym: 'UNAC', kind: 'ngo' })
  ).id;
  operatorA = await login('operator_data_entry', { organisationId: orgA });
  const area = async (at: readonly [number, number], pcode: string) =>
    (
      await post('/api/v1/admin-areas', {
        type: 'Feature',
        geometry: square(at[0], at[1], 0.05),
        properties: { pcode: unique(pcode), name: pcode, level: 1 },
      })
    ).id;
  areaX = await area(X, 'X');
  areaY = await area(Y, 'Y');
  const hazard = async (at: readonly [number, number]) =>
    (
      await post('/api/v1/hazards', {
        type: 'Feature',
        geometry: square(at[0] + 0.01, at[1] + 0.01, 0.002),
        properties: { type: 'CHA', deviceCategories: ['AP'] },
      })
    ).id;
  hazardX = await hazard(X);
  hazardY = await hazard(Y);
});

describe(`teams, accreditations and projects on ${testDatabaseKind()}`, () => {
  it('writes a team with its machines and dogs and reads it back', async () => {
    const team = await post('/api/v1/teams', {
      organisationId: orgA,
      name: 'MDD team 1',
      kind: 'mdd',
      size: 6,
      activeFrom: '2024-03-01',
      assets: [
        { kind: 'dog', name: 'Rex', model: 'Belgian Malinois', from: '2024-03-01' },
        { kind: 'machine', name: 'Flail', model: 'MV-4', serial: 'MV4-0031' },
      ],
    });
    expect(team.code).toMatch(/^TM-\d{6}$/);
    const got = (await call('GET', `/api/v1/teams/${team.id}`, admin)).json();
    expect(got).toMatchObject({ organisationId: orgA, name: 'MDD team 1', kind: 'mdd', size: 6 });
    expect(got.assets).toHaveLength(2);
    expect(got.assets[1]).toMatchObject({ kind: 'machine', serial: 'MV4-0031' });
    const list = (await call('GET', `/api/v1/teams?kind=mdd&organisation=${orgA}`, admin)).json();
    expect(list.items.map((t: { id: string }) => t.id)).toContain(team.id);
    const bad = await call('POST', '/api/v1/teams', admin, {
      organisationId: orgA,
      name: 'x',
      kind: 'cavalry',
    });
    expect(bad.statusCode).toBe(400);
  });

  it("refuses an activity or a task order naming another organisation's team", async () => {
    const team = await post('/api/v1/teams', {
      organisationId: orgB,
      name: 'B manual',
      kind: 'manual',
      size: 8,
    });
    const activity = (organisationId: string) => ({
      type: 'Feature',
      geometry: null,
      properties: {
        kind: 'clearance',
        organisationId,
        hazardId: hazardX,
        teamId: team.id,
        startDate: '2025-01-05',
      },
    });
    const wrong = await call('POST', '/api/v1/activities', admin, activity(orgA));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().code).toBe('team.other_organisation');
    expect(wrong.json().errors?.[0]?.pointer ?? wrong.json().pointer).toMatch(/teamId$/);
    expect(wrong.json().detail).toContain(team.code);
    const order = (organisationId: string) =>
      call('POST', '/api/v1/task-orders', admin, {
        organisationId,
        hazardIds: [hazardX],
        activityKind: 'clearance',
        plannedStart: '2025-02-01',
        plannedEnd: '2025-03-01',
        teamId: team.id,
      });
    const wrongOrder = await order(orgA);
    expect(wrongOrder.statusCode).toBe(400);
    expect(JSON.stringify(wrongOrder.json())).toContain('team.other_organisation');
    // Its own organisation's team is accepted.
    expect((await call('POST', '/api/v1/activities', admin, activity(orgB))).statusCode).toBe(201);
    expect((await order(orgB)).statusCode).toBe(201);
  });

  it('writes an accreditation and a project, and refuses ids in their lists that name nothing', async () => {
    const acc = await post('/api/v1/accreditations', {
      organisationId: orgC,
      activityKinds: ['EORE'],
      adminAreaIds: [areaY],
      validFrom: '2020-01-01',
      validTo: '2020-12-31',
    });
    expect(acc.code).toMatch(/^ACR-\d{6}$/);
    expect((await call('GET', `/api/v1/accreditations/${acc.id}`, admin)).json()).toMatchObject({
      activityKinds: ['EORE'],
      adminAreaIds: [areaY],
      suspended: false,
    });
    const missing = '00000000-0000-4000-8000-000000000000';
    const r = await call('POST', '/api/v1/projects', admin, {
      name: 'Bad project',
      adminAreaIds: [missing],
      donors: [{ organisationId: missing }],
    });
    expect(r.statusCode, r.body).toBe(400);
    expect(
      r
        .json()
        .errors.map((e: { pointer: string }) => e.pointer)
        .sort(),
    ).toEqual(['/adminAreaIds/0', '/donors/0/organisationId']);
    const project = await post('/api/v1/projects', {
      name: 'Return to X',
      donors: [{ name: 'Fund for Return', amount: 100000, currency: 'USD' }],
      fundsAmount: 100000,
      fundsCurrency: 'USD',
      periodFrom: '2025-01-01',
      periodTo: '2025-12-31',
      adminAreaIds: [areaX],
      organisationIds: [orgA],
    });
    expect(project.code).toMatch(/^PJ-\d{6}$/);
    expect((await call('GET', `/api/v1/projects/${project.id}`, admin)).json()).toMatchObject({
      fundsAmount: 100000,
      organisationIds: [orgA],
    });
  });
});

describe(`the accreditation warning on ${testDatabaseKind()}`, () => {
  beforeAll(async () => {
    await post('/api/v1/accreditations', {
      organisationId: orgA,
      activityKinds: ['clearance', 'TS'],
      adminAreaIds: [areaX],
      validFrom: '2025-01-01',
      validTo: '2025-12-31',
    });
    await post('/api/v1/accreditations', {
      organisationId: orgB,
      activityKinds: ['clearance'],
      validFrom: '2024-01-01',
      suspended: true,
      suspendedFrom: '2025-06-01',
      suspendedReason: 'QA non-conformity',
    });
  });

  /** The accreditation warnings of a draft activity report, as the approver reads them. */
  async function warningsFor(organisationId: string, properties: Record<string, unknown>) {
    const draft = await post('/api/v1/reports', {
      kind: 'activity',
      dateOfInformation: '2025-07-01',
      payload: {
        changes: [
          {
            op: 'create',
            register: 'activities',
            record: {
              type: 'Feature',
              geometry: null,
              properties: { organisationId, method: 'manual', startDate: '2025-07-01', ...properties },
            },
          },
        ],
      },
    });
    const r = await call('GET', `/api/v1/reports/${draft.id}/warnings`, approver);
    expect(r.statusCode, r.body).toBe(200);
    return (
      r.json().items as Array<{ code: string; params: Record<string, string>; other: { code: string } }>
    )
      .filter((w) => w.code === 'accreditation.outside')
      .map((w) => ({ reason: w.params.reason, other: w.other.code }));
  }

  it('says nothing for work within the accreditation', async () => {
    expect(await warningsFor(orgA, { kind: 'clearance', hazardId: hazardX })).toEqual([]);
  });

  it('names an activity kind outside the scope', async () => {
    const w = await warningsFor(orgA, { kind: 'EOD_spot_task', hazardId: hazardX });
    expect(w).toEqual([{ reason: 'kind', other: expect.stringMatching(/^ACR-/) }]);
  });

  it('names a place outside the admin areas in scope', async () => {
    expect((await warningsFor(orgA, { kind: 'clearance', hazardId: hazardY })).map((w) => w.reason)).toEqual([
      'area',
    ]);
    // A point of its own stands for the place.
    const draft = await post('/api/v1/reports', {
      kind: 'activity',
      dateOfInformation: '2025-07-01',
      payload: {
        changes: [
          {
            op: 'create',
            register: 'activities',
            record: {
              type: 'Feature',
              geometry: { type: 'Point', coordinates: [Y[0] + 0.02, Y[1] + 0.02] },
              properties: { organisationId: orgA, kind: 'TS', startDate: '2025-07-01' },
            },
          },
        ],
      },
    });
    const items = (await call('GET', `/api/v1/reports/${draft.id}/warnings`, approver)).json().items;
    expect(items.map((w: { params: { reason: string } }) => w.params.reason)).toEqual(['area']);
  });

  it('names dates outside the validity, and each count that fails', async () => {
    expect(
      (await warningsFor(orgA, { kind: 'clearance', hazardId: hazardX, startDate: '2026-02-01' })).map(
        (w) => w.reason,
      ),
    ).toEqual(['dates']);
    expect(
      (await warningsFor(orgA, { kind: 'BAC', hazardId: hazardY, endDate: '2026-01-15' })).map(
        (w) => w.reason,
      ),
    ).toEqual(['kind', 'area', 'dates']);
  });

  it('names a suspension from its first day', async () => {
    expect(
      await warningsFor(orgB, {
        kind: 'clearance',
        hazardId: hazardY,
        startDate: '2025-05-01',
        endDate: '2025-05-20',
      }),
    ).toEqual([]);
    expect((await warningsFor(orgB, { kind: 'clearance', hazardId: hazardY })).map((w) => w.reason)).toEqual([
      'suspended',
    ]);
  });

  it('names an organisation without accreditation once accreditations are recorded', async () => {
    // orgC holds only an expired EORE accreditation elsewhere: the nearest fails on kind, area and dates.
    expect((await warningsFor(orgC, { kind: 'clearance', hazardId: hazardX })).map((w) => w.reason)).toEqual([
      'kind',
      'area',
      'dates',
    ]);
    const orgD = (await post('/api/v1/organisations', { name: unique('New '), acronym: 'NEWO', kind: 'ngo' }))
      .id;
    expect(await warningsFor(orgD, { kind: 'clearance', hazardId: hazardX })).toEqual([
      { reason: 'none', other: 'NEWO' },
    ]);
  });

  it('must be confirmed by the approver, and is checked on an update of the activity too', async () => {
    const draft = await post(
      '/api/v1/reports',
      {
        kind: 'activity',
        dateOfInformation: '2025-07-01',
        payload: {
          changes: [
            {
              op: 'create',
              register: 'activities',
              record: {
                type: 'Feature',
                geometry: null,
                properties: {
                  organisationId: orgA,
                  kind: 'EOD_spot_task',
                  hazardId: hazardX,
                  startDate: '2025-07-01',
                },
              },
            },
          ],
        },
      },
      operatorA,
    );
    expect((await call('POST', `/api/v1/reports/${draft.id}/submit`, operatorA, {})).statusCode).toBe(200);
    const refused = await call('POST', `/api/v1/reports/${draft.id}/approve`, approver, {});
    expect(refused.statusCode).toBe(409);
    const warnings = refused.json().warnings as Array<{ id: string; code: string }>;
    expect(warnings.map((w) => w.code)).toEqual(['accreditation.outside']);
    const ok = await call('POST', `/api/v1/reports/${draft.id}/approve`, approver, {
      confirmWarnings: warnings.map((w) => w.id),
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const activity = (
      await call('GET', `/api/v1/activities?organisation=${orgA}&kind=EOD_spot_task`, admin)
    ).json().features[0];
    const correction = await post('/api/v1/reports', {
      kind: 'correction',
      dateOfInformation: '2025-07-02',
      reason: 'Moved to the other hazard',
      payload: {
        changes: [
          {
            op: 'update',
            register: 'activities',
            id: activity.id,
            record: { properties: { kind: 'clearance', hazardId: hazardY } },
          },
        ],
      },
    });
    const items = (await call('GET', `/api/v1/reports/${correction.id}/warnings`, approver)).json().items;
    expect(items.map((w: { params: { reason: string } }) => w.params.reason)).toEqual(['area']);
  });
});

describe(`the project output on ${testDatabaseKind()}`, () => {
  let project: string;
  const P = [45.6, 38.4] as const;

  beforeAll(async () => {
    const org = (await post('/api/v1/organisations', { name: unique('Operator P '), kind: 'ngo' })).id;
    const donor = (
      await post('/api/v1/organisations', { name: unique('Donor '), acronym: 'DNR', kind: 'donor' })
    ).id;
    project = (
      await post('/api/v1/projects', {
        name: 'Clearance for return',
        donors: [
          { organisationId: donor, amount: 30000, currency: 'USD' },
          { name: 'Private fund', amount: 20000, currency: 'USD' },
        ],
        fundsAmount: 50000,
        fundsCurrency: 'USD',
        periodFrom: '2025-01-01',
        periodTo: '2025-12-31',
        organisationIds: [org],
      })
    ).id;
    const hazard = (
      await post('/api/v1/hazards', {
        type: 'Feature',
        geometry: square(P[0], P[1], 0.004),
        properties: { type: 'CHA', deviceCategories: ['AP'] },
      })
    ).id;
    const activity = async (projectId: string | null, startDate: string, endDate: string) =>
      (
        await post('/api/v1/activities', {
          type: 'Feature',
          geometry: null,
          properties: {
            kind: 'clearance',
            organisationId: org,
            hazardId: hazard,
            method: 'manual',
            status: 'completed',
            startDate,
            endDate,
            projectId,
          },
        })
      ).id;
    const inProject = await activity(project, '2025-03-01', '2025-03-10');
    const outside = await activity(null, '2025-04-01', '2025-04-05');
    const release = (activityId: string, outcome: string, x: number, releasedOn: string) =>
      post('/api/v1/land-release', {
        type: 'Feature',
        geometry: square(P[0] + x, P[1] + 0.0005, 0.0008),
        properties: { outcome, hazardId: hazard, activityId, releasedOn },
      });
    await release(inProject, 'reduced', 0.0002, '2025-03-05');
    await release(inProject, 'cleared', 0.0012, '2025-03-10');
    await release(outside, 'cleared', 0.0024, '2025-04-05');
    const finding = (activityId: string, quantity: number, disposition: string) =>
      post('/api/v1/findings', {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [P[0] + 0.0016, P[1] + 0.0009] },
        properties: {
          category: 'AP',
          quantity,
          disposition,
          foundOn: '2025-03-08',
          hazardId: hazard,
          activityId,
        },
      });
    await finding(inProject, 2, 'destroyed_in_situ');
    await finding(inProject, 3, 'removed_destroyed');
    await finding(inProject, 5, 'removed_stored');
    await finding(outside, 7, 'destroyed_in_situ');
    await post('/api/v1/risk-education', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [P[0] + 0.01, P[1] + 0.01] },
      properties: {
        organisationId: org,
        heldOn: '2025-03-12',
        deliveryMethod: 'face_to_face',
        projectId: project,
        beneficiaries: { female: { '18+': 12 }, male: { '5-12': 8 } },
      },
    });
  });

  /** The project's figures as the database sums them. */
  async function expected(asAt: string) {
    const db = (await testDatabase()).db;
    const released = await sql<{ outcome: string; m2: number }>`
      select lr.outcome, sum(lr.area_m2) as m2 from land_release lr join activities a on a.id = lr.activity_id
      where a.project_id = ${project} and lr.released_on <= ${asAt}::date group by lr.outcome`.execute(db);
    const devices = await sql<{ n: number }>`
      select coalesce(sum(f.quantity), 0)::int as n from findings f join activities a on a.id = f.activity_id
      where a.project_id = ${project} and f.disposition in ('destroyed_in_situ', 'removed_destroyed')
        and f.found_on <= ${asAt}::date`.execute(db);
    const re = await sql<{ n: number }>`
      select coalesce(sum(beneficiaries_total), 0)::int as n from risk_education_sessions
      where project_id = ${project} and held_on <= ${asAt}::date`.execute(db);
    const m2 = (o: string) =>
      Math.round(Number(released.rows.find((r) => r.outcome === o)?.m2 ?? 0) * 100) / 100;
    const total = released.rows.reduce((s, r) => s + Number(r.m2), 0);
    return {
      reduced: m2('reduced'),
      cleared: m2('cleared'),
      total: Math.round(total * 100) / 100,
      devices: Number(devices.rows[0]!.n),
      beneficiaries: Number(re.rows[0]!.n),
      costPerM2: total > 0 ? Math.round((50000 / total) * 100) / 100 : null,
    };
  }

  it('sums land released, devices destroyed and beneficiaries of the project, and its cost per m²', async () => {
    const r = await call('GET', `/api/v1/projects/${project}/summary`, admin);
    expect(r.statusCode, r.body).toBe(200);
    const s = r.json();
    const e = await expected('9999-12-31');
    expect(e.reduced).toBeGreaterThan(0);
    expect(e.cleared).toBeGreaterThan(0);
    expect(s.releasedM2).toEqual({ cancelled: 0, reduced: e.reduced, cleared: e.cleared, total: e.total });
    expect(s.devicesDestroyed).toBe(5);
    expect(s.devicesDestroyed).toBe(e.devices);
    expect(s.riskEducationBeneficiaries).toBe(20);
    expect(s.riskEducationBeneficiaries).toBe(e.beneficiaries);
    expect(s.funds).toEqual({ amount: 50000, currency: 'USD' });
    expect(s.costPerM2).toBe(e.costPerM2);
    expect(s.activities).toBe(1);
    expect(s.donors.map((d: { name: string; amount: number }) => [d.name, d.amount])).toEqual([
      [expect.stringContaining('DNR'), 30000],
      ['Private fund', 20000],
    ]);
  });

  it('is as at a date: records approved after it are not yet there', async () => {
    // Every record here was approved today, so as at an earlier date the project is not known.
    const r = await call('GET', `/api/v1/projects/${project}/summary?asAt=2024-06-30`, admin);
    expect(r.statusCode).toBe(404);
  });

  it('is a standard report with a table by project and one by donor', async () => {
    const r = await call('GET', `/api/v1/outputs/project?project=${project}&format=json`, admin);
    expect(r.statusCode, r.body).toBe(200);
    const blocks = r.json().document.blocks as Array<{ kind: string; rows?: unknown[][] }>;
    const e = await expected('9999-12-31');
    const [byProject, byDonor] = blocks.filter((b) => b.kind === 'table');
    expect(byProject!.rows).toHaveLength(1);
    expect(byProject!.rows![0]).toEqual([
      expect.stringContaining('Clearance for return'),
      50000,
      'USD',
      0,
      e.reduced,
      e.cleared,
      e.total,
      5,
      20,
      e.costPerM2,
    ]);
    expect(byDonor!.rows!.map((row) => row[2])).toEqual([30000, 20000]);
    const pdf = await call('GET', `/api/v1/outputs/project?project=${project}&format=pdf`, admin);
    expect(pdf.statusCode).toBe(200);
  });
});

describe(`productivity per team kind on ${testDatabaseKind()}`, () => {
  it('groups an activity naming a team by the team kind, else by its method', async () => {
    const org = (await post('/api/v1/organisations', { name: unique('Operator T '), kind: 'ngo' })).id;
    const team = (await post('/api/v1/teams', { organisationId: org, name: 'Dogs 2', kind: 'mdd' })).id;
    const T = [45.9, 38.7] as const;
    const hazard = (
      await post('/api/v1/hazards', {
        type: 'Feature',
        geometry: square(T[0], T[1], 0.004),
        properties: { type: 'CHA', deviceCategories: ['AP'] },
      })
    ).id;
    const worked = async (teamId: string | null, x: number) => {
      const a = await post('/api/v1/activities', {
        type: 'Feature',
        geometry: null,
        properties: {
          kind: 'clearance',
          organisationId: org,
          hazardId: hazard,
          method: 'manual',
          status: 'completed',
          startDate: '2019-05-01',
          endDate: '2019-05-04',
          teamId,
        },
      });
      await post('/api/v1/land-release', {
        type: 'Feature',
        geometry: square(T[0] + x, T[1] + 0.0005, 0.001),
        properties: { outcome: 'cleared', hazardId: hazard, activityId: a.id, releasedOn: '2019-05-04' },
      });
      return a.id as string;
    };
    const byTeam = await worked(team, 0.0002);
    const byMethod = await worked(null, 0.0015);
    const db = (await testDatabase()).db;
    const perDay = async (id: string) =>
      Number(
        (
          await sql<{
            r: number;
          }>`select sum(area_m2) / 4 as r from land_release where activity_id = ${id}`.execute(db)
        ).rows[0]!.r,
      );
    // Only these two activities ended by 2019-06-30.
    const r = await call('GET', '/api/v1/effort?asAt=2019-06-30', admin);
    expect(r.statusCode, r.body).toBe(200);
    const groups = Object.fromEntries(
      (r.json().methods as Array<{ method: string; samples: number; medianM2PerTeamDay: number }>).map(
        (m) => [m.method, m],
      ),
    );
    expect(Object.keys(groups).sort()).toEqual(['all', 'manual', 'mdd']);
    expect(groups.mdd!.samples).toBe(1);
    expect(groups.mdd!.medianM2PerTeamDay).toBeCloseTo(await perDay(byTeam), 1);
    expect(groups.manual!.medianM2PerTeamDay).toBeCloseTo(await perDay(byMethod), 1);
    expect(groups.all!.samples).toBe(2);
  });
});
