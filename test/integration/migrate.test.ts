import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrate, migrationFiles } from '../../src/db/migrate.ts';
import { isProblem } from '../../src/domain/problem.ts';
import { testDatabase, testDatabaseKind } from './helpers/db.ts';

describe(`migrations on ${testDatabaseKind()}`, () => {
  it('apply nothing twice, and refuse with a coded problem when an applied migration was edited', async () => {
    const database = await testDatabase();
    expect((await migrate(database)).applied).toBe(0);
    const first = migrationFiles()[0]!;
    await sql`update schema_migrations set checksum = 'edited' where version = ${first.version}`.execute(
      database.db,
    );
    try {
      const err = await migrate(database).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isProblem(err) && err.code).toBe('server.migration_changed');
      expect(isProblem(err) && err.params).toEqual({ version: first.version, name: first.name });
    } finally {
      await sql`update schema_migrations set checksum = ${first.checksum} where version = ${first.version}`.execute(
        database.db,
      );
    }
    expect((await migrate(database)).applied).toBe(0);
  });
});
