import { beforeAll, describe, expect, it } from 'vitest';
import { login, testDatabaseKind, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';
import { accidentReport as reportOf } from './helpers/reports.ts';

/**
 * Write-only fields (a casualty's identity) on every write path: a writer who may not read them
 * sends records back without them, and that must never erase them. Only an explicit clear does.
 */

let admin: Record<string, string>;
let approver: Record<string, string>;
let operator: Record<string, string>;

beforeAll(async () => {
  admin = await login('admin');
  const org = await call('POST', '/api/v1/organisations', admin, {
    name: unique('Operator W '),
    kind: 'ngo',
  });
  approver = await login('approver');
  operator = await login('operator_data_entry', { organisationId: org.json().id });
});

function accidentReport(identity: Record<string, unknown> | null | undefined) {
  return reportOf('2025-04-04', [45.1, 40.1], {
    sex: 'female',
    age: 41,
    casualtyStatus: 'civilian',
    outcome: 'injured',
    ...(identity !== undefined ? { identity } : {}),
  });
}

/** The operator's draft as the operator reads it, sent back unchanged with PUT. */
async function readAndPutBack(id: string, edit: (body: Record<string, unknown>) => void = () => {}) {
  const read = await call('GET', `/api/v1/reports/${id}`, operator);
  expect(read.statusCode, read.body).toBe(200);
  const draft = read.json();
  // The operator may not read identities: the draft it gets has none.
  expect(read.body).not.toContain('identity');
  const body: Record<string, unknown> = {
    kind: draft.kind,
    dateOfInformation: draft.dateOfInformation,
    payload: draft.payload,
  };
  edit(body);
  const put = await call(
    'PUT',
    `/api/v1/reports/${id}`,
    { ...operator, 'if-match': `"${draft.version}"` },
    body,
  );
  expect(put.statusCode, put.body).toBe(200);
}

/** Submits and approves a report; the id of the casualty it created. */
async function approveCasualty(id: string): Promise<string> {
  const sub = await call('POST', `/api/v1/reports/${id}/submit`, operator);
  expect(sub.statusCode, sub.body).toBe(200);
  const ok = await call('POST', `/api/v1/reports/${id}/approve`, approver, {});
  expect(ok.statusCode, ok.body).toBe(200);
  const applied = ok.json().applied as Array<{ register: string; id: string }>;
  return applied.find((a) => a.register === 'casualties')!.id;
}

async function identityOf(casualtyId: string) {
  const r = await call('GET', `/api/v1/casualties/${casualtyId}?identity=true`, approver);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().identity;
}

describe(`write-only fields are never lost on ${testDatabaseKind()}`, () => {
  it('keeps the identity an operator entered when it puts its own draft back without it', async () => {
    const draft = await call(
      'POST',
      '/api/v1/reports',
      operator,
      accidentReport({ name: 'Anahit K.', dateOfBirth: '1984-02-03', address: 'Village 7' }),
    );
    expect(draft.statusCode, draft.body).toBe(201);
    await readAndPutBack(draft.json().id);
    const casualty = await approveCasualty(draft.json().id);
    expect(await identityOf(casualty)).toEqual({
      name: 'Anahit K.',
      dateOfBirth: '1984-02-03',
      address: 'Village 7',
    });
  });

  it('replaces only the identity fields a draft edit gives, and clears one set to null', async () => {
    const draft = await call(
      'POST',
      '/api/v1/reports',
      operator,
      accidentReport({ name: 'Gohar M.', dateOfBirth: '1990-09-09', address: 'Old street 1' }),
    );
    await readAndPutBack(draft.json().id, (body) => {
      const changes = (body.payload as { changes: Array<{ record: Record<string, unknown> }> }).changes;
      changes[1]!.record.identity = { address: 'New street 2', dateOfBirth: null };
    });
    const casualty = await approveCasualty(draft.json().id);
    expect(await identityOf(casualty)).toEqual({
      name: 'Gohar M.',
      dateOfBirth: null,
      address: 'New street 2',
    });
  });

  it('clears the whole identity of a draft only when the edit says "identity": null', async () => {
    const draft = await call(
      'POST',
      '/api/v1/reports',
      operator,
      accidentReport({ name: 'Ruzanna T.', address: 'Hill 3' }),
    );
    await readAndPutBack(draft.json().id, (body) => {
      const changes = (body.payload as { changes: Array<{ record: Record<string, unknown> }> }).changes;
      changes[1]!.record.identity = null;
    });
    const casualty = await approveCasualty(draft.json().id);
    expect(await identityOf(casualty)).toEqual({ name: null, dateOfBirth: null, address: null });
  });

  it('keeps the identity when an approver patches a casualty without it; null clears', async () => {
    const acc = await call('POST', '/api/v1/accidents', approver, {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [45.2, 40.2] },
      properties: { occurredOn: '2024-01-01' },
    });
    const created = await call('POST', '/api/v1/casualties', approver, {
      accidentId: acc.json().id,
      sex: 'male',
      casualtyStatus: 'civilian',
      outcome: 'killed',
      identity: { name: 'Armen S.', address: 'Farm 9' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const c = created.json();
    const patched = await call(
      'PATCH',
      `/api/v1/casualties/${c.id}`,
      { ...approver, 'if-match': `"${c.version}"` },
      { referral: 'Physical rehabilitation centre' },
    );
    expect(patched.statusCode, patched.body).toBe(200);
    expect(await identityOf(c.id)).toEqual({ name: 'Armen S.', dateOfBirth: null, address: 'Farm 9' });

    const oneField = await call(
      'PATCH',
      `/api/v1/casualties/${c.id}`,
      { ...approver, 'if-match': `"${patched.json().version}"` },
      { identity: { address: null } },
    );
    expect(oneField.statusCode, oneField.body).toBe(200);
    expect(await identityOf(c.id)).toEqual({ name: 'Armen S.', dateOfBirth: null, address: null });

    const cleared = await call(
      'PATCH',
      `/api/v1/casualties/${c.id}`,
      { ...approver, 'if-match': `"${oneField.json().version}"` },
      { identity: null },
    );
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(await identityOf(c.id)).toEqual({ name: null, dateOfBirth: null, address: null });
  });

  it('refuses a casualty sent as a GeoJSON Feature before anything is stored, naming the change', async () => {
    const body = accidentReport(undefined);
    const casualty = body.payload.changes[1] as { record: Record<string, unknown> };
    casualty.record = {
      type: 'Feature',
      geometry: null,
      properties: { ...casualty.record, identity: { name: 'Kept in clear?' } },
    };
    const before = await call('GET', '/api/v1/reports?status=draft&limit=500', operator);
    const created = await call('POST', '/api/v1/reports', operator, body);
    expect(created.statusCode, created.body).toBe(400);
    expect(created.json().errors).toContainEqual(
      expect.objectContaining({ code: 'validation.plain_record', pointer: '/payload/changes/1/record/type' }),
    );
    const after = await call('GET', '/api/v1/reports?status=draft&limit=500', operator);
    expect(after.body.length).toBe(before.body.length);
    // A direct write of the same shape is refused the same way, not as unknown fields.
    const direct = await call('POST', '/api/v1/casualties', approver, {
      type: 'Feature',
      geometry: null,
      properties: { sex: 'female', casualtyStatus: 'civilian', outcome: 'injured' },
    });
    expect(direct.statusCode, direct.body).toBe(400);
    expect(direct.body).toContain('validation.plain_record');
  });
});
