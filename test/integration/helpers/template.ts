import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { connect } from '../../../src/db/connect.ts';
import { migrate } from '../../../src/db/migrate.ts';

/**
 * The migrated databases every integration test file starts from, made once per run by the
 * project's globalSetup: a closed PGlite data folder that files copy (migrating and loading PostGIS
 * into a new folder takes tens of seconds; opening a copy, a few), always, since the CLI and server
 * tests run child processes on the embedded database; and with TEST_DATABASE_URL a database on
 * that server that each file's own database is created from (`CREATE DATABASE … TEMPLATE`).
 */
export interface TestTemplate {
  dataDir: string;
  server?: { url: string; name: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    testTemplate: TestTemplate;
  }
}

/** A name for a database of this run: `safeground_test_<worker>_<random>`. */
export function databaseName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** The URL of database `name` on the server of `url` (same user, host and parameters). */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs one statement on the server's database named in `url` (CREATE and DROP DATABASE). */
export async function serverStatement(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Creates an empty database on the server of `url` and returns its URL. */
export async function createDatabase(url: string, name: string, template?: string): Promise<string> {
  await serverStatement(url, `CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  return databaseUrl(url, name);
}

/** Drops a database of this run, closing what is still connected to it (a killed child's session). */
export function dropDatabase(url: string, name: string): Promise<void> {
  return serverStatement(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** Makes the migrated templates: the data folder, and on the server of `url` when given. */
export async function makeTemplate(url: string | undefined): Promise<TestTemplate> {
  const [dataDir, server] = await Promise.all([migratedFolder(), url ? serverTemplate(url) : undefined]);
  return { dataDir, ...(server ? { server } : {}) };
}

async function migratedFolder(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'safeground-template-'));
  const database = await connect({ dataDir });
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
  return dataDir;
}

async function serverTemplate(url: string): Promise<{ url: string; name: string }> {
  const name = databaseName('safeground_template');
  const database = await connect({ url: await createDatabase(url, name) });
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
  return { url, name };
}

export async function removeTemplate(template: TestTemplate): Promise<void> {
  rmSync(template.dataDir, { recursive: true, force: true });
  if (template.server) await dropDatabase(template.server.url, template.server.name);
}
