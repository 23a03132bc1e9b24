import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.ts';
import { SYSTEM_ACTOR } from '../../src/services/actor.ts';
import { ImportService } from '../../src/services/imports.ts';
import { loadKeyring } from '../../src/services/personal-data.ts';
import { testDatabase, unique } from './helpers/db.ts';

/**
 * Imports defer the findings' cluster cells to the end of the import (migration 026): each batch
 * only notes its cells, and one statement adds them at every zoom before the import commits. The
 * cells must be exactly those the per-statement trigger keeps: here they are compared with the
 * cells computed afresh from every live finding, after imports by both write paths, a direct
 * insert and an archive after them, and an import the database refuses half-way.
 */

let database: Database;
let copying: ImportService;
let inserting: ImportService;

beforeAll(async () => {
  database = await testDatabase();
  const keyring = loadKeyring({
    secret: 'import-cluster-tests-secret-0123456789abcdef',
    keyFile: '/nonexistent',
  });
  copying = new ImportService(database, keyring);
  inserting = new ImportService(database, keyring, { copy: false });
});

function findingsCsv(tag: string, rows: number, offset: number, bad?: number): string {
  const lines = ['id,category,foundOn,depthCm,lat,lon'];
  for (let i = 0; i < rows; i++) {
    // Points spread over many cells of every zoom, several in some cells, some in the same place.
    const lat = (39.5 + ((i * 7919 + offset) % 1500) * 0.0011).toFixed(6);
    const lon = (44.0 + ((i * 104729 + offset) % 2300) * 0.0009).toFixed(6);
    lines.push(`${tag}-${i},AP,2024-05-01,${i === bad ? 77 : i % 50},${lat},${lon}`);
  }
  return `${lines.join('\n')}\n`;
}

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'safeground-import-clusters-')), 'f.csv');
  writeFileSync(path, text);
  return path;
}

type Cell = { z: number; cx: number; cy: number; n: number; sx: number; sy: number };

/** The cells as kept (empty cells left by archiving dropped). */
async function kept(): Promise<Cell[]> {
  const r = await sql<Cell>`
    select z, cx, cy, n, sx, sy from finding_clusters where n <> 0 order by z, cx, cy`.execute(database.db);
  return r.rows;
}

/** The cells computed afresh from every live finding, as migrations 016 and 022 define them. */
async function fresh(): Promise<Cell[]> {
  const r = await sql<Cell>`
    with fine as (
      select floor((ST_X(g) + 20037508.342789244) / (40075016.68557849 / (32 * 2 ^ 11)))::bigint as cx,
        floor((20037508.342789244 - ST_Y(g)) / (40075016.68557849 / (32 * 2 ^ 11)))::bigint as cy,
        count(*) as n, sum(ST_X(g)) as sx, sum(ST_Y(g)) as sy
      from (select ST_Transform(geom, 3857) as g from findings where archived_at is null and geom is not null) p
      group by 1, 2
    )
    select z.z, (f.cx >> (11 - z.z))::int as cx, (f.cy >> (11 - z.z))::int as cy, sum(f.n)::int as n,
      sum(f.sx) as sx, sum(f.sy) as sy
    from fine f, generate_series(0, 11) as z(z)
    group by 1, 2, 3 order by 1, 2, 3`.execute(database.db);
  return r.rows;
}

/** The same cells, counts exactly and coordinate sums to a millimetre (they are summed in another order). */
async function expectCellsRight(): Promise<void> {
  const [a, b] = [await kept(), await fresh()];
  expect(a.map(({ z, cx, cy, n }) => [z, cx, cy, n])).toEqual(b.map(({ z, cx, cy, n }) => [z, cx, cy, n]));
  for (const [i, cell] of a.entries()) {
    expect(Math.abs(Number(cell.sx) - Number(b[i]!.sx))).toBeLessThan(1e-3);
    expect(Math.abs(Number(cell.sy) - Number(b[i]!.sy))).toBeLessThan(1e-3);
  }
}

describe('cluster cells after imports', () => {
  it('are those of every live finding, by both write paths and after writes that follow', async () => {
    const first = await copying.importFile(
      SYSTEM_ACTOR,
      { path: file(findingsCsv(unique('a'), 2500, 0)) },
      { register: 'findings' },
    );
    expect(first.imported).toBe(2500);
    await expectCellsRight();
    const second = await inserting.importFile(
      SYSTEM_ACTOR,
      { path: file(findingsCsv(unique('b'), 1200, 333)) },
      { register: 'findings' },
    );
    expect(second.imported).toBe(1200);
    await expectCellsRight();
    // The deferral ends with the import: later writes update the cells statement by statement.
    await sql`insert into findings (category, found_on, geom)
      values ('AP', '2024-05-01', ST_SetSRID(ST_MakePoint(44.2, 39.7), 4326))`.execute(database.db);
    await sql`update findings set archived_at = now()
      where id in (select id from findings order by external_id limit 40)`.execute(database.db);
    await expectCellsRight();
    const total = await sql<{ n: number }>`select sum(n)::int as n from finding_clusters where z = 0`.execute(
      database.db,
    );
    expect(total.rows[0]?.n).toBe(2500 + 1200 + 1 - 40);
  });

  it('are left as they were by an import the database refuses half-way', async () => {
    await sql`alter table findings add constraint test_no_77 check (depth_cm is distinct from 77)`.execute(
      database.db,
    );
    try {
      const before = await kept();
      for (const service of [copying, inserting]) {
        await expect(
          service.importFile(
            SYSTEM_ACTOR,
            { path: file(findingsCsv(unique('c'), 2500, 77, 2300)) },
            { register: 'findings' },
          ),
        ).rejects.toThrow();
        expect(await kept()).toEqual(before);
      }
    } finally {
      await sql`alter table findings drop constraint test_no_77`.execute(database.db);
    }
  });
});
