import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { REGISTERS } from '../../src/domain/records.ts';
import type { Actor } from '../../src/services/actor.ts';
import { createUser } from '../../src/services/auth.ts';
import { decrypt, keyOf, keyringFromKeys, newKey, reencryptAll } from '../../src/services/personal-data.ts';
import { RegisterService } from '../../src/services/registers.ts';
import { ReportService } from '../../src/services/reports.ts';
import { testDatabase, testDatabaseKind, unique } from './helpers/db.ts';

describe(`personal data at rest on ${testDatabaseKind()}`, () => {
  it('rotates the key: every identity re-encrypted, readable with the new key only', async () => {
    const database = await testDatabase();
    const oldKey = newKey();
    const ring = keyringFromKeys([oldKey], oldKey);
    const reports = new ReportService(database, ring);
    const service = (slug: string) =>
      new RegisterService(database, REGISTERS.find((r) => r.slug === slug)!, reports, ring);
    const u = await createUser(database, {
      email: `${unique('keys')}@test.safeground.org`,
      password: 'Keys-test-123',
      role: 'approver',
    });
    const actor: Actor = { id: u.id, email: u.email, role: 'approver', organisationId: null };
    const acc = await service('accidents').create(actor, {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [1, 1] },
      properties: { occurredOn: '2020-01-01' },
    });
    const c = await service('casualties').create(actor, {
      accidentId: acc.id,
      sex: 'female',
      casualtyStatus: 'civilian',
      outcome: 'injured',
      identity: { name: 'Nigar R.', address: 'Street 1' },
    });
    await service('casualties').update(actor, c.id as string, c.version as number, {
      identity: { dateOfBirth: '1990-01-01' },
    });

    const newer = newKey();
    const next = keyringFromKeys([newer], newer);
    // The file's own database holds this one casualty: every identity in it is under the old key.
    const counts = await reencryptAll(database, ring, next);
    expect(counts.casualties).toBe(1);
    expect(counts.historyEntries).toBeGreaterThanOrEqual(1);

    const stored = (
      await sql<{
        identityName: string;
        identityDateOfBirth: string;
      }>`select identity_name, identity_date_of_birth from casualties where id = ${c.id}`.execute(database.db)
    ).rows[0]!;
    expect(keyOf(stored.identityName)).toBe(next.current);
    expect(decrypt(next, stored.identityName)).toBe('Nigar R.');
    expect(decrypt(next, stored.identityDateOfBirth)).toBe('1990-01-01');
    expect(() => decrypt(ring, stored.identityName)).toThrow(/personal_data.key_missing/);
    const patches = (
      await sql<{
        patch: { identity?: { name?: string } };
      }>`select patch from record_changes where entity = 'casualty' and record_id = ${c.id}`.execute(
        database.db,
      )
    ).rows;
    const namesInHistory = patches.flatMap((p) => (p.patch.identity?.name ? [p.patch.identity.name] : []));
    // The create at least carried the name: without it the loop below would check nothing.
    expect(namesInHistory.length).toBeGreaterThanOrEqual(1);
    for (const name of namesInHistory) expect(keyOf(name)).toBe(next.current);
  });
});
