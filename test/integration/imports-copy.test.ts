import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.ts';
import { SYSTEM_ACTOR } from '../../src/services/actor.ts';
import { verifyAudit } from '../../src/services/audit.ts';
import { ImportService, type ImportServiceOptions, type ImportSummary } from '../../src/services/imports.ts';
import { loadKeyring } from '../../src/services/personal-data.ts';
import { testDatabase, unique } from './helpers/db.ts';

/**
 * On PostgreSQL imports write by COPY into a staging table and one move per 10 000 rows, with the
 * next batch read while the database writes (ImportService's default); `{ copy: false }` keeps the
 * multi-row INSERT path, one batch after the other, which PGlite always takes. Both must refuse
 * the same rows with the same faults, store the same records and history, and leave nothing
 * behind when the database refuses a row half-way.
 */

let database: Database;
let copying: ImportService;
let inserting: ImportService;

beforeAll(async () => {
  database = await testDatabase();
  const keyring = loadKeyring({
    secret: 'import-copy-tests-secret-0123456789abcdef',
    keyFile: '/nonexistent',
  });
  copying = new ImportService(database, keyring);
  inserting = new ImportService(database, keyring, { copy: false });
});

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'safeground-import-copy-')), name);
  writeFileSync(path, text);
  return path;
}

const square = (lon: number, lat: number, d = 0.001) =>
  `"POLYGON ((${lon} ${lat}, ${lon + d} ${lat}, ${lon + d} ${lat + d}, ${lon} ${lat + d}, ${lon} ${lat}))"`;

/** Hazards with awkward text (tab, backslash, newline, quotes, non-Latin), lists, and bad rows. */
function hazardsCsv(tag: string): string {
  const rows = [
    'id,type,name,description,blockedLandUse,beneficiaries,geometry_wkt',
    `${tag}-1,SHA,"Tab\there","Back\\slash and ""quotes""\nsecond line",agriculture; grazing,12,${square(44.5, 40.1)}`,
    `${tag}-2,CHA,Поле у реки,,["housing"],,${square(44.51, 40.1)}`,
    `${tag}-3,XYZ,Bad type,,,,${square(44.52, 40.1)}`,
    `${tag}-4,SHA,Bow tie,,,,"POLYGON ((44.53 40.1, 44.54 40.11, 44.54 40.1, 44.53 40.11, 44.53 40.1))"`,
    `${tag}-5,SHA,No geometry,,,,`,
    `${tag}-1,SHA,Duplicate id,,,,${square(44.55, 40.1)}`,
    `${tag}-6,SHA,حقل,,,-3,${square(44.56, 40.1)}`,
    `${tag}-7,CHA,Last,,,7,${square(44.57, 40.1)}`,
  ];
  return `${rows.join('\n')}\n`;
}

const faults = (s: ImportSummary) =>
  s.rejects.map((r) => ({ index: r.index, row: r.row, field: r.field, code: r.code }));

async function stored(prefix: string) {
  const records = await sql<Record<string, unknown>>`
    select substr(external_id, ${prefix.length + 1}) as key, name, type, status, description,
      blocked_land_use, beneficiaries, area_m2, ST_AsText(geom) as geom
    from hazards where external_id like ${`${prefix}%`} order by external_id`.execute(database.db);
  const history = await sql<{ key: string; patch: Record<string, unknown>; op: string }>`
    select substr(h.external_id, ${prefix.length + 1}) as key, c.op, c.patch - 'externalId' as patch
    from record_changes c join hazards h on h.id = c.record_id
    where h.external_id like ${`${prefix}%`} order by h.external_id`.execute(database.db);
  return { records: records.rows, history: history.rows };
}

describe('imports by COPY and by INSERT', () => {
  it('refuse the same rows with the same faults and store the same records and history', async () => {
    const [a, b] = [unique('cp'), unique('in')];
    const byCopy = await copying.importFile(
      SYSTEM_ACTOR,
      { path: file('h.csv', hazardsCsv(a)) },
      { register: 'hazards' },
    );
    const byInsert = await inserting.importFile(
      SYSTEM_ACTOR,
      { path: file('h.csv', hazardsCsv(b)) },
      { register: 'hazards' },
    );
    expect(byCopy.imported).toBe(3);
    expect(byInsert.imported).toBe(3);
    expect(faults(byCopy)).toEqual(faults(byInsert));
    expect(faults(byCopy).map((f) => f.code)).toEqual(
      expect.arrayContaining(['import.external_id.duplicate', 'validation.range']),
    );
    expect(byCopy.rejected).toBe(byInsert.rejected);
    const [x, y] = [await stored(a), await stored(b)];
    expect(x.records).toHaveLength(3);
    expect(x.records).toEqual(y.records);
    expect(x.history).toEqual(y.history);
    const tab = x.records.find((r) => r.key === '-1')!;
    expect(tab.name).toBe('Tab\there');
    expect(tab.description).toBe('Back\\slash and "quotes"\nsecond line');
    expect(tab.blockedLandUse).toEqual(['agriculture', 'grazing']);
    expect(tab.geom).toMatch(/^MULTIPOLYGON/);
    // One approved report and one audit entry per import, as on the INSERT path.
    for (const s of [byCopy, byInsert]) {
      const audit = await sql<{ n: number; count: number }>`
        select count(*)::int as n, sum((after->>'count')::int)::int as count
        from audit_log where action = 'bulk_create' and report_id = ${s.reportId}`.execute(database.db);
      expect(audit.rows[0]).toEqual({ n: 1, count: 3 });
    }
  });

  it('leave nothing written when the database refuses a row half-way (records, history, report, audit)', async () => {
    // A rule the checks before the write cannot see: the database refuses depth 77 (3 rows in
    // 2 500, the last in the third batch of 1 000 and in the only COPY batch of 10 000).
    await sql`alter table findings add constraint test_no_77 check (depth_cm is distinct from 77)`.execute(
      database.db,
    );
    try {
      for (const service of [copying, inserting]) {
        const tag = unique('half');
        const lines = ['id,category,foundOn,depthCm,lat,lon'];
        for (let i = 0; i < 2500; i++)
          lines.push(`${tag}-${i},AP,2024-05-01,${i === 2300 ? 77 : i % 50},40.${1000 + i},44.${5000 + i}`);
        const counts = async () => {
          const r = await sql<Record<string, number>>`
            select (select count(*)::int from findings) as findings,
              (select count(*)::int from record_changes) as history,
              (select count(*)::int from reports) as reports,
              (select count(*)::int from audit_log) as audit,
              (select coalesce(sum(n), 0)::int from finding_clusters) as clustered`.execute(database.db);
          return r.rows[0];
        };
        const before = await counts();
        await expect(
          service.importFile(
            SYSTEM_ACTOR,
            { path: file('f.csv', `${lines.join('\n')}\n`) },
            { register: 'findings' },
          ),
        ).rejects.toThrow();
        expect(await counts()).toEqual(before);
        // The connection is usable afterwards: the same file without the refused row imports.
        lines.splice(2301, 1);
        const ok = await service.importFile(
          SYSTEM_ACTOR,
          { path: file('f.csv', `${lines.join('\n')}\n`) },
          { register: 'findings' },
        );
        expect(ok.imported).toBe(2499);
        const after = await counts();
        expect(after.findings - before.findings).toBe(2499);
        expect(after.history - before.history).toBe(2499);
        expect(after.clustered - before.clustered).toBe(2499 * 12);
        // One audit entry per 1 000 records, appended together, the chain unbroken.
        const entries = await sql<{ seq: number; count: number }>`
          select seq::int as seq, (after->>'count')::int as count from audit_log
          where action = 'bulk_create' and report_id = ${ok.reportId} order by seq`.execute(database.db);
        expect(entries.rows.map((e) => e.count)).toEqual([1000, 1000, 499]);
        expect(entries.rows.map((e) => e.seq - entries.rows[0]!.seq)).toEqual([0, 1, 2]);
        expect((await verifyAudit(database)).broken).toBeUndefined();
      }
    } finally {
      await sql`alter table findings drop constraint test_no_77`.execute(database.db);
    }
  });
});

describe('a re-run of part of a file', () => {
  it('skips the records the register holds and writes the others, their history and audit alone, on both paths', async () => {
    for (const service of [copying, inserting]) {
      const tag = unique('rerun');
      const csv = (from: number, to: number, depth: number) => {
        const lines = ['id,category,foundOn,depthCm,lat,lon'];
        for (let i = from; i < to; i++)
          lines.push(`${tag}-${i},AP,2024-05-01,${depth},40.${2000 + i},44.${6000 + i}`);
        return file('f.csv', `${lines.join('\n')}\n`);
      };
      const first = await service.importFile(SYSTEM_ACTOR, { path: csv(0, 6, 5) }, { register: 'findings' });
      expect(first).toMatchObject({ imported: 6, skipped: 0 });
      // Rows 3–5 again (with another depth, which must not reach the held records), 6–9 new.
      const again = await service.importFile(SYSTEM_ACTOR, { path: csv(3, 10, 9) }, { register: 'findings' });
      expect(again).toMatchObject({ read: 7, imported: 4, valid: 4, skipped: 3, rejected: 0 });
      const counts = await sql<{ depth: number; n: number; history: number }>`
        select f.depth_cm as depth, count(*)::int as n,
          count(c.seq) filter (where c.report_id = ${again.reportId})::int as history
        from findings f left join record_changes c on c.record_id = f.id
        where f.external_id like ${`${tag}-%`} group by 1 order by 1`.execute(database.db);
      expect(counts.rows).toEqual([
        { depth: 5, n: 6, history: 0 },
        { depth: 9, n: 4, history: 4 },
      ]);
      const audit = await sql<{ count: number }>`
        select (after->>'count')::int as count from audit_log
        where action = 'bulk_create' and report_id = ${again.reportId}`.execute(database.db);
      expect(audit.rows).toEqual([{ count: 4 }]);
    }
  });
});

describe('identifiers across batches', () => {
  // Batches of 4 rows, so that a repeat lies batches away from its first appearance. The ids seen
  // are kept in memory up to a bound, then by the database (a temporary table of the import):
  // each path alone (bound 0: the database from the start; default: memory) and the move from one
  // to the other half-way through the file (bound 6).
  const service = (options: ImportServiceOptions) =>
    new ImportService(
      database,
      loadKeyring({ secret: 'import-copy-tests-secret-0123456789abcdef', keyFile: '/nonexistent' }),
      { batchSize: 4, ...options },
    );
  const cases: Array<[string, ImportServiceOptions, boolean]> = [
    ['copy, ids in the database', { seenInMemory: 0 }, false],
    ['insert, ids in the database', { copy: false, seenInMemory: 0 }, false],
    ['copy, ids in memory', {}, false],
    ['insert, ids in memory', { copy: false }, false],
    ['copy, ids moved to the database half-way', { seenInMemory: 6 }, false],
    ['insert, ids moved to the database half-way', { copy: false, seenInMemory: 6 }, false],
    ['dry run', {}, true],
  ];
  function findingsCsv(tag: string): string {
    const rows = ['id,category,foundOn,depthCm,lat,lon'];
    for (let i = 0; i < 14; i++) rows.push(`${tag}-${i},AP,2024-05-01,${i},40.${2000 + i},44.${6000 + i}`);
    rows.push(`${tag}-1,AP,2024-05-01,1,40.3001,44.7001`); // row 16: repeats row 3, four batches back
    rows.push(`${tag}-14,AP,2024-05-01,-5,40.3002,44.7002`); // row 17: refused (negative depth)
    rows.push(`${tag}-15,AP,2024-05-01,2,40.3003,44.7003`);
    rows.push(`${tag}-14,AP,2024-05-01,-6,40.3004,44.7004`); // row 19: refused, and a repeat of row 17
    rows.push(`${tag}-7,AP,2024-05-01,2,40.3005,44.7005`); // row 20: repeats row 10
    return `${rows.join('\n')}\n`;
  }
  /** Identical rows without an identifier: each one a record, numbered after the first. */
  function unnamedCsv(tag: string): string {
    const rows = ['category,modelText,foundOn,depthCm,lat,lon'];
    for (let i = 0; i < 11; i++)
      rows.push(
        i % 2
          ? `AV,${tag},2024-05-02,${i},40.${4000 + i},44.${8000 + i}`
          : `AV,${tag},2024-05-02,99,40.5,44.9`,
      );
    return `${rows.join('\n')}\n`;
  }
  const dups = (s: ImportSummary) =>
    s.rejects.filter((r) => r.code === 'import.external_id.duplicate').map((r) => r.row);

  it.each(cases)(
    'refuse an identifier repeated batches later and number identical rows (%s)',
    async (_how, options, dryRun) => {
      const importer = service(options);
      const tag = unique('ids');
      const summary = await importer.importFile(
        SYSTEM_ACTOR,
        { path: file('f.csv', findingsCsv(tag)) },
        { register: 'findings', dryRun },
      );
      expect(summary.read).toBe(19);
      expect(dups(summary)).toEqual([16, 19, 20]);
      // Rows 16 and 20 refused for the repeat alone; 17 and 19 for their depth (19 for both).
      expect(summary.rejected).toBe(4);
      expect(summary.rejects.map((r) => r.row)).toEqual(
        [...summary.rejects.map((r) => r.row)].sort((a, b) => a! - b!),
      );
      expect(summary.valid).toBe(15);
      if (dryRun) return;
      expect(summary.imported).toBe(15);
      const stored = await sql<{ externalId: string; depthCm: number }>`
        select external_id, depth_cm from findings where external_id like ${`${tag}-%`} order by depth_cm, external_id`.execute(
        database.db,
      );
      expect(stored.rows).toHaveLength(15);
      // The first appearance of each repeated identifier is the one kept.
      expect(stored.rows.find((r) => r.externalId === `${tag}-1`)?.depthCm).toBe(1);
      expect(stored.rows.find((r) => r.externalId === `${tag}-7`)?.depthCm).toBe(7);

      const unnamed = await importer.importFile(
        SYSTEM_ACTOR,
        { path: file('u.csv', unnamedCsv(tag)) },
        { register: 'findings' },
      );
      expect(unnamed.imported).toBe(11);
      const ids = await sql<{ externalId: string; depthCm: number }>`
        select external_id, depth_cm from findings where model_text = ${tag}`.execute(database.db);
      const identical = ids.rows.filter((r) => r.depthCm === 99).map((r) => r.externalId);
      const base = identical.find((id) => !id.includes('.'))!;
      expect(base).toMatch(/^sha256:[0-9a-f]{32}$/);
      expect(identical.sort()).toEqual(
        [base, `${base}.2`, `${base}.3`, `${base}.4`, `${base}.5`, `${base}.6`].sort(),
      );
      expect(new Set(ids.rows.map((r) => r.externalId)).size).toBe(11);
    },
  );
});

describe('progress', () => {
  it.each([
    ['copy', {}],
    ['insert', { copy: false }],
  ] as const)(
    'reports every 1 000 rows read and lets other work in while it reads and writes (%s)',
    async (_how, options) => {
      const tag = unique('progress');
      const rows = ['id,category,foundOn,lat,lon'];
      for (let i = 0; i < 5000; i++) rows.push(`${tag}-${i},AP,2024-05-01,40.${10000 + i},44.${20000 + i}`);
      const importer = new ImportService(
        database,
        loadKeyring({ secret: 'import-copy-tests-secret-0123456789abcdef', keyFile: '/nonexistent' }),
        options,
      );
      const seen: number[] = [];
      let readWhenTurned: number | undefined;
      const summary = await importer.importFile(
        SYSTEM_ACTOR,
        { path: file('progress.csv', `${rows.join('\n')}\n`) },
        {
          register: 'findings',
          onProgress: (p) => {
            seen.push(p.read);
            // As a request arriving at that moment would be: queued behind the import's work.
            if (seen.length === 1) setImmediate(() => (readWhenTurned = seen.at(-1)));
          },
        },
      );
      expect(summary.imported).toBe(5000);
      expect([...new Set(seen)]).toEqual([1000, 2000, 3000, 4000, 5000]);
      expect(readWhenTurned, 'the work queued at the first report ran before the second').toBe(1000);
    },
  );
});
