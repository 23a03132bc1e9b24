import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { connect, type Database } from '../../../src/db/connect.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { buildApp } from '../../../src/http/app.ts';
import { createUser } from '../../../src/services/auth.ts';

/**
 * One migrated database for the whole integration run (the files run in one process, one after
 * another): PostgreSQL when TEST_DATABASE_URL is set, else PGlite in a fresh temporary folder.
 * Tests create their own records and never assume an empty register.
 */
let shared: Promise<Database> | undefined;

export function testDatabase(): Promise<Database> {
  shared ??= (async () => {
    const url = process.env.TEST_DATABASE_URL;
    const database = await connect(
      url ? { url } : { dataDir: mkdtempSync(join(tmpdir(), 'safeground-test-')) },
    );
    if (url) await resetPostgres(database);
    await migrate(database);
    return database;
  })();
  return shared;
}

/** A clean schema on a shared test server, so each run starts from the migrations. */
async function resetPostgres(database: Database) {
  await database.execScript(`
    DROP SCHEMA IF EXISTS public CASCADE;
    CREATE SCHEMA public;
    CREATE EXTENSION IF NOT EXISTS postgis;`);
}

export function testDatabaseKind(): 'pglite' | 'postgresql' {
  return process.env.TEST_DATABASE_URL ? 'postgresql' : 'pglite';
}

/** The personal-data key file of the test application (a temporary folder, never the repository). */
const keyFile = join(mkdtempSync(join(tmpdir(), 'safeground-key-')), 'safeground.key');
export function testKeyFile(): string {
  return keyFile;
}

let appPromise: Promise<FastifyInstance> | undefined;
export async function testApp(): Promise<FastifyInstance> {
  appPromise ??= (async () => {
    const database = await testDatabase();
    const app = await buildApp({
      database,
      settings: { attachmentsDir: mkdtempSync(join(tmpdir(), 'safeground-att-')), keyFile },
    });
    await app.ready();
    return app;
  })();
  return appPromise;
}

let counter = 0;
/** A unique suffix for emails and names within one run. */
export function unique(prefix = 'x'): string {
  counter++;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

const tokens = new Map<string, string>();
/**
 * Signs in a named fixture user of the given role (created on first use) and returns headers
 * with its bearer token: `await login('admin')`.
 */
export async function login(
  role:
    | 'admin'
    | 'approver'
    | 'qa_officer'
    | 'analyst'
    | 'operator_manager'
    | 'operator_data_entry'
    | 'viewer' = 'admin',
  opts: { organisationId?: string; name?: string } = {},
): Promise<Record<string, string>> {
  const key = `${opts.name ?? role}:${opts.organisationId ?? ''}`;
  let token = tokens.get(key);
  if (!token) {
    const database = await testDatabase();
    const app = await testApp();
    const email = `${unique(opts.name ?? role)}@test.safeground.org`;
    const password = 'Test-password-1';
    await createUser(database, { email, password, role, organisationId: opts.organisationId ?? null });
    const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    if (r.statusCode !== 200) throw new Error(`login failed: ${r.body}`);
    token = r.json().token as string;
    tokens.set(key, token);
  }
  return { authorization: `Bearer ${token}` };
}
