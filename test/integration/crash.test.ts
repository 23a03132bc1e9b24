import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { settingsFromEnv } from '../../src/config.ts';
import { connect, type Database } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';
import type { Actor } from '../../src/services/actor.ts';
import { verifyAudit } from '../../src/services/audit.ts';
import { createUser } from '../../src/services/auth.ts';
import { createServices } from '../../src/services/index.ts';
import { testDatabase, testDatabaseKind, testDatabaseUrl, testDataDir, unique } from './helpers/db.ts';

const secret = 'crash-test-secret';
const child = new URL('./helpers/approve-child.ts', import.meta.url).pathname;
const runner = new URL('../../bin/run-ts.js', import.meta.url).pathname;

/** Everything an approval could change: the registers it touches, the history, the audit chain. */
async function snapshot(database: Database, hazardId: string, reportId: string) {
  const q = async (query: ReturnType<typeof sql>) => (await query.execute(database.db)).rows;
  return {
    hazard: await q(
      sql`select version, status, remaining_area_m2, released_area_m2 from hazards where id = ${hazardId}`,
    ),
    landRelease: await q(sql`select count(*)::int as n from land_release where hazard_id = ${hazardId}`),
    activities: await q(sql`select count(*)::int as n from activities where hazard_id = ${hazardId}`),
    changes: await q(sql`select count(*)::int as n from record_changes`),
    report: await q(sql`select status, version from reports where id = ${reportId}`),
    audit: await q(sql`select count(*)::int as n, max(hash) as top from audit_log`),
  };
}

/** Runs the child until it reaches the failpoint, then kills it with SIGKILL. */
function approveAndKill(reportId: string, actorId: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [runner, child, reportId, actorId], {
      env: {
        ...process.env,
        ...env,
        SAFEGROUND_FAILPOINT: 'approval.before_commit',
        SAFEGROUND_SECRET: secret,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`child never reached the failpoint: ${err}`));
    }, 240_000);
    p.stderr.on('data', (d) => {
      err += d;
      if (err.includes('failpoint approval.before_commit reached')) p.kill('SIGKILL');
    });
    p.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && err.includes('failpoint')) resolve(err);
      else reject(new Error(`child ended without reaching the failpoint (${signal}): ${err}`));
    });
  });
}

describe(`a crash in the middle of an approval on ${testDatabaseKind()}`, () => {
  it('leaves the register and the audit chain exactly as before the approval', {
    timeout: 600_000,
  }, async () => {
    const url = testDatabaseKind() === 'postgresql' ? await testDatabaseUrl() : undefined;
    const dataDir = url ? undefined : testDataDir();
    const open = async () => {
      if (url) return testDatabase();
      const d = await connect({ dataDir: dataDir! });
      await migrate(d);
      return d;
    };
    let database = await open();
    const settings = { ...settingsFromEnv(), keyFile: join(tmpdir(), `${unique('k')}.key`), secret };
    const services = createServices(database, settings);
    const approverUser = await createUser(database, {
      email: `${unique('crash')}@test.safeground.org`,
      password: 'Crash-test-123',
      role: 'approver',
    });
    const approver: Actor = {
      id: approverUser.id,
      email: approverUser.email,
      role: 'approver',
      organisationId: null,
    };
    const org = await services.registers
      .get('organisations')!
      .create(approver, { name: unique('Crash org '), kind: 'ngo' });
    const square = (x0: number, x1: number) => ({
      type: 'Polygon',
      coordinates: [
        [
          [x0, 5],
          [x1, 5],
          [x1, 5.001],
          [x0, 5.001],
          [x0, 5],
        ],
      ],
    });
    const hazard = await services.registers
      .get('hazards')!
      .create(approver, { type: 'Feature', geometry: square(60, 60.001), properties: { type: 'CHA' } });
    const draft = await services.reports.create(approver, {
      kind: 'activity',
      dateOfInformation: '2025-07-01',
      organisationId: org.id,
      payload: {
        changes: [
          {
            op: 'create',
            register: 'activities',
            ref: 'a',
            record: {
              type: 'Feature',
              geometry: null,
              properties: { kind: 'clearance', organisationId: org.id, hazardId: hazard.id },
            },
          },
          {
            op: 'create',
            register: 'land-release',
            record: {
              type: 'Feature',
              geometry: square(60, 60.001),
              properties: { outcome: 'cleared', hazardId: hazard.id, activityId: '@ref:a' },
            },
          },
        ],
      },
    });
    await services.reports.submit(approver, draft.id);
    const before = await snapshot(database, hazard.id as string, draft.id);
    expect((await verifyAudit(database)).broken).toBeUndefined();

    if (!url) await database.close();
    const childEnv: Record<string, string> = url ? { DATABASE_URL: url } : { SAFEGROUND_DATA_DIR: dataDir! };
    await approveAndKill(draft.id, approver.id!, childEnv);

    if (!url) database = await open();
    const after = await snapshot(database, hazard.id as string, draft.id);
    expect(after).toEqual(before);
    expect((await verifyAudit(database)).broken).toBeUndefined();

    // And the same approval, uninterrupted, does apply: the snapshot was able to change.
    const again = createServices(database, settings);
    await again.reports.approve(approver, draft.id, []);
    const applied = await snapshot(database, hazard.id as string, draft.id);
    expect(applied.landRelease).toEqual([{ n: 1 }]);
    expect(applied.hazard[0]).toMatchObject({ status: 'closed' });
    if (!url) await database.close();
  });
});
