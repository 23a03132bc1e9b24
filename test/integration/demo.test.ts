import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.ts';
import { generateDemoProgramme } from '../../src/domain/demo-programme.ts';
import { isProblem } from '../../src/domain/problem.ts';
import { registerBySlug } from '../../src/domain/records.ts';
import { loadDemo } from '../../src/services/demo.ts';
import { demoPlanning } from '../../src/services/demo-planning.ts';
import { DEMO_SITE_VISITS } from '../../src/services/demo-visits.ts';
import { login, testApp, testDatabase } from './helpers/db.ts';

const TABLES: Record<string, string> = {
  organisations: 'organisations',
  'admin-areas': 'admin_areas',
  settlements: 'settlements',
  hazards: 'hazards',
  activities: 'activities',
  'land-release': 'land_release',
  findings: 'findings',
  accidents: 'accidents',
  casualties: 'casualties',
  'risk-education': 'risk_education_sessions',
  'qa-visits': 'qa_visits',
  sources: 'sources',
  'minefield-records': 'minefield_records',
  teams: 'teams',
  accreditations: 'accreditations',
  projects: 'projects',
  'task-orders': 'task_orders',
  'site-visits': 'site_visits',
};

async function demoCounts(database: Database): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [slug, table] of Object.entries(TABLES)) {
    const r = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(table)} where external_id like 'demo:%'`.execute(
      database.db,
    );
    out[slug] = r.rows[0]!.n;
  }
  return out;
}

describe('the demo programme', () => {
  let database: Database;
  let summary: Record<string, number>;
  let auditBefore: number;
  const progress: Array<[number, number]> = [];
  beforeAll(async () => {
    database = await testDatabase();
    auditBefore = (await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(database.db))
      .rows[0]!.n;
    summary = await loadDemo(database, { onProgress: (done, total) => progress.push([done, total]) });
    // The whole demo is loaded once for the file: on a busy shared machine that takes minutes.
  }, 600_000);

  it('counts its progress up to the rows it writes, never past them', () => {
    const total = progress[0]![1];
    expect(progress.every(([, t]) => t === total)).toBe(true);
    expect(progress.every(([done], i) => done <= total && (i === 0 || done >= progress[i - 1]![0]))).toBe(
      true,
    );
    // Every register's rows are counted: the last report before the users is the whole.
    expect(progress[progress.length - 2]![0]).toBe(total);
  });

  it('stores every record the generator makes, and says so per register', async () => {
    const programme = generateDemoProgramme();
    const plan = demoPlanning(programme);
    const worked = plan.taskOrders.filter((o) => o.work).length;
    const released = plan.taskOrders.filter((o) => o.release).reduce((n, o) => n + o.hazardKeys.length, 0);
    const expected = {
      organisations: programme.organisations.length,
      'admin-areas': programme.adminAreas.length,
      settlements: programme.settlements.length,
      hazards: programme.hazards.length,
      // The programme's, and the work done under the demo's task orders.
      activities: programme.activities.length + worked,
      'land-release': programme.landRelease.length + released,
      // The generator's findings, and six devices found along each demo minefield record.
      findings: programme.findings.length + 18,
      accidents: programme.accidents.length,
      casualties: programme.casualties.length,
      'risk-education': programme.riskEducation.length,
      'qa-visits': programme.qaVisits.length,
      sources: programme.sources.length,
      'minefield-records': 3,
      teams: plan.teams.length,
      accreditations: plan.accreditations.length,
      projects: plan.projects.length,
      'task-orders': plan.taskOrders.length,
      'site-visits': DEMO_SITE_VISITS,
    };
    expect(await demoCounts(database)).toEqual(expected);
    const { users, ...registers } = summary;
    expect(registers).toEqual(expected);
    expect(users).toBe(4);
    expect(expected.hazards).toBe(300);
    expect(expected.findings).toBe(5018);
  });

  it('links every finding to a catalogue model and keeps hazard areas consistent with their land release', async () => {
    const findings = await sql<{ n: number; linked: number }>`
      select count(*)::int as n, count(ordnance_id)::int as linked from findings where external_id like 'demo:%'`.execute(
      database.db,
    );
    expect(findings.rows[0]!.linked).toBe(findings.rows[0]!.n);
    const hazards = await sql<{
      status: string;
      areaM2: number;
      releasedAreaM2: number;
      remainingAreaM2: number;
      lr: number;
    }>`
      select h.status, h.area_m2, h.released_area_m2, h.remaining_area_m2,
        coalesce((select sum(l.area_m2) from land_release l where l.hazard_id = h.id), 0) as lr
      from hazards h where h.external_id like 'demo:%'`.execute(database.db);
    for (const h of hazards.rows) {
      expect(h.releasedAreaM2).toBeCloseTo(h.lr, 3);
      expect(h.releasedAreaM2).toBeLessThanOrEqual(h.areaM2 + 1);
      expect(h.remainingAreaM2 + h.releasedAreaM2).toBeCloseTo(h.areaM2, 0);
      if (h.status === 'closed') expect(h.remainingAreaM2).toBe(0);
      else expect(h.remainingAreaM2).toBeGreaterThan(1);
    }
  });

  it('writes through the one path: one approved report, history and audit for every record', async () => {
    const reports = await sql<{ id: string; status: string; kind: string }>`
      select id, status, kind from reports where payload->'import'->>'loader' = 'demo'`.execute(database.db);
    expect(reports.rows).toHaveLength(1);
    const report = reports.rows[0]!;
    expect(report).toMatchObject({ status: 'approved', kind: 'direct' });
    // Bulk registers: one bulk_create entry per 1 000 records; land release: one create per record
    // (the updates that follow, a hazard closed or a task order moved, are audited apart).
    const audit = await sql<{ entity: string; action: string; n: number; records: number }>`
      select entity, action, count(*)::int as n,
        sum(case when action = 'bulk_create' then (after->>'count')::int else 1 end)::int as records
      from audit_log where seq > ${auditBefore} and report_id = ${report.id}
        and action in ('create', 'bulk_create') group by 1, 2`.execute(database.db);
    const audited: Record<string, number> = {};
    for (const row of audit.rows) audited[row.entity] = (audited[row.entity] ?? 0) + row.records;
    const history = await sql<{ entity: string; n: number }>`
      select entity, count(*)::int as n from record_changes
      where report_id = ${report.id} and op = 'create' group by 1`.execute(database.db);
    const created = Object.fromEntries(history.rows.map((r) => [r.entity, r.n]));
    const { users: _users, ...registers } = summary;
    for (const [slug, count] of Object.entries(registers)) {
      const entity = registerBySlug(slug)!.entity;
      expect(audited[entity], slug).toBe(count);
      expect(created[entity], slug).toBe(count);
    }
    const findings = audit.rows.find((r) => r.entity === 'finding' && r.action === 'bulk_create')!;
    // 5 000 from the generator in five entries, the 18 along the minefield records in one.
    expect(findings.n).toBe(6);
    const releases = audit.rows.find((r) => r.entity === 'land_release')!;
    expect(releases).toMatchObject({ action: 'create', n: registers['land-release'] });
    const sources = await sql<{ source: string }>`
      select distinct after->>'source' as source from audit_log
      where seq > ${auditBefore} and action = 'bulk_create'`.execute(database.db);
    expect(sources.rows).toEqual([{ source: 'demo' }]);
  });

  it("holds minefield records whose hazard's findings name the stated reading", async () => {
    const app = await testApp();
    const admin = await login('admin');
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/minefield-records?q=(demo)',
      headers: admin,
    });
    const records = list.json().features as Array<{ id: string; properties: Record<string, unknown> }>;
    expect(records.length).toBeGreaterThanOrEqual(3);
    for (const r of records.slice(0, 3)) {
      expect(r.properties.hazardId).toBeTruthy();
      expect(r.properties.sourceId).toBeTruthy();
      expect(r.properties.areaM2 as number).toBeGreaterThan(5000);
      const score = await app.inject({
        method: 'POST',
        url: `/api/v1/minefield-records/${r.id}/score`,
        headers: admin,
        payload: {},
      });
      expect(score.statusCode, score.body).toBe(200);
      expect(score.json().findingsFrom).toBe('hazard');
      expect(score.json().best.id).toBe(r.properties.geometryHypothesis);
      expect(score.json().best.id).toMatch(/^ref=magnetic,angle=mil6000,dist=pace,dir=forward/);
    }
  });

  it('can be read as at a past date: each record exists from its own date, the places from before', async () => {
    const app = await testApp();
    const admin = await login('admin');
    const count = async (slug: string, asAt?: string) => {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/${slug}?limit=1&count=true${asAt ? `&asAt=${asAt}` : ''}`,
        headers: admin,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().total as number;
    };
    const dates = await sql<{ first: string; median: string }>`
      select min(date_of_information)::text as first,
        (percentile_disc(0.5) within group (order by date_of_information))::text as median
      from hazards where external_id like 'demo:%'`.execute(database.db);
    const { first, median } = dates.rows[0]!;
    const before = new Date(Date.parse(first) - 86_400_000).toISOString().slice(0, 10);
    expect(await count('hazards', before)).toBe(0);
    const halfway = await count('hazards', median);
    const now = await count('hazards');
    expect(halfway).toBeGreaterThan(0);
    expect(halfway).toBeLessThan(now);
    expect(await count('admin-areas', median)).toBe(await count('admin-areas'));
    // The dashboard as at that date shows that date's year, not a later one it cannot see.
    const summary = await app.inject({
      method: 'GET',
      url: `/api/v1/stats/summary?asAt=${median}`,
      headers: admin,
    });
    expect(summary.statusCode, summary.body).toBe(200);
    expect(summary.json().year).toBe(Number(median.slice(0, 4)));
    expect(summary.json().openHazardCount).toBeGreaterThan(0);
  });

  it('gives a planner task orders in every state, moved by their work, readable as at a date', async () => {
    const app = await testApp();
    const approver = await login('approver');
    const get = async (url: string) => {
      const res = await app.inject({ method: 'GET', url, headers: approver });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const plan = demoPlanning(generateDemoProgramme());
    const now = (await get('/api/v1/task-orders/progress')).items as Array<{
      reference: string;
      state: string;
      teamId: string;
      projectId: string;
      progress: { activities: number; area: { releasedShare: number }; effort: unknown };
    }>;
    const byRef = new Map(now.map((o) => [o.reference, o]));
    for (const o of plan.taskOrders) {
      const got = byRef.get(o.reference)!;
      expect(got.state, o.reference).toBe(o.state);
      expect(got.teamId).toBeTruthy();
      expect(got.progress.activities).toBe(o.work ? 1 : 0);
      if (o.release?.share === 1) expect(got.progress.area.releasedShare).toBe(1);
      else if (o.release) expect(got.progress.area.releasedShare).toBeCloseTo(0.36, 1);
    }
    expect(new Set(now.map((o) => o.state))).toEqual(
      new Set(['issued', 'started', 'suspended', 'completed', 'cancelled']),
    );
    // As at a day before its suspension, the suspended order was started; before its issue it did not exist.
    const suspended = plan.taskOrders.find((o) => o.state === 'suspended')!;
    const before = (await get(`/api/v1/task-orders/progress?asAt=2026-08-01`)).items as Array<{
      reference: string;
      state: string;
    }>;
    expect(before.find((o) => o.reference === suspended.reference)?.state).toBe('started');
    expect(
      before.find((o) => o.reference === plan.taskOrders.find((x) => x.issuedOn > '2026-08-01')!.reference),
    ).toBeUndefined();
    // The board of those months holds all three operators' orders.
    const board = await get('/api/v1/planning/board?from=2026-02&to=2027-04');
    expect(board.rows).toHaveLength(3);
  });

  it('lets the demo administrator sign in', async () => {
    const app = await testApp();
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'admin@demo.safeground.org', password: 'demo-admin-2026' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().user.role).toBe('admin');
  });

  it('serves the demo hazards and their findings through the API', async () => {
    const app = await testApp();
    const headers = await login('viewer');
    const r = await app.inject({
      method: 'GET',
      url: '/api/v1/hazards?bbox=46.5,39.5,47.5,40.5&limit=1000',
      headers,
    });
    expect(r.statusCode).toBe(200);
    const demoHazards = (
      r.json().features as Array<{ id: string; properties: Record<string, unknown> }>
    ).filter((f) => String(f.properties.externalId ?? '').startsWith('demo:'));
    expect(demoHazards).toHaveLength(300);
    const withFindings = await sql<{ hazardId: string; n: number }>`
      select hazard_id, count(*)::int as n from findings where external_id like 'demo:%' group by 1 order by 2 desc limit 1`.execute(
      database.db,
    );
    const { hazardId, n } = withFindings.rows[0]!;
    const f = await app.inject({
      method: 'GET',
      url: `/api/v1/findings?hazard=${hazardId}&limit=1000`,
      headers,
    });
    expect(f.statusCode).toBe(200);
    expect(f.json().features).toHaveLength(n);
  });

  it('refuses to load twice and adds nothing', async () => {
    const before = await demoCounts(database);
    const err = await loadDemo(database).catch((e: unknown) => e);
    expect(isProblem(err) && err.code).toBe('demo.already_loaded');
    expect(await demoCounts(database)).toEqual(before);
  });
});
