import { redactUrl, type Settings } from '../config.ts';
import { connect, type Database } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';
import { Problem } from '../domain/problem.ts';
import { t } from '../i18n/catalogue.ts';
import { serverHoldsDataDir } from './admin-socket.ts';
import { backupBeforeMigrating } from './backup.ts';

/** Opens the database the settings name and brings it to the current migration level. */
export async function openDatabase(settings: Settings, opts: { quiet?: boolean } = {}): Promise<Database> {
  const say = (m: string) => {
    if (!opts.quiet) console.error(m);
  };
  const kind = settings.databaseUrl ? 'postgresql' : 'pglite';
  if (await serverHoldsDataDir(settings)) throw new Problem('cli.database_in_use', { dir: settings.dataDir });
  say(
    t(
      'cli.database.opening',
      { kind, where: settings.databaseUrl ? redactUrl(settings.databaseUrl) : settings.dataDir },
      settings.locale,
    ),
  );
  const database = await connect({
    url: settings.databaseUrl,
    dataDir: settings.dataDir,
    pool: settings.dbPool,
    readUrls: settings.databaseReadUrls,
    replicaOptions: { maxLagMs: settings.readMaxLagMs },
  });
  await migrate(database, {
    log: (m) => say(t('cli.migrate.applying', m, settings.locale)),
    beforeApplying: backupBeforeMigrating(database, settings, say),
  });
  return database;
}

/** Runs `work` with the database the settings name, open, and closes it afterwards, whatever happens. */
export async function withDatabase<T>(
  settings: Settings,
  work: (db: Database) => Promise<T>,
  opts: { quiet?: boolean } = {},
): Promise<T> {
  const database = await openDatabase(settings, opts);
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}
