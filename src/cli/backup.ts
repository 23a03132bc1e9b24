import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Settings } from '../config.ts';
import { connect, type Database } from '../db/connect.ts';
import { Problem } from '../domain/problem.ts';
import { t } from '../i18n/catalogue.ts';
import {
  type BackupManifest,
  backupBeforeMigration,
  existingKeyring,
  restoreBackup,
  scheduledBackup,
  writeBackup,
} from '../services/backup.ts';
import { loadKeyFile, saveKeyFile } from '../services/personal-data.ts';
import { askServerForBackup, serverHoldsDataDir } from './admin-socket.ts';
import { helpLocale } from './help-locale.ts';
import { progress } from './progress.ts';

export function registerBackupCommands(program: Command, settings: Settings): void {
  program
    .command('backup')
    .description(t('cli.help.backup', {}, helpLocale))
    .requiredOption('--out <file>', t('cli.help.backup.out', {}, helpLocale))
    .action(async (opts: { out: string }) => {
      const out = resolve(opts.out);
      const bar = progress('backup');
      let manifest: BackupManifest & { file: string };
      if (await serverHoldsDataDir(settings)) {
        // The embedded database is one process: the running server writes the archive.
        console.error(t('backup.cli.through_server', {}, settings.locale));
        manifest = (await askServerForBackup(settings, out, (done, total, label) =>
          bar.update(done, total, label),
        )) as unknown as BackupManifest & { file: string };
      } else {
        // No migration first: a backup copies the database as it is.
        const database = await connect({
          url: settings.databaseUrl,
          dataDir: settings.dataDir,
          pool: settings.dbPool,
        });
        try {
          manifest = await writeBackup(database, settings, {
            out,
            keyring: existingKeyring(settings.secret, settings.keyFile),
            onProgress: (done, total, label) => bar.update(done, total, label),
          });
        } finally {
          await database.close();
        }
      }
      bar.stop();
      const sizeBytes = manifest.parts.reduce((s, p) => s + p.sizeBytes, 0);
      console.log(
        t(
          'backup.cli.written',
          {
            file: manifest.file,
            parts: manifest.parts.length + 1,
            sizeMb: (sizeBytes / 1048576).toFixed(1),
            database: manifest.databaseKind,
            level: manifest.migrationLevel,
            seq: manifest.auditHead?.seq ?? 0,
          },
          settings.locale,
        ),
      );
      console.log(t('backup.cli.rows', { rows: describeRows(manifest.tables) }, settings.locale));
      console.log(keyNote(settings, manifest.keyFingerprint));
    });

  program
    .command('restore')
    .description(t('cli.help.restore', {}, helpLocale))
    .argument('<file>', t('cli.help.restore.file', {}, helpLocale))
    .option('--key-file <file>', t('cli.help.restore.key_file', {}, helpLocale))
    .action(async (file: string, opts: { keyFile?: string }) => {
      if (await serverHoldsDataDir(settings)) {
        throw new Problem('cli.database_in_use', { dir: settings.dataDir });
      }
      const givenKey = opts.keyFile ? resolve(opts.keyFile) : undefined;
      if (givenKey && !existsSync(givenKey)) throw new Problem('backup.key_file_missing', { file: givenKey });
      const keyring = givenKey ? loadKeyFile(givenKey) : existingKeyring(settings.secret, settings.keyFile);
      const bar = progress('restore');
      const restored = await restoreBackup(
        {
          kind: settings.databaseUrl ? 'postgresql' : 'pglite',
          dataDir: settings.dataDir,
          databaseUrl: settings.databaseUrl,
          attachmentsDir: settings.attachmentsDir,
        },
        { file, keyring, onProgress: (done, total, label) => bar.update(done, total, label) },
      );
      bar.stop();
      const m = restored.manifest;
      console.log(
        t(
          'backup.cli.restored',
          {
            file: resolve(file),
            database: m.databaseKind,
            level: m.migrationLevel,
            createdAt: m.createdAt,
            attachments: restored.attachments,
            entries: restored.auditEntries,
          },
          settings.locale,
        ),
      );
      console.log(t('backup.cli.rows', { rows: describeRows(restored.tables) }, settings.locale));
      if (restored.keyChecked) {
        console.log(t('backup.cli.key_checked', { fingerprint: m.keyFingerprint }, settings.locale));
      }
      // The server reads the key from its key file: put the checked key there when there is none.
      if (givenKey && keyring && !settings.secret && !existsSync(settings.keyFile)) {
        saveKeyFile(settings.keyFile, keyring);
        console.log(t('backup.cli.key_copied', { from: givenKey, to: settings.keyFile }, settings.locale));
      } else if (!keyring && m.keyFingerprint) {
        console.log(
          t(
            'backup.cli.key_absent',
            { fingerprint: m.keyFingerprint, file: settings.keyFile },
            settings.locale,
          ),
        );
      }
    });
}

function describeRows(tables: Record<string, number>): string {
  return Object.entries(tables)
    .filter(([, n]) => n > 0)
    .map(([table, n]) => `${table} ${n}`)
    .join(', ');
}

/** Where the personal-data key is, and that it must be kept apart from the backup. */
function keyNote(settings: Settings, fingerprint: string | null): string {
  if (settings.secret) {
    return t('backup.cli.key_secret', { fingerprint }, settings.locale);
  }
  if (!fingerprint) return t('backup.cli.key_none', { file: settings.keyFile }, settings.locale);
  return t('backup.cli.key_file', { fingerprint, file: settings.keyFile }, settings.locale);
}

function describePeriod(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return `${Math.round(ms / 60_000)}m`;
}

/**
 * The server's scheduled backups (SAFEGROUND_BACKUP_DIR, _EVERY, _KEEP): one archive per period,
 * never two at once, the oldest beyond KEEP deleted. Returns the function that stops them.
 */
export function startBackupSchedule(
  database: Database,
  settings: Settings,
  log: (message: string) => void,
): () => void {
  const dir = settings.backup.dir;
  if (!dir) return () => {};
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const r = await scheduledBackup(database, settings, {
        dir,
        keep: settings.backup.keep,
        keyring: existingKeyring(settings.secret, settings.keyFile),
      });
      log(t('backup.scheduled.written', { file: r.file }, settings.locale));
      for (const file of r.removed) log(t('backup.scheduled.removed', { file }, settings.locale));
    } catch (err) {
      const message =
        err instanceof Problem ? `${err.code}: ${t(err.code, err.params, settings.locale)}` : String(err);
      log(t('backup.scheduled.failed', { message }, settings.locale));
    } finally {
      running = false;
    }
  }, settings.backup.everyMs);
  timer.unref();
  log(
    t(
      'backup.scheduled.started',
      { every: describePeriod(settings.backup.everyMs), dir, keep: settings.backup.keep },
      settings.locale,
    ),
  );
  return () => clearInterval(timer);
}

/** The migrate hook that backs up an existing database with data before migrations change it. */
export function backupBeforeMigrating(
  database: Database,
  settings: Settings,
  log: (message: string) => void,
): (from: number, to: number) => Promise<void> {
  return async (from, to) => {
    const file = await backupBeforeMigration(database, settings, {
      from,
      to,
      keyring: existingKeyring(settings.secret, settings.keyFile),
    });
    if (file) log(t('backup.before_migration', { from, to, file }, settings.locale));
  };
}
