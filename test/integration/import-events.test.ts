import { readdirSync } from 'node:fs';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.ts';
import { type ImportEventsSummary, importEvents } from '../../src/services/import-events.ts';
import { testdata } from '../fixtures/testdata.ts';
import { testDatabase } from './helpers/db.ts';

const dir = `${testdata('colombia-events')}/`;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => dir + f);

async function importedCounts(database: Database) {
  const r = await sql<{ accidents: number; findings: number; hazards: number }>`
    select (select count(*)::int from accidents where external_id like 'co-events:%') as accidents,
      (select count(*)::int from findings where external_id like 'co-events:%') as findings,
      (select count(*)::int from hazards where external_id like 'co-events:%') as hazards`.execute(
    database.db,
  );
  return r.rows[0]!;
}

describe('import-events on the Colombian data', () => {
  let database: Database;
  let first: ImportEventsSummary;
  beforeAll(async () => {
    database = await testDatabase();
    first = await importEvents(database, files);
  });

  it('accounts for all 36 527 features: imported or rejected with a reason', async () => {
    expect(first.read).toBe(36527);
    const imported = first.imported.accidents + first.imported.findings + first.imported.hazards;
    expect(imported + first.rejected + first.skippedExisting).toBe(first.read);
    expect(first.rejected).toBe(first.rejects.length);
    expect(Object.values(first.rejectsByCode).reduce((a, b) => a + b, 0)).toBe(first.rejected);
    for (const r of first.rejects) expect(r.message.length).toBeGreaterThan(10);
    expect(await importedCounts(database)).toEqual(first.imported);
  });

  it('stores suspected minefields as open SHAs of about 7 800 m² and accidents with year precision', async () => {
    const h = await sql<{ n: number; minM2: number; maxM2: number }>`
      select count(*)::int as n, min(area_m2) as min_m2, max(area_m2) as max_m2 from hazards
      where external_id like 'co-events:%' and type = 'SHA' and status = 'open'`.execute(database.db);
    expect(h.rows[0]!.n).toBe(first.imported.hazards);
    // A regular 32-gon inscribed in a 50 m circle: 16 · 50² · sin(π/16) ≈ 7 804 m².
    const expected = 16 * 2500 * Math.sin(Math.PI / 16);
    expect(Math.abs(h.rows[0]!.minM2 - expected)).toBeLessThan(10);
    expect(Math.abs(h.rows[0]!.maxM2 - expected)).toBeLessThan(10);
    const a = await sql<{ precision: string; n: number }>`
      select date_precision as precision, count(*)::int as n from accidents where external_id like 'co-events:%' group by 1`.execute(
      database.db,
    );
    expect(a.rows).toEqual([{ precision: 'year', n: first.imported.accidents }]);
  });

  it('goes through the one write path: an approved history entry per record, under one approved report, audited', async () => {
    const h = await sql<{ records: number; entries: number; reports: number; approved: number }>`
      select count(*)::int as records, count(c.seq)::int as entries,
        count(distinct c.report_id)::int as reports,
        count(distinct r.id) filter (where r.status = 'approved')::int as approved
      from findings f
      left join record_changes c on c.entity = 'finding' and c.record_id = f.id and c.op = 'create'
      left join reports r on r.id = c.report_id
      where f.external_id like 'co-events:%'`.execute(database.db);
    expect(h.rows[0]).toEqual({
      records: first.imported.findings,
      entries: first.imported.findings,
      reports: 1,
      approved: 1,
    });
    const audited = await sql<{ n: number }>`
      select coalesce(sum((after->>'count')::int), 0)::int as n from audit_log
      where action = 'bulk_create' and entity = 'finding' and after->>'source' = 'colombia-events'`.execute(
      database.db,
    );
    expect(audited.rows[0]!.n).toBe(first.imported.findings);
  });

  it('imports nothing a second time and says every feature was already there or rejected', async () => {
    const again = await importEvents(database, files);
    expect(again.read).toBe(36527);
    expect(again.imported).toEqual({ accidents: 0, findings: 0, hazards: 0 });
    expect(again.skippedExisting).toBe(
      first.imported.accidents + first.imported.findings + first.imported.hazards,
    );
    expect(again.rejected).toBe(first.rejected);
    expect(await importedCounts(database)).toEqual(first.imported);
  });
});
