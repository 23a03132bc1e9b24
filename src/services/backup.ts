import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import type { Settings } from '../config.ts';
import { connect, type Database, type DatabaseKind } from '../db/connect.ts';
import { migrationFiles } from '../db/migrate.ts';
import {
  auditHead,
  checkpoint,
  exportSnapshot,
  loadPgliteDataDir,
  ownTableNames,
  pgDump,
  pgRestore,
  tableCounts,
} from '../db/repositories/backup.ts';
import { isDatabaseEmpty } from '../db/repositories/demo.ts';
import { migrationLevel } from '../db/repositories/migrations.ts';
import { isProblem, Problem } from '../domain/problem.ts';
import { VERSION } from '../version.ts';
import { verifyAudit } from './audit.ts';
import { type Keyring, keyringFromSecret, loadKeyFile } from './personal-data.ts';

/**
 * A backup is one tar archive: the database (PGlite: its data folder as dumpDataDir() makes it;
 * PostgreSQL: pg_dump's custom format), every attachment under `attachments/<sha256>`, and last
 * `manifest.json`, which names every part with its SHA-256 and size and holds the row counts, the
 * audit chain's head and the fingerprint of the personal-data key. The key itself is never in a
 * backup: whoever holds both could read the casualty identities.
 */
export const BACKUP_FORMAT = 1;

export const DATABASE_PART: Record<DatabaseKind, string> = {
  pglite: 'database/pgdata.tar.gz',
  postgresql: 'database/safeground.pgdump',
};
const MANIFEST = 'manifest.json';
const PART_NAME = /^(database\/pgdata\.tar\.gz|database\/safeground\.pgdump|attachments\/[0-9a-f]{64})$/;
const ATTACHMENT_FILE = /^[0-9a-f]{64}$/;

export interface BackupPart {
  name: string;
  sha256: string;
  sizeBytes: number;
}

export interface BackupManifest {
  format: number;
  safegroundVersion: string;
  migrationLevel: number;
  databaseKind: DatabaseKind;
  createdAt: string;
  /** Rows in every table of the program at the moment of the backup. */
  tables: Record<string, number>;
  parts: BackupPart[];
  auditHead: { seq: number; hash: string } | null;
  /** SHA-256 over the keys of the personal-data keyring; null when there was no key. */
  keyFingerprint: string | null;
}

export type BackupProgress = (doneBytes: number, totalBytes: number, label: string) => void;

/** Identifies a keyring without revealing it: SHA-256 over the sorted hashes of its keys. */
export function keyFingerprint(ring: Keyring): string {
  const keyHashes = Object.values(ring.keys)
    .map((k) => createHash('sha256').update(k).digest('hex'))
    .sort();
  return createHash('sha256')
    .update(`safeground-key-fingerprint\n${keyHashes.join('\n')}`)
    .digest('hex');
}

/**
 * The keyring the server uses, without creating a key file when there is none (a backup must not
 * invent a key): the secret when one is set, else the key file when it exists.
 */
export function existingKeyring(secret: string | undefined, keyFile: string): Keyring | undefined {
  if (secret) return keyringFromSecret(secret);
  return existsSync(keyFile) ? loadKeyFile(keyFile) : undefined;
}

interface Snapshot {
  path: string;
  tables: Record<string, number>;
  auditHead: { seq: number; hash: string } | undefined;
  level: number;
}

/**
 * Copies the database as of one moment, with the counts and audit head of that same moment.
 * PGlite: inside a transaction, which holds its one connection, so no write runs during the copy.
 * PostgreSQL: pg_dump reads the snapshot of a repeatable-read transaction that also counts.
 */
async function snapshotDatabase(database: Database, databaseUrl: string | undefined, work: string) {
  const path = join(work, 'database');
  if (database.kind === 'pglite') {
    await checkpoint(database.db);
    return database.db.transaction().execute(async (trx): Promise<Snapshot> => {
      const snapshot = {
        path,
        tables: await tableCounts(trx),
        auditHead: await auditHead(trx),
        level: await migrationLevel(trx),
      };
      const tarball = await database.dumpDataDir!();
      const out = await open(path, 'w', 0o600);
      try {
        await out.writeFile(Buffer.from(await tarball.arrayBuffer()));
      } finally {
        await out.close();
      }
      return snapshot;
    });
  }
  if (!databaseUrl) throw new Problem('backup.database_url_missing', {});
  return database.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx): Promise<Snapshot> => {
      const id = await exportSnapshot(trx);
      const snapshot = {
        path,
        tables: await tableCounts(trx),
        auditHead: await auditHead(trx),
        level: await migrationLevel(trx),
      };
      await pgDump(databaseUrl, id, path);
      return snapshot;
    });
}

async function attachmentFiles(
  dir: string,
): Promise<Array<{ name: string; path: string; sizeBytes: number }>> {
  if (!existsSync(dir)) return [];
  const names = (await readdir(dir)).filter((n) => ATTACHMENT_FILE.test(n)).sort();
  const files = [];
  for (const name of names) {
    const path = join(dir, name);
    files.push({ name: `attachments/${name}`, path, sizeBytes: (await stat(path)).size });
  }
  return files;
}

export interface BackupOptions {
  out: string;
  keyring: Keyring | undefined;
  onProgress?: BackupProgress;
}

/**
 * Writes a backup archive to `out` (refusing to overwrite a file). The database is copied first
 * and the attachment folder listed after: a file is stored before its database row commits, so
 * every attachment the copy names is in the folder by then.
 */
export async function writeBackup(
  database: Database,
  settings: Pick<Settings, 'attachmentsDir' | 'databaseUrl'>,
  opts: BackupOptions,
): Promise<BackupManifest & { file: string }> {
  const out = resolve(opts.out);
  if (existsSync(out)) throw new Problem('backup.out_exists', { file: out });
  await mkdir(dirname(out), { recursive: true });
  const work = await mkdtemp(join(dirname(out), '.safeground-backup-'));
  const partial = `${out}.partial`;
  try {
    const snapshot = await snapshotDatabase(database, settings.databaseUrl, work);
    const files = [
      {
        name: DATABASE_PART[database.kind],
        path: snapshot.path,
        sizeBytes: (await stat(snapshot.path)).size,
      },
      ...(await attachmentFiles(settings.attachmentsDir)),
    ];
    const totalBytes = files.reduce((s, f) => s + f.sizeBytes, 0);
    let doneBytes = 0;
    opts.onProgress?.(0, totalBytes, '');

    const archive = pack();
    const sink = createWriteStream(partial, { mode: 0o600 });
    const written = new Promise<void>((done, fail) => {
      sink.once('close', done);
      sink.once('error', fail);
      archive.once('error', fail);
    });
    archive.pipe(sink);
    const parts: BackupPart[] = [];
    for (const f of files) {
      const hash = createHash('sha256');
      let sizeBytes = 0;
      await new Promise<void>((done, fail) => {
        const entry = archive.entry(
          { name: f.name, size: f.sizeBytes, mode: 0o600, mtime: new Date() },
          (err) => (err ? fail(err) : done()),
        );
        (async () => {
          for await (const chunk of createReadStream(f.path)) {
            hash.update(chunk);
            sizeBytes += chunk.length;
            doneBytes += chunk.length;
            opts.onProgress?.(doneBytes, totalBytes, f.name);
            if (!entry.write(chunk)) await once(entry, 'drain');
          }
          // streamx's typings ask for a chunk; ending without one is what it does at run time.
          (entry as unknown as { end(): void }).end();
        })().catch(fail);
      });
      parts.push({ name: f.name, sha256: hash.digest('hex'), sizeBytes });
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      safegroundVersion: VERSION,
      migrationLevel: snapshot.level,
      databaseKind: database.kind,
      createdAt: new Date().toISOString(),
      tables: snapshot.tables,
      parts,
      auditHead: snapshot.auditHead ?? null,
      keyFingerprint: opts.keyring ? keyFingerprint(opts.keyring) : null,
    };
    archive.entry(
      { name: MANIFEST, mode: 0o600, mtime: new Date() },
      `${JSON.stringify(manifest, null, 2)}\n`,
    );
    archive.finalize();
    await written;
    await rename(partial, out);
    return { ...manifest, file: out };
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}

/** File names of scheduled backups: the time they were taken, so names sort by age. */
const SCHEDULED = /^safeground-\d{8}T\d{9}Z\.tar$/;

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:.]/g, '');
}

/** Writes a scheduled backup into `dir`, then deletes the oldest scheduled ones beyond `keep`. */
export async function scheduledBackup(
  database: Database,
  settings: Pick<Settings, 'attachmentsDir' | 'databaseUrl'>,
  opts: { dir: string; keep: number; keyring: Keyring | undefined },
): Promise<{ file: string; removed: string[] }> {
  const written = await writeBackup(database, settings, {
    out: join(opts.dir, `safeground-${stamp(new Date())}.tar`),
    keyring: opts.keyring,
  });
  const scheduled = (await readdir(opts.dir)).filter((n) => SCHEDULED.test(n)).sort();
  const removed = scheduled.slice(0, Math.max(0, scheduled.length - opts.keep)).map((n) => join(opts.dir, n));
  for (const file of removed) await rm(file, { force: true });
  return { file: written.file, removed };
}

/** Where automatic backups go: SAFEGROUND_BACKUP_DIR, else `backups` beside the data folder. */
export function automaticBackupDir(settings: Pick<Settings, 'backup' | 'dataDir'>): string {
  return settings.backup.dir ?? resolve(settings.dataDir, '..', 'backups');
}

/**
 * The backup taken before migrations change an existing database that holds data; nothing for
 * an empty one (there is nothing to lose). Returns the file written, if any.
 */
export async function backupBeforeMigration(
  database: Database,
  settings: Pick<Settings, 'attachmentsDir' | 'databaseUrl' | 'backup' | 'dataDir'>,
  opts: { from: number; to: number; keyring: Keyring | undefined },
): Promise<string | undefined> {
  if (await isDatabaseEmpty(database.db)) return undefined;
  const pad = (n: number) => String(n).padStart(3, '0');
  const name = `safeground-before-migration-${pad(opts.from)}-to-${pad(opts.to)}-${stamp(new Date())}.tar`;
  const written = await writeBackup(database, settings, {
    out: join(automaticBackupDir(settings), name),
    keyring: opts.keyring,
  });
  return written.file;
}

// ---------------------------------------------------------------------------------------------
// Restore

export interface RestoreTarget {
  kind: DatabaseKind;
  /** The embedded database's folder (PGlite). */
  dataDir: string;
  /** The database to restore into (PostgreSQL). */
  databaseUrl: string | undefined;
  attachmentsDir: string;
}

export interface RestoreSummary {
  manifest: BackupManifest;
  tables: Record<string, number>;
  attachments: number;
  auditEntries: number;
  keyChecked: boolean;
}

async function isEmptyFolder(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  return (await readdir(dir)).length === 0;
}

/** Refuses a target that holds anything: a restore never mixes two databases. */
async function assertTargetEmpty(target: RestoreTarget, database: Database | undefined): Promise<void> {
  if (target.kind === 'pglite' && !(await isEmptyFolder(target.dataDir))) {
    throw new Problem('backup.target_not_empty', { where: target.dataDir });
  }
  if (database && (await ownTableNames(database.db)).length > 0) {
    throw new Problem('backup.target_not_empty', { where: redactUrl(target.databaseUrl ?? '') });
  }
  const contents = existsSync(target.attachmentsDir)
    ? (await readdir(target.attachmentsDir)).filter((n) => ATTACHMENT_FILE.test(n))
    : [];
  if (contents.length) throw new Problem('backup.target_not_empty', { where: target.attachmentsDir });
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

/** A readable stream of the archive, unzipped when someone gzipped it. */
async function archiveStream(file: string): Promise<Readable> {
  const head = Buffer.alloc(2);
  const fd = await open(file, 'r');
  try {
    await fd.read(head, 0, 2, 0);
  } finally {
    await fd.close();
  }
  const raw = createReadStream(file);
  return head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
}

/** Unpacks the archive into `staging`, hashing every part as it goes. */
async function unpack(
  file: string,
  staging: string,
  onProgress?: BackupProgress,
): Promise<{ manifestText: string | undefined; staged: Map<string, BackupPart & { path: string }> }> {
  const staged = new Map<string, BackupPart & { path: string }>();
  let manifestText: string | undefined;
  const totalBytes = (await stat(file)).size;
  let doneBytes = 0;
  const input = await archiveStream(file);
  const entries = extract();
  input.once('error', (err) => entries.destroy(err));
  input.pipe(entries);
  try {
    for await (const entry of entries) {
      const name = entry.header.name;
      if (name === MANIFEST && entry.header.type === 'file' && manifestText === undefined) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        manifestText = Buffer.concat(chunks).toString('utf8');
        continue;
      }
      if (entry.header.type !== 'file' || !PART_NAME.test(name) || staged.has(name)) {
        throw new Problem('backup.archive_invalid', { file, detail: name });
      }
      const path = join(staging, name);
      await mkdir(dirname(path), { recursive: true });
      const hash = createHash('sha256');
      let sizeBytes = 0;
      const sink = createWriteStream(path, { mode: 0o600 });
      for await (const chunk of entry) {
        hash.update(chunk as Buffer);
        sizeBytes += (chunk as Buffer).length;
        doneBytes += (chunk as Buffer).length;
        onProgress?.(Math.min(doneBytes, totalBytes), totalBytes, name);
        if (!sink.write(chunk)) await once(sink, 'drain');
      }
      sink.end();
      await once(sink, 'close');
      staged.set(name, { name, sha256: hash.digest('hex'), sizeBytes, path });
    }
  } catch (err) {
    if (isProblem(err)) throw err;
    throw new Problem('backup.archive_invalid', {
      file,
      detail: err instanceof Error ? err.message : String(err),
    });
  }
  onProgress?.(totalBytes, totalBytes, '');
  return { manifestText, staged };
}

/** The manifest, after checking that every part is there, whole, and nothing else is. */
function checkedManifest(
  file: string,
  manifestText: string | undefined,
  staged: Map<string, BackupPart & { path: string }>,
): BackupManifest {
  if (manifestText === undefined) throw new Problem('backup.archive_invalid', { file, detail: MANIFEST });
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(manifestText) as BackupManifest;
  } catch {
    throw new Problem('backup.archive_invalid', { file, detail: MANIFEST });
  }
  if (manifest.format !== BACKUP_FORMAT) {
    throw new Problem('backup.format_unsupported', { format: String(manifest.format) });
  }
  const listed = new Set<string>();
  for (const part of manifest.parts ?? []) {
    listed.add(part.name);
    const got = staged.get(part.name);
    if (!got || got.sha256 !== part.sha256 || got.sizeBytes !== part.sizeBytes) {
      throw new Problem('backup.part_mismatch', { part: part.name });
    }
    // Attachments are named by their content: the name must match too.
    if (part.name.startsWith('attachments/') && part.name !== `attachments/${got.sha256}`) {
      throw new Problem('backup.part_mismatch', { part: part.name });
    }
  }
  for (const name of staged.keys()) {
    if (!listed.has(name)) throw new Problem('backup.part_mismatch', { part: name });
  }
  if (!listed.has(DATABASE_PART[manifest.databaseKind])) {
    throw new Problem('backup.archive_invalid', { file, detail: DATABASE_PART[manifest.databaseKind] ?? '' });
  }
  return manifest;
}

function shortFingerprint(f: string): string {
  return f.slice(0, 16);
}

/**
 * Restores a backup into an empty target: checks the archive against its manifest and the key
 * against its fingerprint before writing anything, then restores the database and the
 * attachments, and checks the result (row counts, the audit chain and its head).
 */
export async function restoreBackup(
  target: RestoreTarget,
  opts: { file: string; keyring: Keyring | undefined; onProgress?: BackupProgress },
): Promise<RestoreSummary> {
  const file = resolve(opts.file);
  if (!existsSync(file)) throw new Problem('backup.archive_invalid', { file, detail: 'ENOENT' });
  let database: Database | undefined =
    target.kind === 'postgresql' ? await connect({ url: target.databaseUrl }) : undefined;
  await mkdir(dirname(target.attachmentsDir), { recursive: true });
  const staging = await mkdtemp(join(dirname(target.attachmentsDir), '.safeground-restore-'));
  let createdDataDir = false;
  try {
    await assertTargetEmpty(target, database);
    const { manifestText, staged } = await unpack(file, staging, opts.onProgress);
    const manifest = checkedManifest(file, manifestText, staged);
    if (manifest.databaseKind !== target.kind) {
      throw new Problem('backup.kind_mismatch', { archive: manifest.databaseKind, target: target.kind });
    }
    const latest = Math.max(0, ...migrationFiles().map((m) => m.version));
    if (manifest.migrationLevel > latest) {
      throw new Problem('backup.newer_version', {
        level: manifest.migrationLevel,
        latest,
        version: manifest.safegroundVersion,
      });
    }
    let keyChecked = false;
    if (opts.keyring && manifest.keyFingerprint) {
      const found = keyFingerprint(opts.keyring);
      if (found !== manifest.keyFingerprint) {
        throw new Problem('backup.key_mismatch', {
          expected: shortFingerprint(manifest.keyFingerprint),
          found: shortFingerprint(found),
        });
      }
      keyChecked = true;
    }

    const dump = staged.get(DATABASE_PART[manifest.databaseKind])!;
    if (target.kind === 'pglite') {
      await mkdir(target.dataDir, { recursive: true });
      createdDataDir = true;
      await loadPgliteDataDir(target.dataDir, new Blob([await readFile(dump.path)]));
      database = await connect({ dataDir: target.dataDir });
    } else {
      await pgRestore(target.databaseUrl!, dump.path);
    }
    const db = database!;

    const tables = await tableCounts(db.db);
    for (const name of new Set([...Object.keys(manifest.tables), ...Object.keys(tables)])) {
      const expected = manifest.tables[name] ?? 0;
      const found = tables[name] ?? 0;
      if (expected !== found) throw new Problem('backup.count_mismatch', { table: name, expected, found });
    }
    const audit = await verifyAudit(db);
    if (audit.broken) {
      throw new Problem('backup.audit_broken', { seq: audit.broken.seq, reason: audit.broken.reason });
    }
    const head = await auditHead(db.db);
    if ((head?.hash ?? null) !== (manifest.auditHead?.hash ?? null)) {
      throw new Problem('backup.audit_broken', { seq: head?.seq ?? 0, reason: 'head' });
    }

    await mkdir(target.attachmentsDir, { recursive: true });
    let attachments = 0;
    for (const part of staged.values()) {
      if (!part.name.startsWith('attachments/')) continue;
      await rename(part.path, join(target.attachmentsDir, part.sha256));
      attachments++;
    }
    return { manifest, tables, attachments, auditEntries: audit.entries, keyChecked };
  } catch (err) {
    // A half-restored embedded database would pass for a real one: remove what was made. On
    // PostgreSQL pg_restore ran in one transaction, so a failure there left the database empty.
    if (createdDataDir) {
      await database?.close().catch(() => {});
      database = undefined;
      await rm(target.dataDir, { recursive: true, force: true });
    }
    throw err;
  } finally {
    await database?.close();
    await rm(staging, { recursive: true, force: true });
  }
}
