import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.ts';
import { t } from '../../src/i18n/catalogue.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { login, testDatabase, testDatabaseKind } from './helpers/db.ts';
import { call } from './helpers/http.ts';
import { pdfText } from './helpers/pdf.ts';

/**
 * The standard reports on the demo programme: their figures against counts made directly in
 * SQL, the workbook read back with exceljs, the PDF's text (pdftotext), and saved definitions
 * regenerated to the same content hash while the data is unchanged.
 */

let database: Database;
let admin: Record<string, string>;
let year: string;

async function one<T>(q: ReturnType<typeof sql<T>>): Promise<T> {
  return (await q.execute(database.db)).rows[0]!;
}

beforeAll(async () => {
  database = await testDatabase();
  await loadDemo(database);
  admin = await login('admin');
  const last = await one(sql<{ y: string }>`select max(released_on)::text as y from land_release`);
  year = last.y.slice(0, 4);
}, 240_000);

const period = () => `asAt=${year}-12-31&from=${year}-01-01&to=${year}-12-31`;

describe(`standard reports on ${testDatabaseKind()}`, () => {
  it('lists the reports with their parameters', async () => {
    const r = await call('GET', '/api/v1/outputs', admin);
    expect(r.statusCode, r.body).toBe(200);
    const names = r.json().items.map((i: { name: string }) => i.name);
    expect(names).toEqual([
      'operations-summary',
      'hazard-completion',
      'apmbc-article7',
      'ccw-protocols',
      'casualties',
      'evidence-dossier',
      'project',
      'readiness',
      'priorities',
      'task-orders',
    ]);
  });

  it('gives the readiness, priority and task order tables the planning reads give', async () => {
    const asAt = `${year}-12-31`;
    const readiness = (await call('GET', `/api/v1/readiness?asAt=${asAt}`, admin)).json();
    const r1 = (await call('GET', `/api/v1/outputs/readiness?asAt=${asAt}`, admin)).json().document;
    expect(r1.blocks[1].rows.map((row: unknown[]) => row[0])).toEqual(
      readiness.items.map((i: { settlement: { name: string } }) => i.settlement.name),
    );
    const priorities = (await call('GET', `/api/v1/priorities?asAt=${asAt}`, admin)).json();
    const p1 = (await call('GET', `/api/v1/outputs/priorities?asAt=${asAt}`, admin)).json().document;
    expect(p1.blocks[1].rows.map((row: unknown[]) => [row[0], row[1], row[2]])).toEqual(
      priorities.items.map((i: { rank: number; score: number; hazard: { code: string } }) => [
        i.rank,
        i.hazard.code,
        i.score,
      ]),
    );
    // A task order on an open demo hazard: its remaining area is the hazard's, as SQL has it.
    const hazard = await one(sql<{ id: string; code: string; remaining: number; org: string }>`
      select h.id, h.code, coalesce(h.remaining_area_m2, h.area_m2)::float8 as remaining,
        (select id from organisations order by name limit 1) as org
      from hazards h where h.status = 'open' and h.archived_at is null order by h.code limit 1`);
    const order = await call('POST', '/api/v1/task-orders', admin, {
      hazardIds: [hazard.id],
      organisationId: hazard.org,
      activityKind: 'clearance',
      plannedStart: `${year}-03-01`,
      plannedEnd: `${year}-05-31`,
    });
    expect(order.statusCode, order.body).toBe(201);
    const t1 = (
      await call('GET', `/api/v1/outputs/task-orders?from=${year}-01-01&to=${year}-06-30`, admin)
    ).json().document;
    const table = t1.blocks[1];
    const row = table.rows.find((x: unknown[]) => x[0] === order.json().code);
    const remaining = table.columns.findIndex((c: { key: string }) => c.key === 'remaining');
    expect(row[remaining]).toBe(Math.round(hazard.remaining));
    const board = t1.blocks[2];
    expect(board.columns.map((c: { key: string }) => c.key).slice(1)).toEqual([
      `${year}-01`,
      `${year}-02`,
      `${year}-03`,
      `${year}-04`,
      `${year}-05`,
      `${year}-06`,
    ]);
    const boardRow = board.rows.find((x: string[]) => x.slice(1).some((c) => c.includes(order.json().code)));
    expect(boardRow.slice(1).map((c: string) => c.includes(order.json().code))).toEqual([
      false,
      false,
      true,
      true,
      true,
      false,
    ]);
  });

  it('gives the operations summary figures the same as SQL over the demo', async () => {
    const r = await call('GET', `/api/v1/outputs/operations-summary?${period()}`, admin);
    expect(r.statusCode, r.body).toBe(200);
    const { document, contentSha256 } = r.json();
    expect(contentSha256).toMatch(/^[0-9a-f]{64}$/);
    const facts = Object.fromEntries(document.blocks[0].items);
    const released = await sql<{ outcome: string; m2: number }>`
      select outcome, coalesce(sum(area_m2), 0)::float8 as m2 from land_release
      where archived_at is null and released_on between ${`${year}-01-01`}::date and ${`${year}-12-31`}::date
      group by outcome`.execute(database.db);
    const m2 = Object.fromEntries(released.rows.map((x) => [x.outcome, x.m2]));
    expect(facts['Cleared, m²']).toBeCloseTo(m2.cleared ?? 0, 1);
    expect(facts['Reduced, m²']).toBeCloseTo(m2.reduced ?? 0, 1);
    expect(facts['Cancelled, m²']).toBeCloseTo(m2.cancelled ?? 0, 1);
    const devices = await one(sql<{ n: number }>`
      select coalesce(sum(quantity), 0)::int as n from findings
      where archived_at is null and found_on between ${`${year}-01-01`}::date and ${`${year}-12-31`}::date`);
    expect(facts['Devices found']).toBe(devices.n);
    const activities = await one(sql<{ n: number }>`
      select count(*)::int as n from activities
      where archived_at is null and start_date between ${`${year}-01-01`}::date and ${`${year}-12-31`}::date`);
    expect(facts.Activities).toBe(activities.n);
    // The by-organisation table adds up to the same totals.
    const byOrg = document.blocks[1];
    const cleared = byOrg.columns.findIndex((c: { key: string }) => c.key === 'cleared');
    expect(byOrg.totals[cleared]).toBeCloseTo(m2.cleared ?? 0, 0);
  });

  it('counts casualties in the Landmine Monitor categories with unknown kept, as SQL does', async () => {
    const r = await call('GET', `/api/v1/outputs/casualties?asAt=${year}-12-31`, admin);
    expect(r.statusCode, r.body).toBe(200);
    const blocks = r.json().document.blocks;
    const counts = await sql<{ status: string; outcome: string; n: number }>`
      select c.casualty_status as status, c.outcome, count(*)::int as n
      from casualties c join accidents a on a.id = c.accident_id
      where c.archived_at is null and a.archived_at is null
        and a.occurred_on <= ${`${year}-12-31`}::date
      group by 1, 2`.execute(database.db);
    const total = counts.rows.reduce((s, x) => s + x.n, 0);
    expect(Object.fromEntries(blocks[0].items).Casualties).toBe(total);
    const byStatus = blocks[1];
    expect(byStatus.rows.map((row: unknown[]) => row[0])).toEqual([
      'Civilian',
      'Military',
      'Deminer',
      'Unknown',
    ]);
    for (const [i, status] of ['civilian', 'military', 'deminer', 'unknown'].entries()) {
      for (const [j, outcome] of ['killed', 'injured', 'unknown'].entries()) {
        const n = counts.rows.find((x) => x.status === status && x.outcome === outcome)?.n ?? 0;
        expect(byStatus.rows[i][j + 1], `${status} ${outcome}`).toBe(n);
      }
    }
  });

  it('writes the Article 7 tables as a workbook exceljs reads back, in the forms’ layout', async () => {
    const r = await call('GET', `/api/v1/outputs/apmbc-article7?${period()}&format=xlsx`, admin);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toContain('spreadsheetml');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    expect(book.worksheets.map((s) => s.name)).toEqual([
      'Report',
      'Form C',
      'Form F',
      'Form G',
      'Other items',
    ]);
    const formF = book.getWorksheet('Form F')!;
    const rows: unknown[][] = [];
    formF.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    const totals = rows.find((row) => row[0] === 'Total')!;
    const sum = await one(sql<{ m2: number; n: number }>`
      select coalesce(sum(area_m2), 0)::float8 as m2, count(*)::int as n from land_release
      where archived_at is null and released_on between ${`${year}-01-01`}::date and ${`${year}-12-31`}::date`);
    expect(totals[2]).toBe(sum.n);
    expect(totals[3] as number).toBeCloseTo(sum.m2, 0);
    const formC = book.getWorksheet('Form C')!;
    expect(formC.getRow(1).getCell(1).value).toContain('Form C');
    const hash = r.headers['x-content-sha256'] as string;
    const cover: string[] = [];
    book.getWorksheet('Report')!.eachRow((row) => cover.push(String(row.getCell(1).value)));
    expect(cover).toContain(`As at ${year}-12-31`);
    // No stockpile register: Forms B and D say so instead of standing empty.
    expect(cover).toContain('Forms B and D — Stockpiled and retained anti-personnel mines, by model');
    expect(cover.some((line) => line.startsWith('No stockpile is recorded in this system'))).toBe(true);
    expect(cover.some((line) => line.includes(hash))).toBe(true);
  });

  it('puts the as-at date, the filters and the content hash in the PDF, in Russian and Arabic too', async (ctx) => {
    const hazard = await one(sql<{ id: string; code: string }>`
      select h.id, h.code from hazards h join land_release l on l.hazard_id = h.id
      where h.external_id like 'demo:%' group by h.id, h.code order by count(*) desc, h.id limit 1`);
    for (const lang of ['en', 'ru', 'ar']) {
      const r = await call(
        'GET',
        `/api/v1/outputs/hazard-completion?asAt=${year}-12-31&hazard=${hazard.id}&format=pdf&lang=${lang}`,
        admin,
      );
      expect(r.statusCode, r.body).toBe(200);
      expect(r.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      const text = pdfText(ctx, r.rawPayload, { layout: true });
      expect(text).toContain(`${year}-12-31`);
      expect(text).toContain(r.headers['x-content-sha256'] as string);
      expect(text).toContain(hazard.code);
      if (lang === 'en') expect(text).toContain(`As at ${year}-12-31`);
      // Digits and punctuation after Russian words are drawn (a Russian PDF once lost them: the
      // Cyrillic font file has none).
      if (lang === 'ru') expect(text).toContain(`По состоянию на ${year}-12-31`);
      // The map's scale bar in the report's language (it once read "100 m" in every one).
      // (pdftotext gives the Arabic line in visual order, with bidi marks: "م 100".)
      expect(text).toMatch(
        {
          en: /\d+ k?m(\s|$)/m,
          ru: /\d+ к?м(\s|$)/m,
          ar: /(^|[\s\u202a-\u202e])(م|كم)[\s\u202a-\u202e]+\d+/m,
        }[lang]!,
      );
    }
  });

  it('regenerates a saved definition to the same content hash while the data is unchanged', async () => {
    const saved = await call('POST', '/api/v1/outputs/definitions', admin, {
      name: 'Monthly summary',
      output: 'operations-summary',
      periodRule: 'last_month',
      params: { level: 1 },
    });
    expect(saved.statusCode, saved.body).toBe(201);
    const id = saved.json().id;
    const on = `${year}-07-15`;
    const first = await call('POST', `/api/v1/outputs/definitions/${id}/generate?format=pdf&on=${on}`, admin);
    const second = await call(
      'POST',
      `/api/v1/outputs/definitions/${id}/generate?format=xlsx&on=${on}`,
      admin,
    );
    expect(first.statusCode, first.body).toBe(201);
    expect(second.statusCode, second.body).toBe(201);
    expect(first.json().params).toMatchObject({
      asAt: `${year}-06-30`,
      from: `${year}-06-01`,
      to: `${year}-06-30`,
      level: 1,
    });
    expect(second.json().contentSha256).toBe(first.json().contentSha256);
    const listed = await call('GET', `/api/v1/outputs/generated?definition=${id}`, admin);
    expect(listed.json().items).toHaveLength(2);
    const kept = await call('GET', `/api/v1/outputs/generated/${first.json().id}`, admin);
    expect(kept.statusCode).toBe(200);
    expect(kept.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const compared = await call('POST', `/api/v1/outputs/generated/${first.json().id}/compare`, admin);
    expect(compared.json()).toMatchObject({ identical: true, keptContentSha256: first.json().contentSha256 });
  });

  it('makes the evidence dossier of a selection with sources and history', async () => {
    const hazard = await one(
      sql<{
        id: string;
        code: string;
      }>`select id, code from hazards where external_id like 'demo:%' order by code limit 1`,
    );
    const r = await call(
      'GET',
      `/api/v1/outputs/evidence-dossier?records=hazards:${hazard.id}&format=csv`,
      admin,
    );
    expect(r.statusCode, r.body).toBe(200);
    expect(r.body).toContain(hazard.code);
    expect(r.body).toContain('change history');
    // Fields, code lists inside evidence and changes are named as people read them, never as
    // the code names them (a dossier once read "deviceCategories" and "[object Object]").
    expect(r.body).toContain('Device categories');
    expect(r.body).not.toMatch(/deviceCategories|organisationId|\[object Object\]|bulk_create/);
    const ru = await call('GET', `/api/v1/outputs/evidence-dossier?records=hazards:${hazard.id}&format=csv`, {
      ...admin,
      'accept-language': 'ru',
    });
    expect(ru.body).toContain('Категории боеприпасов');
    // A list in one cell is separated as the language writes it (the demo hazard's land uses).
    const ar = await call('GET', `/api/v1/outputs/evidence-dossier?records=hazards:${hazard.id}&format=csv`, {
      ...admin,
      'accept-language': 'ar',
    });
    const land = (await call('GET', `/api/v1/hazards/${hazard.id}`, admin)).json().properties
      .blockedLandUse as string[];
    expect(land.length).toBeGreaterThan(1);
    expect(ar.body).toContain(land.map((v) => t(`vocab.${v}`, {}, 'ar')).join('؛ '));
    expect(r.body).toContain(land.map((v) => t(`vocab.${v}`, {}, 'en')).join('; '));
  });

  it('refuses an unknown report, a bad date and a missing hazard with problems', async () => {
    expect((await call('GET', '/api/v1/outputs/nothing', admin)).statusCode).toBe(404);
    const bad = await call('GET', '/api/v1/outputs/casualties?asAt=2025-13-40', admin);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('validation.format');
    const missing = await call('GET', '/api/v1/outputs/hazard-completion', admin);
    expect(missing.json().code).toBe('validation.required');
    expect((await call('GET', '/api/v1/outputs/casualties?format=docx', admin)).json().code).toBe(
      'outputs.format_unknown',
    );
  });
});
