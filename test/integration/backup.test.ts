import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Database } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';
import { Problem } from '../../src/domain/problem.ts';
import { SYSTEM_ACTOR } from '../../src/services/actor.ts';
import { AttachmentService } from '../../src/services/attachments.ts';
import {
  type BackupManifest,
  backupBeforeMigration,
  keyFingerprint,
  type RestoreTarget,
  restoreBackup,
  scheduledBackup,
  writeBackup,
} from '../../src/services/backup.ts';
import { keyringFromKeys, newKey } from '../../src/services/personal-data.ts';
import { login, testDatabase, testDatabaseKind, testDatabaseUrl, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';

/**
 * Backup and restore on the test database (PGlite, or PostgreSQL with TEST_DATABASE_URL, where
 * each restore goes into a new database on the same server).
 */
const root = mkdtempSync(join(tmpdir(), 'safeground-backup-'));
const attachmentsDir = join(root, 'attachments');
const key = newKey();
const keyring = keyringFromKeys([key], key);
let database: Database;
let archive: string;
let manifest: BackupManifest & { file: string };
const attachmentTexts = [`first photo ${unique()}`, `second photo ${unique()}`];
const createdDatabases: string[] = [];

let targets = 0;
/** A fresh, empty place to restore into: a new data folder, or a new database on the same server. */
async function freshTarget(): Promise<RestoreTarget> {
  targets++;
  const dir = join(root, `target-${targets}`);
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    return {
      kind: 'pglite',
      dataDir: join(dir, 'data'),
      databaseUrl: undefined,
      attachmentsDir: join(dir, 'attachments'),
    };
  }
  const name = `safeground_restore_${process.pid}_${targets}`;
  // One statement per call: CREATE DATABASE cannot run inside the transaction of a multi-statement query.
  await database.execScript(`DROP DATABASE IF EXISTS ${name}`);
  await database.execScript(`CREATE DATABASE ${name}`);
  createdDatabases.push(name);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    kind: 'postgresql',
    dataDir: join(dir, 'data'),
    databaseUrl: u.toString(),
    attachmentsDir: join(dir, 'attachments'),
  };
}

async function refusal(work: Promise<unknown>): Promise<Problem> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Problem);
  return err as Problem;
}

const W = 47.3;
const S = 40.1;
const square = (i: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [W + i * 0.002, S],
      [W + i * 0.002 + 0.001, S],
      [W + i * 0.002 + 0.001, S + 0.001],
      [W + i * 0.002, S + 0.001],
      [W + i * 0.002, S],
    ],
  ],
});

/** On PostgreSQL, the URL of this file's own database (pg_dump must read the database the test writes). */
let databaseUrl: string | undefined;

beforeAll(async () => {
  database = await testDatabase();
  databaseUrl = testDatabaseKind() === 'postgresql' ? await testDatabaseUrl() : undefined;
});

afterAll(async () => {
  for (const name of createdDatabases)
    await database.execScript(`DROP DATABASE IF EXISTS ${name}`).catch(() => {});
});

describe(`backup and restore on ${testDatabaseKind()}`, () => {
  it('backs up while reports are being approved, and restores the same rows, audit chain and attachments', {
    timeout: 300_000,
  }, async () => {
    const admin = await login('admin');
    const approver = await login('approver', { name: 'backup-approver' });
    const org = (
      await call('POST', '/api/v1/organisations', admin, { name: unique('Backup operator '), kind: 'ngo' })
    ).json();
    const operator = await login('operator_data_entry', { organisationId: org.id, name: 'backup-operator' });
    const attachments = new AttachmentService(database, attachmentsDir);
    const reports: string[] = [];
    for (let i = 0; i < 6; i++) {
      const h = await call('POST', '/api/v1/hazards', admin, {
        type: 'Feature',
        geometry: square(i),
        properties: { type: 'SHA', deviceCategories: ['AP'], name: unique('Backup field '), status: 'open' },
      });
      expect(h.statusCode, h.body).toBe(201);
      if (i < attachmentTexts.length) {
        await attachments.store(SYSTEM_ACTOR, {
          recordType: 'hazards',
          recordId: h.json().id,
          filename: `photo-${i}.txt`,
          mediaType: 'text/plain',
          content: Readable.from([Buffer.from(attachmentTexts[i]!)]),
        });
      }
      const draft = await call('POST', '/api/v1/reports', operator, {
        kind: 'hazard_status_change',
        dateOfInformation: '2025-05-01',
        reason: 'technical survey started',
        payload: {
          changes: [
            {
              op: 'update',
              register: 'hazards',
              id: h.json().id,
              record: { type: 'Feature', properties: { status: 'in_progress' } },
            },
          ],
        },
      });
      expect(draft.statusCode, draft.body).toBe(201);
      const sub = await call('POST', `/api/v1/reports/${draft.json().id}/submit`, operator);
      expect(sub.statusCode, sub.body).toBe(200);
      reports.push(draft.json().id);
    }

    archive = join(root, 'safeground.tar');
    // Approvals and the backup at once: the backup holds some of them, whole, and counts what it holds.
    const approvals = reports.map((id) => call('POST', `/api/v1/reports/${id}/approve`, approver, {}));
    const [written, ...answers] = await Promise.all([
      writeBackup(database, { attachmentsDir, databaseUrl }, { out: archive, keyring }),
      ...approvals,
    ]);
    for (const a of answers) expect(a.statusCode, a.body).toBe(200);
    manifest = written;
    expect(manifest.databaseKind).toBe(testDatabaseKind());
    expect(manifest.keyFingerprint).toBe(keyFingerprint(keyring));
    expect(JSON.stringify(manifest)).not.toContain(key.toString('base64'));
    expect(manifest.tables.hazards).toBeGreaterThanOrEqual(6);
    expect(manifest.auditHead?.seq).toBeGreaterThan(0);
    const names = manifest.parts.map((p) => p.name);
    for (const text of attachmentTexts) {
      expect(names).toContain(`attachments/${createHash('sha256').update(text).digest('hex')}`);
    }

    const target = await freshTarget();
    const restored = await restoreBackup(target, { file: archive, keyring });
    expect(restored.tables).toEqual(manifest.tables);
    expect(restored.keyChecked).toBe(true);
    expect(restored.auditEntries).toBe(manifest.auditHead!.seq);
    expect(restored.attachments).toBe(attachmentTexts.length);
    const files = readdirSync(target.attachmentsDir);
    expect(files).toHaveLength(attachmentTexts.length);
    for (const f of files) {
      expect(
        createHash('sha256')
          .update(readFileSync(join(target.attachmentsDir, f)))
          .digest('hex'),
      ).toBe(f);
    }
    // The restored database opens as an ordinary one.
    const reopened = await connect(
      target.kind === 'pglite' ? { dataDir: target.dataDir } : { url: target.databaseUrl },
    );
    try {
      const { rows } = await (await import('kysely')).sql<{ n: number }>`
        select count(*)::int as n from reports where status = 'approved'`.execute(reopened.db);
      const { rows: live } = await (await import('kysely')).sql<{ n: number }>`
        select count(*)::int as n from reports where status = 'approved'`.execute(database.db);
      expect(rows[0]!.n).toBeLessThanOrEqual(live[0]!.n);
      expect(rows[0]!.n).toBeGreaterThanOrEqual(live[0]!.n - reports.length);
    } finally {
      await reopened.close();
    }
  });

  it('refuses a tampered archive and leaves the target empty', { timeout: 120_000 }, async () => {
    const bytes = readFileSync(archive);
    const at = bytes.indexOf(Buffer.from(attachmentTexts[0]!));
    expect(at).toBeGreaterThan(0);
    bytes[at] = bytes[at]! ^ 0x20;
    const tampered = join(root, 'tampered.tar');
    writeFileSync(tampered, bytes);
    const target = await freshTarget();
    const p = await refusal(restoreBackup(target, { file: tampered, keyring }));
    expect(p.code).toBe('backup.part_mismatch');
    expect(p.params.part).toMatch(/^attachments\//);
    expect(existsSync(target.dataDir)).toBe(false);
    expect(existsSync(target.attachmentsDir) && readdirSync(target.attachmentsDir).length).toBeFalsy();

    const notAnArchive = join(root, 'not-an-archive.tar');
    writeFileSync(notAnArchive, 'hello');
    expect((await refusal(restoreBackup(await freshTarget(), { file: notAnArchive, keyring }))).code).toBe(
      'backup.archive_invalid',
    );
  });

  it('refuses a key whose fingerprint is not the backup’s', { timeout: 120_000 }, async () => {
    const other = newKey();
    const target = await freshTarget();
    const p = await refusal(
      restoreBackup(target, { file: archive, keyring: keyringFromKeys([other], other) }),
    );
    expect(p.code).toBe('backup.key_mismatch');
    expect(p.params.expected).toBe(manifest.keyFingerprint!.slice(0, 16));
    expect(existsSync(target.dataDir)).toBe(false);
  });

  it('refuses a target that is not empty', { timeout: 120_000 }, async () => {
    const target = await freshTarget();
    if (target.kind === 'pglite') {
      mkdirSync(target.dataDir, { recursive: true });
      writeFileSync(join(target.dataDir, 'PG_VERSION'), '17\n');
    } else {
      // The test database itself holds the schema and data.
      target.databaseUrl = databaseUrl;
    }
    const p = await refusal(restoreBackup(target, { file: archive, keyring }));
    expect(p.code).toBe('backup.target_not_empty');

    const second = await freshTarget();
    mkdirSync(second.attachmentsDir, { recursive: true });
    writeFileSync(join(second.attachmentsDir, createHash('sha256').update('x').digest('hex')), 'x');
    expect((await refusal(restoreBackup(second, { file: archive, keyring }))).code).toBe(
      'backup.target_not_empty',
    );
  });

  it('keeps the newest scheduled backups and deletes the older ones', { timeout: 300_000 }, async () => {
    const dir = join(root, 'scheduled');
    const settings = { attachmentsDir, databaseUrl };
    const first = await scheduledBackup(database, settings, { dir, keep: 2, keyring });
    const second = await scheduledBackup(database, settings, { dir, keep: 2, keyring });
    expect(second.removed).toEqual([]);
    const third = await scheduledBackup(database, settings, { dir, keep: 2, keyring });
    expect(third.removed).toEqual([first.file]);
    expect(readdirSync(dir).sort()).toEqual(
      [second.file, third.file].map((f) => f.slice(dir.length + 1)).sort(),
    );
  });

  it('backs up an existing database before migrations change it, into backups/ beside the data folder', {
    timeout: 300_000,
  }, async () => {
    await login('admin'); // the database holds data: a user at least
    const dataDir = join(root, 'install', 'data');
    const file = await backupBeforeMigration(
      database,
      {
        attachmentsDir,
        databaseUrl,
        dataDir,
        backup: { dir: undefined, everyMs: 86_400_000, keep: 7 },
      },
      { from: 5, to: 6, keyring },
    );
    expect(file).toMatch(/\/install\/backups\/safeground-before-migration-005-to-006-\d{8}T\d{9}Z\.tar$/);
    expect(existsSync(file!)).toBe(true);
    // With every migration applied there is nothing to back up for.
    let asked = false;
    await migrate(database, {
      beforeApplying: async () => {
        asked = true;
      },
    });
    expect(asked).toBe(false);
  });
});

/** The command line, on the embedded database, with its folders under `home`. */
const bin = new URL('../../bin/safeground.js', import.meta.url).pathname;
function cli(home: string, args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, SAFEGROUND_DATA_DIR: join(home, 'data'), DATABASE_URL: '', SAFEGROUND_SECRET: '' },
    encoding: 'utf8',
    timeout: 300_000,
  });
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

let server: ChildProcess | undefined;
afterAll(() => {
  server?.kill('SIGTERM');
});

describe('safeground backup beside a running server on the embedded database', () => {
  it('writes the archive through the server, and restore brings it back into a new folder', {
    timeout: 900_000,
  }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'safeground-cli-backup-'));
    const port = await freePort();
    server = spawn(process.execPath, [bin, 'serve', '--no-web-build'], {
      env: {
        ...process.env,
        SAFEGROUND_DATA_DIR: join(home, 'data'),
        DATABASE_URL: '',
        SAFEGROUND_SECRET: '',
        PORT: String(port),
        HOST: '127.0.0.1',
        SAFEGROUND_DEMO: '0',
      },
      stdio: 'ignore',
    });
    const exited = new Promise((done) => server!.once('exit', done));
    for (let i = 0; i < 300; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/api/v1/health`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const user = cli(home, [
      'user',
      'create',
      '--email',
      'keeper@example.org',
      '--password',
      'Str0ng-passphrase',
      '--role',
      'admin',
    ]);
    expect(user.status, user.stderr).toBe(0);

    const out = join(home, 'backups', 'safeground.tar');
    const backup = cli(home, ['backup', '--out', out]);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stderr).toContain('The running server writes the backup');
    expect(backup.stdout).toContain(`Backup written: ${out}`);
    expect(backup.stdout).toMatch(/users 1\b/);
    // Where the key is, and that it is not in the archive.
    expect(backup.stdout).toContain(join(home, 'safeground.key'));
    expect(backup.stdout).toContain('NOT in the backup');
    const again = cli(home, ['backup', '--out', out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('backup.out_exists');

    server.kill('SIGTERM');
    await exited;
    server = undefined;

    const elsewhere = mkdtempSync(join(tmpdir(), 'safeground-cli-restore-'));
    const restore = cli(elsewhere, ['restore', out, '--key-file', join(home, 'safeground.key')]);
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('the audit chain verifies');
    expect(restore.stdout).toMatch(/users 1\b/);
    expect(restore.stdout).toContain('The personal-data key matches the backup');
    expect(readFileSync(join(elsewhere, 'safeground.key'), 'utf8')).toBe(
      readFileSync(join(home, 'safeground.key'), 'utf8'),
    );
    const verify = cli(elsewhere, ['audit', 'verify']);
    expect(verify.status, verify.stderr).toBe(0);

    const twice = cli(elsewhere, ['restore', out]);
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain('backup.target_not_empty');
  });
});
