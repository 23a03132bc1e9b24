import { spawn } from 'node:child_process';
import { type Kysely, sql } from 'kysely';
import { childEnvironment } from '../../config.ts';
import { Problem } from '../../domain/problem.ts';
import type { Schema } from '../connect.ts';

/**
 * The program's tables: ordinary tables outside the system schemas that no extension owns
 * (PostGIS's spatial_ref_sys is the extension's, not ours).
 */
const ownTables = sql`
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')`;

/** The program's tables, as `schema.table` for tables outside `public`, else the bare name. */
export async function ownTableNames(db: Kysely<Schema>): Promise<Array<{ schema: string; table: string }>> {
  const r = await sql<{ schema: string; table: string }>`
    select n.nspname as schema, c.relname as table ${ownTables} order by n.nspname, c.relname`.execute(db);
  return r.rows;
}

/** Rows in each of the program's tables, keyed `table` (or `schema.table` outside `public`). */
export async function tableCounts(db: Kysely<Schema>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { schema, table } of await ownTableNames(db)) {
    const r = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(`${schema}.${table}`)}`.execute(db);
    counts[schema === 'public' ? table : `${schema}.${table}`] = Number(r.rows[0]!.n);
  }
  return counts;
}

/** The newest entry of the audit chain, or undefined when the log is empty. */
export async function auditHead(db: Kysely<Schema>): Promise<{ seq: number; hash: string } | undefined> {
  const r = await sql<{ seq: number; hash: string }>`
    select seq::int as seq, hash from audit_log order by seq desc limit 1`.execute(db);
  return r.rows[0];
}

/** Names the snapshot of the current (repeatable read) transaction, for pg_dump --snapshot. */
export async function exportSnapshot(trx: Kysely<Schema>): Promise<string> {
  const r = await sql<{ id: string }>`select pg_export_snapshot() as id`.execute(trx);
  return r.rows[0]!.id;
}

/** Writes dirty pages to the data files, so a copy of the folder needs little recovery. */
export async function checkpoint(db: Kysely<Schema>): Promise<void> {
  await sql`checkpoint`.execute(db);
}

/**
 * The database tools used for a PostgreSQL backup: pg_dump and pg_restore from the client
 * package of the same major version as the server. The password travels in PGPASSWORD, not on
 * the command line where `ps` would show it.
 */
export function runPgTool(tool: 'pg_dump' | 'pg_restore', url: string, args: string[]): Promise<void> {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(tool, [...args, `--dbname=${u.toString()}`], {
      env: childEnvironment(password ? { PGPASSWORD: password } : {}),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('error', (err) => rejectRun(new Problem('backup.tool_failed', { tool, detail: err.message })));
    child.on('close', (code) => {
      if (code === 0) resolveRun();
      else rejectRun(new Problem('backup.tool_failed', { tool, detail: stderr.trim().slice(-2000) }));
    });
  });
}

/** pg_dump of the snapshot `snapshot` (custom format: compressed, restored table by table). */
export function pgDump(url: string, snapshot: string, file: string): Promise<void> {
  return runPgTool('pg_dump', url, [
    '--format=custom',
    '--no-owner',
    '--no-privileges',
    `--snapshot=${snapshot}`,
    `--file=${file}`,
  ]);
}

/** pg_restore into an empty database, all or nothing. */
export function pgRestore(url: string, file: string): Promise<void> {
  return runPgTool('pg_restore', url, [
    '--no-owner',
    '--no-privileges',
    '--exit-on-error',
    '--single-transaction',
    file,
  ]);
}

/** Creates the embedded database's folder from a data-folder tarball made by dumpDataDir(). */
export async function loadPgliteDataDir(dataDir: string, tarball: Blob): Promise<void> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { postgis } = await import('@electric-sql/pglite-postgis');
  const pglite = await PGlite.create({ dataDir, loadDataDir: tarball, extensions: { postgis } });
  await pglite.close();
}
