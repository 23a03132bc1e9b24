import { type Kysely, sql } from 'kysely';
import type { Database, Schema } from '../connect.ts';

export async function ensureMigrationsTable(database: Database): Promise<void> {
  await database.execScript(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`);
}

export async function appliedMigrations(db: Kysely<Schema>) {
  const r = await sql<{ version: number; name: string; checksum: string }>`
    select version, name, checksum from schema_migrations order by version`.execute(db);
  return r.rows;
}

export async function migrationLevel(db: Kysely<Schema>): Promise<number> {
  const r = await sql<{ level: number | null }>`select max(version) as level from schema_migrations`.execute(
    db,
  );
  return r.rows[0]?.level ?? 0;
}

/** The statement that records a migration, appended to the migration's own transaction. */
export function recordMigration(m: { version: number; name: string; checksum: string }): string {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  return `INSERT INTO schema_migrations (version, name, checksum) VALUES (${m.version}, ${q(m.name)}, ${q(m.checksum)})`;
}
