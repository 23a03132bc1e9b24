import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/services/audit.ts';
import { login, testDatabase, testDatabaseKind, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';
import { accidentReport as reportOf } from './helpers/reports.ts';

let admin: Record<string, string>;
let approver: Record<string, string>;
let approver2: Record<string, string>;
let viewer: Record<string, string>;
let operatorA: Record<string, string>;
let managerA: Record<string, string>;
let operatorB: Record<string, string>;
let orgA: string;
let orgB: string;

// A hazard of 100 m × 100 m near 46.95°E 39.94°N (about 0.0011731° of longitude, 0.0009006° of latitude).
const W = 46.95;
const S = 39.94;
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

/** An approved hazard of the given shape (authority direct write). */
async function hazard(offset: number, props: Record<string, unknown> = {}) {
  const r = await call('POST', '/api/v1/hazards', admin, {
    type: 'Feature',
    geometry: rect(offset, 0, offset + 1, 1),
    properties: { type: 'CHA', deviceCategories: ['AP'], name: unique('Field '), ...props },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

function clearanceReport(
  hazardId: string,
  polygons: Array<{ outcome: string; geometry: unknown }>,
  date = '2025-06-01',
) {
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
              status: 'completed',
              startDate: date,
            },
          },
        },
        ...polygons.map((p) => ({
          op: 'create',
          register: 'land-release',
          record: {
            type: 'Feature',
            geometry: p.geometry,
            properties: {
              outcome: p.outcome,
              hazardId,
              activityId: '@ref:act',
              depthCm: 20,
              releasedOn: date,
            },
          },
        })),
      ],
    },
  };
}

/** A report that changes one hazard's status, true on the ground on `date`. */
function statusReport(hazardId: string, status: string, date: string, reason: string | null) {
  return {
    kind: 'hazard_status_change',
    dateOfInformation: date,
    reason,
    payload: {
      changes: [
        {
          op: 'update',
          register: 'hazards',
          id: hazardId,
          record: { type: 'Feature', properties: { status } },
        },
      ],
    },
  };
}

async function submitted(body: unknown, who = operatorA) {
  const draft = await call('POST', '/api/v1/reports', who, body);
  expect(draft.statusCode, draft.body).toBe(201);
  const sub = await call('POST', `/api/v1/reports/${draft.json().id}/submit`, who);
  expect(sub.statusCode, sub.body).toBe(200);
  return sub.json();
}

beforeAll(async () => {
  admin = await login('admin');
  const a = await call('POST', '/api/v1/organisations', admin, { name: unique('Operator A '), kind: 'ngo' });
  const b = await call('POST', '/api/v1/organisations', admin, {
    name: unique('Operator B '),
    kind: 'commercial',
  });
  orgA = a.json().id;
  orgB = b.json().id;
  approver = await login('approver');
  approver2 = await login('approver', { name: 'approver2' });
  viewer = await login('viewer');
  operatorA = await login('operator_data_entry', { organisationId: orgA });
  managerA = await login('operator_manager', { organisationId: orgA });
  operatorB = await login('operator_data_entry', { organisationId: orgB });
});

describe(`reports, approval and the land-release rules on ${testDatabaseKind()}`, () => {
  it('keeps drafts invisible across organisations and lets operators write only through reports', async () => {
    const h = await hazard(0);
    const draft = (
      await call(
        'POST',
        '/api/v1/reports',
        operatorA,
        clearanceReport(h.id, [{ outcome: 'cleared', geometry: rect(0, 0, 0.5, 1) }]),
      )
    ).json();
    expect(draft.status).toBe('draft');
    expect(draft.organisationId).toBe(orgA);
    expect((await call('GET', `/api/v1/reports/${draft.id}`, operatorA)).statusCode).toBe(200);
    expect((await call('GET', `/api/v1/reports/${draft.id}`, operatorB)).statusCode).toBe(404);
    const listB = (await call('GET', '/api/v1/reports', operatorB)).json();
    expect(listB.items.map((r: { id: string }) => r.id)).not.toContain(draft.id);
    const direct = await call('POST', '/api/v1/hazards', operatorA, {
      type: 'Feature',
      geometry: rect(0, 0, 1, 1),
      properties: { type: 'SHA' },
    });
    expect(direct.statusCode).toBe(403);
    expect(direct.json().code).toBe('auth.forbidden');
    // Registers do not change before approval.
    const lr = (await call('GET', `/api/v1/land-release?hazard=${h.id}`, admin)).json();
    expect(lr.features).toHaveLength(0);
  });

  it('refuses a cleared polygon outside its hazard, saying by how much', async () => {
    const h = await hazard(2);
    const report = await submitted(
      clearanceReport(h.id, [{ outcome: 'cleared', geometry: rect(2.5, 0, 3.5, 1) }]),
    );
    const r = await call('POST', `/api/v1/reports/${report.id}/approve`, approver, {});
    expect(r.statusCode).toBe(400);
    const p = r.json();
    expect(p.code).toBe('land_release.outside_hazard');
    expect(p.pointer).toBe('/payload/changes/1/record/geometry');
    // Half of a 100 m × 100 m square sticks out, minus the 1 m tolerance strip.
    expect(p.params.outsideM2).toBeGreaterThan(4800);
    expect(p.params.outsideM2).toBeLessThan(5000);
    expect((await call('GET', `/api/v1/land-release?hazard=${h.id}`, admin)).json().features).toHaveLength(0);
    expect((await call('GET', `/api/v1/reports/${report.id}`, approver)).json().status).toBe('submitted');
  });

  it('refuses released areas that add up to more than the hazard', async () => {
    const h = await hazard(4);
    const report = await submitted(
      clearanceReport(h.id, [
        { outcome: 'reduced', geometry: rect(4, 0, 5, 0.7) },
        { outcome: 'cleared', geometry: rect(4, 0.4, 5, 1) },
      ]),
    );
    const r = await call('POST', `/api/v1/reports/${report.id}/approve`, approver, {});
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('land_release.area_exceeds_hazard');
    // 70 % + 60 % of the hazard: 30 % too much.
    expect(r.json().params.excessM2 / h.properties.areaM2).toBeCloseTo(0.3, 2);
    expect((await call('GET', `/api/v1/land-release?hazard=${h.id}`, admin)).json().features).toHaveLength(0);
  });

  it('refuses the same violation in the database itself, even when the service is bypassed', async () => {
    const h = await hazard(6);
    const database = await testDatabase();
    const insert = sql`insert into land_release (outcome, hazard_id, geom) values ('cleared', ${h.id},
      ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(rect(6.5, 0, 7.5, 1))}), 4326)))`;
    await expect(insert.execute(database.db)).rejects.toThrow(/outside hazard/);
  });

  it('approves a valid clearance: remaining area shrinks, and the hazard closes when nothing remains', async () => {
    const h = await hazard(8);
    const area = h.properties.areaM2 as number;
    const first = await submitted(
      clearanceReport(h.id, [{ outcome: 'cleared', geometry: rect(8, 0, 8.6, 1) }], '2025-05-01'),
    );
    const reviewed = await call('POST', `/api/v1/reports/${first.id}/review`, managerA);
    expect(reviewed.statusCode, reviewed.body).toBe(200);
    const ok = await call('POST', `/api/v1/reports/${first.id}/approve`, approver, {});
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().status).toBe('approved');
    let now = (await call('GET', `/api/v1/hazards/${h.id}`, viewer)).json().properties;
    expect(now.releasedAreaM2 / area).toBeCloseTo(0.6, 2);
    expect(now.remainingAreaM2 / area).toBeCloseTo(0.4, 2);
    expect(now.status).toBe('open');

    const rest = await submitted(
      clearanceReport(h.id, [{ outcome: 'reduced', geometry: rect(8.6, 0, 9, 1) }], '2025-06-01'),
    );
    expect((await call('POST', `/api/v1/reports/${rest.id}/approve`, approver, {})).statusCode).toBe(200);
    now = (await call('GET', `/api/v1/hazards/${h.id}`, viewer)).json().properties;
    expect(now.remainingAreaM2).toBe(0);
    expect(now.status).toBe('closed');
    const history = (await call('GET', `/api/v1/hazards/${h.id}/history`, admin)).json().items;
    expect(history.at(-1).after.reason).toBe('no_remaining_area');
  });

  it('applies a back-dated report in date-of-information order', async () => {
    const h = await hazard(10, { status: 'open', dateOfInformation: '2024-01-01' });
    const june = await submitted(statusReport(h.id, 'closed', '2024-06-01', 'survey of 2024-06-01'));
    expect((await call('POST', `/api/v1/reports/${june.id}/approve`, approver, {})).statusCode).toBe(200);
    // Approved later, but true on the ground earlier: it must not overwrite June's closure.
    const march = await submitted(statusReport(h.id, 'in_progress', '2024-03-01', 'survey of 2024-03-01'));
    const r = await call('POST', `/api/v1/reports/${march.id}/approve`, approver, {});
    expect(r.statusCode, r.body).toBe(200);
    const now = (await call('GET', `/api/v1/hazards/${h.id}`, viewer)).json().properties;
    expect(now.status).toBe('closed');
  });

  it('re-opens a closed hazard on a report that gives a reason', async () => {
    const h = await hazard(12, { status: 'open', dateOfInformation: '2024-01-01' });
    const closed = await submitted(statusReport(h.id, 'closed', '2024-02-01', 'cancelled by survey'));
    expect((await call('POST', `/api/v1/reports/${closed.id}/approve`, approver, {})).statusCode).toBe(200);
    const reopen = await submitted(statusReport(h.id, 'open', '2024-03-01', 'new accident'));
    expect((await call('POST', `/api/v1/reports/${reopen.id}/approve`, approver, {})).statusCode).toBe(200);
    expect((await call('GET', `/api/v1/hazards/${h.id}`, viewer)).json().properties.status).toBe('open');
  });

  it('refuses a back-dated report that would break the status history', async () => {
    const h = await hazard(22, { status: 'open', dateOfInformation: '2024-01-01' });
    const march = await submitted(statusReport(h.id, 'in_progress', '2024-03-01', 'clearance started'));
    expect((await call('POST', `/api/v1/reports/${march.id}/approve`, approver, {})).statusCode).toBe(200);
    // Closed in February would put March's work on a closed hazard: closed → in_progress is no transition.
    const february = await submitted(statusReport(h.id, 'closed', '2024-02-01', 'cancelled by survey'));
    const r = await call('POST', `/api/v1/reports/${february.id}/approve`, approver, {});
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().code).toBe('hazard.status_transition');
    expect(r.json().params).toMatchObject({
      from: 'closed',
      to: 'in_progress',
      date: '2024-03-01',
      reportDate: '2024-02-01',
    });
    expect((await call('GET', `/api/v1/reports/${february.id}`, approver)).json().status).toBe('submitted');
    expect((await call('GET', `/api/v1/hazards/${h.id}`, viewer)).json().properties.status).toBe(
      'in_progress',
    );
  });

  it('lets exactly one of two simultaneous approvals succeed', async () => {
    const h = await hazard(14);
    const report = await submitted(
      clearanceReport(h.id, [{ outcome: 'cleared', geometry: rect(14, 0, 14.5, 1) }]),
    );
    const [a, b] = await Promise.all([
      call('POST', `/api/v1/reports/${report.id}/approve`, approver, {}),
      call('POST', `/api/v1/reports/${report.id}/approve`, approver2, {}),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const loser = a.statusCode === 409 ? a : b;
    expect(loser.json().code).toBe('report.state_conflict');
    expect((await call('GET', `/api/v1/land-release?hazard=${h.id}`, admin)).json().features).toHaveLength(1);
  });

  it('rejects with a reason; the operator corrects and resubmits', async () => {
    const h = await hazard(16);
    const report = await submitted(
      clearanceReport(h.id, [{ outcome: 'cleared', geometry: rect(16, 0, 16.5, 1) }]),
    );
    expect((await call('POST', `/api/v1/reports/${report.id}/reject`, approver, {})).json().code).toBe(
      'report.reason_required',
    );
    const rejected = await call('POST', `/api/v1/reports/${report.id}/reject`, approver, {
      reason: 'Depth missing on sketch',
    });
    expect(rejected.json().status).toBe('rejected');
    expect(rejected.json().rejectionReason).toBe('Depth missing on sketch');
    const edited = await call(
      'PUT',
      `/api/v1/reports/${report.id}`,
      { ...operatorA, 'if-match': `"${rejected.json().version}"` },
      clearanceReport(h.id, [{ outcome: 'cleared', geometry: rect(16, 0, 16.4, 1) }]),
    );
    expect(edited.statusCode, edited.body).toBe(200);
    expect((await call('POST', `/api/v1/reports/${report.id}/submit`, operatorA)).json().status).toBe(
      'submitted',
    );
    expect((await call('POST', `/api/v1/reports/${report.id}/approve`, approver, {})).statusCode).toBe(200);
  });

  it('warns of duplicates at approval and applies only when the approver confirms them', async () => {
    const h = await hazard(18);
    const dup = await submitted({
      kind: 'new_hazard',
      dateOfInformation: '2025-01-01',
      payload: {
        changes: [
          {
            op: 'create',
            register: 'hazards',
            record: { type: 'Feature', geometry: rect(18.1, 0.1, 19, 1), properties: { type: 'SHA' } },
          },
        ],
      },
    });
    const r = await call('POST', `/api/v1/reports/${dup.id}/approve`, approver, {});
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('report.warnings_unconfirmed');
    const w = r.json().warnings;
    expect(w).toHaveLength(1);
    expect(w[0].code).toBe('duplicate.hazard_overlap');
    expect(w[0].other.id).toBe(h.id);
    const ok = await call('POST', `/api/v1/reports/${dup.id}/approve`, approver, {
      confirmWarnings: [w[0].id],
    });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('warns when a casualty has the same name and accident date as one already recorded', async () => {
    const accidentReport = () =>
      reportOf('2025-03-03', [46.9, 39.9], {
        sex: 'male',
        age: 30,
        casualtyStatus: 'civilian',
        outcome: 'injured',
        identity: { name: 'Rəşad  Əliyev' },
      });
    const first = await submitted(accidentReport());
    expect((await call('POST', `/api/v1/reports/${first.id}/approve`, approver, {})).statusCode).toBe(200);
    const second = await submitted(accidentReport());
    const r = await call('POST', `/api/v1/reports/${second.id}/approve`, approver, {});
    expect(r.statusCode).toBe(409);
    expect(r.json().warnings.map((x: { code: string }) => x.code)).toContain(
      'duplicate.casualty_same_person',
    );
    // The approver rejects it explicitly instead.
    expect(
      (
        await call('POST', `/api/v1/reports/${second.id}/reject`, approver, {
          reason: 'Same accident reported twice',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('keeps identities encrypted at rest and away from viewers and lists', async () => {
    const acc = (
      await call('POST', '/api/v1/accidents', admin, {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [46.8, 39.8] },
        properties: { occurredOn: '2022-02-02' },
      })
    ).json();
    const c = (
      await call('POST', '/api/v1/casualties', admin, {
        accidentId: acc.id,
        sex: 'female',
        casualtyStatus: 'civilian',
        outcome: 'killed',
        identity: { name: 'Leyla Q.', address: 'Village 4' },
      })
    ).json();
    expect(c.identity).toBeUndefined();
    const database = await testDatabase();
    const stored = await sql<{
      identityName: string;
    }>`select identity_name from casualties where id = ${c.id}`.execute(database.db);
    expect(stored.rows[0]!.identityName).toMatch(/^enc:v1:/);
    expect(stored.rows[0]!.identityName).not.toContain('Leyla');
    const asApprover = (await call('GET', `/api/v1/casualties/${c.id}?identity=true`, approver)).json();
    expect(asApprover.identity).toEqual({ name: 'Leyla Q.', dateOfBirth: null, address: 'Village 4' });
    const asViewer = await call('GET', `/api/v1/casualties/${c.id}?identity=true`, viewer);
    expect(asViewer.statusCode).toBe(403);
    expect((await call('GET', `/api/v1/casualties/${c.id}`, viewer)).body).not.toContain('Leyla');
    expect((await call('GET', `/api/v1/casualties?accident=${acc.id}`, approver)).body).not.toContain(
      'Leyla',
    );
  });

  it('records every read of an identity in the audit log: who and which fields, never the values', async () => {
    const acc = (
      await call('POST', '/api/v1/accidents', admin, {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [46.7, 39.7] },
        properties: { occurredOn: '2022-03-03' },
      })
    ).json();
    const create = (identity?: Record<string, string>) =>
      call('POST', '/api/v1/casualties', admin, {
        accidentId: acc.id,
        sex: 'male',
        casualtyStatus: 'civilian',
        outcome: 'injured',
        ...(identity ? { identity } : {}),
      }).then((r) => r.json());
    const named = await create({ name: 'Arif T.', dateOfBirth: '1980-05-05' });
    const unnamed = await create();
    const database = await testDatabase();
    const reads = async (id: string) =>
      (
        await sql<{ actorId: string; after: Record<string, unknown> }>`
          select actor_id, after from audit_log
          where entity = 'casualty' and record_id = ${id} and action = 'read_identity' order by seq`.execute(
          database.db,
        )
      ).rows;

    // A plain read, and a read refused to a viewer, are not identity reads.
    expect((await call('GET', `/api/v1/casualties/${named.id}`, approver)).statusCode).toBe(200);
    expect((await call('GET', `/api/v1/casualties/${named.id}?identity=true`, viewer)).statusCode).toBe(403);
    expect(await reads(named.id)).toEqual([]);

    const read = await call('GET', `/api/v1/casualties/${named.id}?identity=true`, approver);
    expect(read.json().identity.name).toBe('Arif T.');
    expect(read.headers['cache-control']).toBe('no-store');
    const me = (await call('GET', '/api/v1/auth/me', approver)).json();
    const logged = await reads(named.id);
    expect(logged).toEqual([{ actorId: me.id, after: { fields: ['name', 'dateOfBirth'] } }]);
    expect(JSON.stringify(logged)).not.toContain('Arif');

    // The record's history shows the read; a casualty with no identity has nothing to log.
    const history = (await call('GET', `/api/v1/casualties/${named.id}/history`, approver)).json().items;
    expect(history.map((h: { action: string }) => h.action)).toContain('read_identity');
    await call('GET', `/api/v1/casualties/${unnamed.id}?identity=true`, approver);
    expect(await reads(unnamed.id)).toEqual([]);
    expect((await verifyAudit(database)).broken).toBeUndefined();
  });

  it("keeps a report's identities out of every read but one asked for, and records that read", async () => {
    const name = unique('Rustam K. ');
    const created = await call(
      'POST',
      '/api/v1/reports',
      operatorA,
      reportOf('2025-05-05', [46.6, 39.6], {
        sex: 'male',
        casualtyStatus: 'civilian',
        outcome: 'injured',
        identity: { name },
      }),
    );
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const database = await testDatabase();
    const reads = async () =>
      (
        await sql<{ after: unknown }>`
          select after from audit_log where entity = 'report' and record_id = ${id} and action = 'read_identity'`.execute(
          database.db,
        )
      ).rows;

    // An approver's plain read and list say which change holds one, never what it is.
    const plain = await call('GET', `/api/v1/reports/${id}`, approver);
    expect(plain.body).not.toContain(name);
    expect(plain.json().hiddenIdentities).toEqual([1]);
    expect((await call('GET', '/api/v1/reports?limit=500', approver)).body).not.toContain(name);
    expect(await reads()).toEqual([]);
    // An operator may not ask for it.
    expect((await call('GET', `/api/v1/reports/${id}?identity=true`, operatorA)).statusCode).toBe(403);

    const asked = await call('GET', `/api/v1/reports/${id}?identity=true`, approver);
    expect(asked.statusCode, asked.body).toBe(200);
    expect(asked.json().payload.changes[1].record.identity.name).toBe(name);
    expect(asked.json().hiddenIdentities).toBeUndefined();
    expect(asked.headers['cache-control']).toBe('no-store');
    expect(await reads()).toEqual([{ after: { changes: [1] } }]);
  });

  it('keeps a verifiable audit chain and detects an altered entry', async () => {
    const database = await testDatabase();
    const before = await verifyAudit(database);
    expect(before.broken).toBeUndefined();
    expect(before.entries).toBeGreaterThan(10);
    const victim = await sql<{
      seq: number;
    }>`select seq::int as seq from audit_log order by seq limit 1 offset 3`.execute(database.db);
    const seq = victim.rows[0]!.seq;
    await expect(
      sql`update audit_log set action = 'forged' where seq = ${seq}`.execute(database.db),
    ).rejects.toThrow(/append-only/);
    // Someone with the database owner's rights disables the guard and alters an entry.
    await sql`alter table audit_log disable trigger audit_log_no_update`.execute(database.db);
    const original = await sql<{ after: unknown }>`select after from audit_log where seq = ${seq}`.execute(
      database.db,
    );
    await sql`update audit_log set after = ${JSON.stringify({ forged: true })}::jsonb where seq = ${seq}`.execute(
      database.db,
    );
    try {
      const after = await verifyAudit(database);
      expect(after.broken).toEqual({ seq, reason: 'hash' });
    } finally {
      await sql`update audit_log set after = ${JSON.stringify(original.rows[0]!.after)}::jsonb where seq = ${seq}`.execute(
        database.db,
      );
      await sql`alter table audit_log enable trigger audit_log_no_update`.execute(database.db);
    }
    expect((await verifyAudit(database)).broken).toBeUndefined();
  });

  it('refuses every write by a viewer', async () => {
    const h = await hazard(20);
    for (const [method, url, body] of [
      [
        'POST',
        '/api/v1/hazards',
        { type: 'Feature', geometry: rect(20, 0, 21, 1), properties: { type: 'SHA' } },
      ],
      ['PATCH', `/api/v1/hazards/${h.id}`, { type: 'Feature', properties: { name: 'x' } }],
      [
        'POST',
        '/api/v1/reports',
        clearanceReport(h.id, [{ outcome: 'cleared', geometry: rect(20, 0, 20.5, 1) }]),
      ],
    ] as const) {
      const r = await call(method, url, { ...viewer, 'if-match': '"1"' }, body);
      expect(r.statusCode, `${method} ${url}`).toBe(403);
    }
  });
});
