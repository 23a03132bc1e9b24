import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { login, testDatabase, testDatabaseKind } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';
import { call } from './helpers/http.ts';

let admin: Record<string, string>;

beforeAll(async () => {
  admin = await login('admin');
});

async function setSequence(name: string, value: number) {
  const database = await testDatabase();
  await sql`select setval(${name}::regclass, ${value})`.execute(database.db);
}

/** Creates a record through the API and answers the code it was given. */
async function codeOf(register: 'findings' | 'hazards', feature: unknown): Promise<string> {
  const r = await call('POST', `/api/v1/${register}`, admin, feature);
  expect(r.statusCode, r.body).toBe(201);
  return r.json().properties.code;
}

const finding = (foundOn: string) => ({
  type: 'Feature',
  geometry: { type: 'Point', coordinates: [44.51, 40.18] },
  properties: { category: 'AP', foundOn },
});

describe(`record codes on ${testDatabaseKind()}`, () => {
  it('keep counting past their width instead of repeating a shorter code', async () => {
    // Findings are EO- and seven digits. The 1 000 000th exists; the 10 000 000th used to be cut
    // to EO-1000000 as well and refused by the code's unique key.
    await setSequence('findings_code_seq', 999_999);
    expect(await codeOf('findings', finding('2024-05-01'))).toBe('EO-1000000');
    await setSequence('findings_code_seq', 9_999_998);
    expect(await codeOf('findings', finding('2024-05-02'))).toBe('EO-9999999');
    expect(await codeOf('findings', finding('2024-05-03'))).toBe('EO-10000000');

    await setSequence('hazards_code_seq', 999_999);
    const hazard = { type: 'Feature', geometry: square(44.6, 40.2, 0.01), properties: { type: 'SHA' } };
    expect(await codeOf('hazards', hazard)).toBe('HA-1000000');
  });

  it('are made the same way in every table that has one', async () => {
    const database = await testDatabase();
    const r = await sql<{ tableName: string; columnDefault: string }>`
      select table_name, column_default from information_schema.columns
      where table_schema = current_schema() and column_name = 'code' and column_default is not null
      order by table_name`.execute(database.db);
    expect(r.rows.length).toBeGreaterThanOrEqual(17);
    for (const row of r.rows)
      expect(row.columnDefault, row.tableName).toMatch(/^sg_code\('[A-Z]+-'::text, nextval\(/);
  });
});
