import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { TABLE_COLUMNS } from '../../src/db/schema.ts';
import { testDatabase, testDatabaseKind } from './helpers/db.ts';

/** snake_case as the CamelCasePlugin turns it into camelCase (`area_m2` → `areaM2`). */
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

describe(`the typed database (src/db/schema.ts) on ${testDatabaseKind()}`, () => {
  it('has exactly the tables and columns the migrations make, with their types, nullability and defaults', async () => {
    const database = await testDatabase();
    const r = await sql<{
      tableName: string;
      columnName: string;
      udtName: string;
      isNullable: 'YES' | 'NO';
      hasDefault: boolean;
    }>`
      select c.table_name, c.column_name, c.udt_name, c.is_nullable, c.column_default is not null as has_default
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
        and c.table_name <> 'spatial_ref_sys' -- PostGIS's own
      order by c.table_name, c.ordinal_position`.execute(database.db);
    const actual: Record<string, Record<string, string>> = {};
    for (const c of r.rows) {
      const spec = `${c.udtName}${c.isNullable === 'YES' ? '?' : ''}${c.hasDefault ? '=' : ''}`;
      const table = camel(c.tableName);
      actual[table] = { ...actual[table], [camel(c.columnName)]: spec };
    }
    expect(Object.keys(actual).length).toBeGreaterThan(20);
    // Compared table by table so that a failure names the table that differs.
    expect(Object.keys(actual).sort()).toEqual(Object.keys(TABLE_COLUMNS).sort());
    for (const [table, columns] of Object.entries(TABLE_COLUMNS)) {
      expect(actual[table], table).toEqual(columns);
    }
  });
});

describe(`statements one after the other on ${testDatabaseKind()}`, () => {
  it('let other work in between them, as a request arriving meanwhile', async () => {
    // PGlite answers in this thread without an I/O event; without a turn of the event loop after
    // each statement, a request would wait for the whole chain (an import, the demo) to end.
    const database = await testDatabase();
    let done = 0;
    let doneWhenTurned: number | undefined;
    await database.db.transaction().execute(async (trx) => {
      setImmediate(() => (doneWhenTurned = done));
      for (let i = 0; i < 10; i++) {
        await sql`select 1`.execute(trx);
        done++;
      }
    });
    expect(done).toBe(10);
    expect(doneWhenTurned).toBeLessThanOrEqual(1);
  });
});
