import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { connect, type Database } from '../../../src/db/connect.ts';
import { buildApp } from '../../../src/http/app.ts';
import { createUser } from '../../../src/services/auth.ts';
import { createDatabase, databaseName, dropDatabase, type TestTemplate } from './template.ts';

/**
 * Each integration test file has a migrated database of its own, a copy of the run's template
 * (helpers/global-setup.ts): on PostgreSQL (TEST_DATABASE_URL set) a new database on that server,
 * else PGlite in a temporary folder. Files run in parallel and in any order; what one file writes
 * no other file sees. Everything made here is closed and removed when the file ends
 * (helpers/setup.ts calls closeTestDatabases).
 */
let own: Promise<{ database: Database; url?: string }> | undefined;

export function testDatabase(): Promise<Database> {
  return fileDatabase().then((f) => f.database);
}

/** On PostgreSQL, the URL of this file's database, for a child process to open the same one. */
export async function testDatabaseUrl(): Promise<string> {
  const { url } = await fileDatabase();
  if (!url) throw new Error('the test database is PGlite: it has no URL');
  return url;
}

function fileDatabase() {
  own ??= (async () => {
    const { server } = template();
    if (server) {
      const url = await newServerDatabase(server.url, server.name);
      return { database: await open({ url }), url };
    }
    return { database: await open({ dataDir: testDataDir() }) };
  })();
  return own;
}

/**
 * A database with no migration applied (the migration tests apply them step by step): a new
 * database on the PostgreSQL server, else PGlite in a new folder. Closed when the file ends.
 */
export async function emptyTestDatabase(): Promise<Database> {
  const { server } = template();
  if (server) return open({ url: await newServerDatabase(server.url) });
  return open({ dataDir: tempDir('safeground-test-') });
}

/**
 * A migrated PGlite data folder, a copy of the template, for a process of the test's own on the
 * embedded database (the CLI, a server, a child killed mid-way), on PostgreSQL runs too. Removed
 * when the file ends.
 */
export function testDataDir(): string {
  const dir = tempDir('safeground-test-');
  cpSync(template().dataDir, dir, { recursive: true });
  return dir;
}

export function testDatabaseKind(): 'pglite' | 'postgresql' {
  return process.env.TEST_DATABASE_URL ? 'postgresql' : 'pglite';
}

/** What the file made, undone in reverse order when it ends. */
const cleanups: Array<() => Promise<void> | void> = [];

/** Closes the file's application and databases and removes its databases and folders. */
export async function closeTestDatabases(): Promise<void> {
  const errors: unknown[] = [];
  for (const undo of cleanups.splice(0).reverse()) {
    try {
      await undo();
    } catch (e) {
      errors.push(e);
    }
  }
  own = undefined;
  appPromise = undefined;
  tokens.clear();
  if (errors.length) throw errors[0];
}

function template(): TestTemplate {
  const t = inject('testTemplate');
  if (!t) throw new Error('no template database: run the integration tests through vitest.config.ts');
  return t;
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function newServerDatabase(serverUrl: string, templateName?: string): Promise<string> {
  const name = databaseName(`safeground_test_${process.env.VITEST_POOL_ID ?? '0'}`);
  const url = await createDatabase(serverUrl, name, templateName);
  cleanups.push(() => dropDatabase(serverUrl, name));
  return url;
}

async function open(opts: { url?: string; dataDir?: string }): Promise<Database> {
  const database = await connect(opts);
  cleanups.push(() => database.close());
  return database;
}

/** The personal-data key file of the test application (a temporary folder, never the repository). */
const keyFile = join(tempDir('safeground-key-'), 'safeground.key');
export function testKeyFile(): string {
  return keyFile;
}

let appPromise: Promise<FastifyInstance> | undefined;
export async function testApp(): Promise<FastifyInstance> {
  appPromise ??= (async () => {
    const database = await testDatabase();
    const app = await buildApp({
      database,
      settings: { attachmentsDir: tempDir('safeground-att-'), keyFile },
    });
    cleanups.push(() => app.close());
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
