import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, type Action, can, PERMISSIONS } from '../../src/domain/permissions.ts';
import { DEFAULT_PRIORITY_WEIGHTS } from '../../src/domain/planning.ts';
import { ROLES, type Role } from '../../src/domain/vocabularies.ts';
import { login, testDatabaseKind, unique } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';
import { call } from './helpers/http.ts';

/**
 * Walks the whole permission table through HTTP: for every action a probe request, made as every
 * role; the answer must be refused (403, or 404 where the rule hides what exists) exactly when the
 * table says the role may not.
 */
let admin: Record<string, string>;
let orgId: string;
let otherOrgId: string;
let casualtyId: string;
const users = new Map<Role, Record<string, string>>();

const draftBody = (organisationId: string) => ({
  kind: 'new_hazard',
  dateOfInformation: '2025-01-01',
  organisationId,
  payload: {
    changes: [
      {
        op: 'create',
        register: 'hazards',
        record: { type: 'Feature', geometry: square(30, 10), properties: { type: 'SHA' } },
      },
    ],
  },
});

async function report(status: 'draft' | 'submitted', organisationId = orgId): Promise<string> {
  const r = await call('POST', '/api/v1/reports', admin, draftBody(organisationId));
  expect(r.statusCode, r.body).toBe(201);
  if (status === 'submitted')
    expect((await call('POST', `/api/v1/reports/${r.json().id}/submit`, admin)).statusCode).toBe(200);
  return r.json().id;
}

/** One request per action; each returns the response for the given role's headers. */
const probes: Record<Action, (h: Record<string, string>) => Promise<LightMyRequestResponse>> = {
  'record.read': (h) => call('GET', '/api/v1/hazards?limit=1', h),
  'record.write': (h) => call('POST', '/api/v1/organisations', h, { name: unique('Probe '), kind: 'ngo' }),
  'identity.read': (h) => call('GET', `/api/v1/casualties/${casualtyId}?identity=true`, h),
  'report.create': (h) => call('POST', '/api/v1/reports', h, draftBody(orgId)),
  'report.submit': async (h) => call('POST', `/api/v1/reports/${await report('draft')}/submit`, h),
  'report.review': async (h) => call('POST', `/api/v1/reports/${await report('submitted')}/review`, h),
  'report.approve': async (h) =>
    call('POST', `/api/v1/reports/${await report('submitted')}/reject`, h, { reason: 'probe' }),
  'report.read_all': async (h) => call('GET', `/api/v1/reports/${await report('draft', otherOrgId)}`, h),
  'user.manage': (h) => call('GET', '/api/v1/users', h),
  'token.manage_own': (h) => call('GET', '/api/v1/auth/tokens', h),
  'audit.read': async (h) => {
    const org = (
      await call('POST', '/api/v1/organisations', admin, { name: unique('Audited '), kind: 'ngo' })
    ).json();
    return call('GET', `/api/v1/organisations/${org.id}/history`, h);
  },
  'audit.verify': (h) => call('GET', '/api/v1/audit/verify', h),
  'data.import': (h) =>
    call(
      'POST',
      '/api/v1/imports?as=sources&dryRun=true',
      { ...h, 'content-type': 'application/json' },
      { type: 'FeatureCollection', features: [] },
    ),
  'data.export': (h) => call('GET', '/api/v1/sources?format=csv&limit=1', h),
  'output.save': (h) =>
    call('POST', '/api/v1/outputs/definitions', h, { name: unique('Probe '), output: 'casualties' }),
  'qa.write': (h) =>
    call('POST', '/api/v1/qa-visits', h, {
      visitedOn: '2025-01-02',
      inspectedOrganisationId: orgId,
      inspectingOrganisationId: orgId,
    }),
  // A version no one has: a role that may manage planning is told it is stale (412), others 403.
  'planning.manage': (h) =>
    call(
      'PUT',
      '/api/v1/priorities/weights',
      { ...h, 'if-match': '"999999"' },
      { weights: DEFAULT_PRIORITY_WEIGHTS },
    ),
};

function refused(action: Action, r: LightMyRequestResponse): boolean {
  if (r.statusCode === 403) return true;
  // Reports of another organisation are hidden from those who may not read them all, and a
  // draft from those who may not see it (a viewer): they are not told it exists (404).
  return (action === 'report.read_all' || action === 'report.submit') && r.statusCode === 404;
}

beforeAll(async () => {
  admin = await login('admin');
  orgId = (
    await call('POST', '/api/v1/organisations', admin, { name: unique('Perm org '), kind: 'ngo' })
  ).json().id;
  otherOrgId = (
    await call('POST', '/api/v1/organisations', admin, { name: unique('Other org '), kind: 'ngo' })
  ).json().id;
  const acc = (
    await call('POST', '/api/v1/accidents', admin, {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [30, 10] },
      properties: { occurredOn: '2024-01-01' },
    })
  ).json();
  casualtyId = (
    await call('POST', '/api/v1/casualties', admin, {
      accidentId: acc.id,
      sex: 'male',
      casualtyStatus: 'military',
      outcome: 'injured',
      identity: { name: 'P. Q.' },
    })
  ).json().id;
  for (const role of ROLES)
    users.set(role, await login(role, { organisationId: orgId, name: `perm-${role}` }));
});

describe(`the permission table, walked through HTTP on ${testDatabaseKind()}`, () => {
  it('has an entry for every action and only known roles', () => {
    expect(Object.keys(PERMISSIONS).sort()).toEqual([...ACTIONS].sort());
    for (const roles of Object.values(PERMISSIONS)) for (const r of roles) expect(ROLES).toContain(r);
    expect(can('viewer', 'record.write')).toBe(false);
    expect(
      ACTIONS.filter((a) => a !== 'record.read' && a !== 'token.manage_own' && a !== 'data.export').every(
        (a) => !can('viewer', a),
      ),
    ).toBe(true);
  });

  for (const action of ACTIONS) {
    it(`decides ${action} for every role as the table says`, async () => {
      const outcomes: string[] = [];
      for (const role of ROLES) {
        const r = await probes[action](users.get(role)!);
        expect(r.statusCode, `${action} as ${role}: ${r.body.slice(0, 300)}`).toBeLessThan(500);
        const allowed = can(role, action);
        if (refused(action, r) === allowed)
          outcomes.push(
            `${role}: expected ${allowed ? 'allowed' : 'refused'}, got ${r.statusCode} ${r.body.slice(0, 200)}`,
          );
      }
      expect(outcomes).toEqual([]);
    });
  }
});
