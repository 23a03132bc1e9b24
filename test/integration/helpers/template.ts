import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { connect } from '../../../src/db/connect.ts';
import { migrate } from '../../../src/db/migrate.ts';

/**
 * The migrated database every integration test file starts from, made once per run by the
 * project's globalSetup: on PostgreSQL a database that each file's own database is created from
 * (`CREATE DATABASE … TEMPLATE`), on PGlite a closed data folder that each file copies (migrating
 * and loading PostGIS into a new folder takes tens of seconds; opening a copy, a few).
 */
export type TestTemplate =
  | { kind: 'postgresql'; url: string; name: string }
  | { kind: 'pglite'; dataDir: string };

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

/** Makes the migrated template: on the server of `url` when given, else in a temporary folder. */
export async function makeTemplate(url: string | undefined): Promise<TestTemplate> {
  if (url) {
    const name = databaseName('safeground_template');
    const templateUrl = await createDatabase(url, name);
    const database = await connect({ url: templateUrl });
    try {
      await migrate(database);
    } finally {
      await database.close();
    }
    return { kind: 'postgresql', url, name };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'safeground-template-'));
  const database = await connect({ dataDir });
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
  return { kind: 'pglite', dataDir };
}

export async function removeTemplate(template: TestTemplate): Promise<void> {
  if (template.kind === 'postgresql') await dropDatabase(template.url, template.name);
  else rmSync(template.dataDir, { recursive: true, force: true });
}
