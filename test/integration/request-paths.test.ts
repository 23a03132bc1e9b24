import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/services/audit.ts';
import { createUser } from '../../src/services/auth.ts';
import { login, testApp, testDatabase, testDatabaseKind, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';

const square = (i: number) => {
  const x = 20 + (i % 50) * 0.01;
  const y = -10 - Math.floor(i / 50) * 0.01;
  return {
    type: 'Polygon',
    coordinates: [
      [
        [x, y],
        [x + 0.001, y],
        [x + 0.001, y + 0.001],
        [x, y + 0.001],
        [x, y],
      ],
    ],
  };
};

describe(`the direct write path on ${testDatabaseKind()}`, () => {
  it('keeps the audit chain whole under concurrent direct writes', async () => {
    const admin = await login('admin');
    const database = await testDatabase();
    const before = await verifyAudit(database);
    const name = unique('Concurrent ');
    const writes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call('POST', '/api/v1/hazards', admin, {
          type: 'Feature',
          geometry: square(i),
          properties: { type: 'SHA', name: `${name} ${i}` },
        }),
      ),
    );
    for (const w of writes) expect(w.statusCode, w.body).toBe(201);
    const after = await verifyAudit(database);
    expect(after.broken).toBeUndefined();
    expect(after.entries).toBe(before.entries + 12);
    // One entry per record, in a chain without gaps (verifyAudit checks sequence and hashes).
    const ids = writes.map((w) => w.json().id as string);
    const logged = await sql<{ n: number }>`
      select count(distinct record_id)::int as n from audit_log where record_id = any(${ids}::uuid[])`.execute(
      database.db,
    );
    expect(logged.rows[0]!.n).toBe(12);
  }, 600_000);

  it('answers a create with the record as stored, approved by one report with its history', async () => {
    const admin = await login('admin');
    const database = await testDatabase();
    const created = await call('POST', '/api/v1/hazards', admin, {
      type: 'Feature',
      geometry: square(99),
      properties: { type: 'SHA', name: unique('Stored ') },
    });
    expect(created.statusCode, created.body).toBe(201);
    const read = await call('GET', `/api/v1/hazards/${created.json().id}`, admin);
    expect(created.json()).toEqual(read.json());
    expect(created.json().properties.code).toMatch(/\S/);
    expect(created.json().properties.areaM2).toBeGreaterThan(0);
    const report = await sql<{ status: string; version: number; decidedAt: string | null; applied: unknown }>`
      select r.status, r.version, r.decided_at, r.applied from reports r
      join record_changes c on c.report_id = r.id
      where c.record_id = ${created.json().id} and c.op = 'create'`.execute(database.db);
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({ status: 'approved', version: 3 });
    expect(report.rows[0]!.decidedAt).not.toBeNull();
    expect(report.rows[0]!.applied).toEqual([
      { index: 0, op: 'create', register: 'hazards', id: created.json().id },
    ]);
  });
});

describe(`sessions answered from memory on ${testDatabaseKind()}`, () => {
  const signIn = async (role: 'approver' | 'viewer') => {
    const database = await testDatabase();
    const email = `${unique(role)}@test.safeground.org`;
    const user = await createUser(database, { email, password: 'Test-password-1', role });
    const app = await testApp();
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'Test-password-1' },
    });
    return { id: user.id, headers: { authorization: `Bearer ${r.json().token}` } };
  };

  // A bearer token that is no (longer a) live session is refused as invalid.
  const refused = async (headers: Record<string, string>) => {
    const r = await call('GET', '/api/v1/auth/me', headers);
    expect(r.json().code, r.body).toBe('auth.invalid_token');
  };

  it('refuses a session at once after sign-out, a revoked token, a disabled user and a new role', async () => {
    const admin = await login('admin');
    // Signed out: the next request is refused though the session was just used.
    const a = await signIn('viewer');
    expect((await call('GET', '/api/v1/auth/me', a.headers)).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/auth/logout', a.headers)).statusCode).toBeLessThan(300);
    await refused(a.headers);

    // An API token revoked.
    const b = await signIn('viewer');
    const token = await call('POST', '/api/v1/auth/tokens', b.headers, { name: 'script' });
    expect(token.statusCode, token.body).toBe(201);
    const bearer = { authorization: `Bearer ${token.json().token}` };
    expect((await call('GET', '/api/v1/auth/me', bearer)).statusCode).toBe(200);
    const revoked = await call('DELETE', `/api/v1/auth/tokens/${token.json().id}`, b.headers);
    expect(revoked.statusCode, revoked.body).toBeLessThan(300);
    await refused(bearer);

    // A role taken away: a write the old role allowed is refused at once.
    const c = await signIn('approver');
    const write = (i: number) =>
      call('POST', '/api/v1/hazards', c.headers, {
        type: 'Feature',
        geometry: square(200 + i),
        properties: { type: 'SHA', name: unique('Role ') },
      });
    expect((await write(1)).statusCode).toBe(201);
    const demoted = await call('PATCH', `/api/v1/users/${c.id}`, admin, { role: 'viewer' });
    expect(demoted.statusCode, demoted.body).toBe(200);
    expect((await write(2)).statusCode).toBe(403);

    // A user disabled.
    const d = await signIn('viewer');
    expect((await call('GET', '/api/v1/auth/me', d.headers)).statusCode).toBe(200);
    await call('PATCH', `/api/v1/users/${d.id}`, admin, { disabled: true });
    await refused(d.headers);
  });
});
