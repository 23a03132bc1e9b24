import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Problem } from '../domain/problem.ts';
import type { Database } from './connect.ts';
import {
  appliedMigrations,
  ensureMigrationsTable,
  migrationLevel,
  recordMigration,
} from './repositories/migrations.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** The plain-SQL migrations shipped with this version, in order (`NNN_name.sql`). */
export function migrationFiles(): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(join(dir, f), 'utf8');
      return {
        version: Number(f.slice(0, 3)),
        name: f.slice(4, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export interface MigrateOptions {
  /** Called before each migration is applied. */
  log?: (m: { version: number; name: string }) => void;
  /** The last version to apply (the migration tests stop before the one they check); default all. */
  upTo?: number;
  /**
   * Called once before the first pending migration of a database that already has migrations
   * applied (not a new one), with the level it is at and the level it will reach: the automatic
   * backup before a migration changes data.
   */
  beforeApplying?: (from: number, to: number) => Promise<void>;
}

/**
 * Applies the migrations not yet applied, each in its own transaction, forward only. A changed
 * file that was already applied is an error: migrations are never edited after release.
 * `options` is the options or, alone, the log function.
 */
export async function migrate(
  database: Database,
  options: MigrateOptions | NonNullable<MigrateOptions['log']> = {},
) {
  const {
    log = () => {},
    upTo = Number.POSITIVE_INFINITY,
    beforeApplying,
  } = typeof options === 'function' ? { log: options } : options;
  await ensureMigrationsTable(database);
  const applied = await appliedMigrations(database.db);
  const byVersion = new Map(applied.map((a) => [a.version, a]));
  const pending = migrationFiles().filter((m) => !byVersion.has(m.version) && m.version <= upTo);
  if (applied.length && pending.length && beforeApplying) {
    await beforeApplying(Math.max(...applied.map((a) => a.version)), pending.at(-1)!.version);
  }
  let count = 0;
  for (const m of migrationFiles()) {
    if (m.version > upTo) break;
    const done = byVersion.get(m.version);
    if (done) {
      if (done.checksum !== m.checksum) {
        throw new Problem('server.migration_changed', { version: m.version, name: m.name });
      }
      continue;
    }
    log(m);
    await database.execScript(`BEGIN;\n${m.sql}\n;${recordMigration(m)};\nCOMMIT;`);
    count++;
  }
  return { applied: count, level: await migrationLevel(database.db) };
}
