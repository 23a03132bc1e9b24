// Checks that web/src/api/schema.generated.ts is what openapi-typescript makes of the OpenAPI
// document `safeground serve` publishes at /api/v1/openapi.json (run by `npm run lint`), or
// rewrites it:
//
//   node bin/run-ts.js scripts/check-api-schema.ts           # exit 1 when the file is stale
//   node bin/run-ts.js scripts/check-api-schema.ts --write   # npm run api:types
//
// The document is built from the route schemas without a database: the application is
// assembled as `serve` assembles it (core API, tiles, OGC API, the web application's fallback
// route) on a Kysely instance whose driver answers every statement with no rows.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import {
  CamelCasePlugin,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { parseSettings } from '../src/config.ts';
import type { Database, DB } from '../src/db/connect.ts';
import { buildServer } from '../src/http/server.ts';

export const GENERATED_FILE = fileURLToPath(new URL('../web/src/api/schema.generated.ts', import.meta.url));
const HEADER = '// Generated from /api/v1/openapi.json by web/scripts/gen-api-types.ts; do not edit by hand.\n';

/** A database that is never reached: every statement (e.g. a plugin's start-up clean-up) finds nothing. */
function noDatabase(): Database {
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })],
  });
  return {
    kind: 'postgresql',
    db,
    reader: () => db,
    wrote: async () => {},
    replicas: () => [],
    checkReplicas: async () => {},
    execScript: async () => {},
    close: () => db.destroy(),
  };
}

/** The OpenAPI document `safeground serve` publishes, with the default settings. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const database = noDatabase();
  // The web application's fallback route is in the served document; it needs only an index.html.
  const distDir = mkdtempSync(join(tmpdir(), 'safeground-openapi-'));
  writeFileSync(join(distDir, 'index.html'), '<!doctype html>\n');
  // Default settings, whatever the environment says; a secret so that no key file is made.
  const settings = { ...parseSettings({}), secret: 'openapi-document-only' };
  let app: FastifyInstance | undefined;
  try {
    app = await buildServer({ database, settings, distDir });
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`GET /api/v1/openapi.json answered ${res.statusCode}`);
    return res.json();
  } finally {
    await app?.close();
    await database.close();
    rmSync(distDir, { recursive: true, force: true });
  }
}

/** The text of schema.generated.ts for an OpenAPI document (as web/scripts/gen-api-types.ts writes it). */
export async function apiTypes(document: Record<string, unknown>): Promise<string> {
  // openapi-typescript takes the document as an object and may annotate it; give it a copy.
  const ast = await openapiTS(structuredClone(document) as unknown as OpenAPI3, {
    alphabetize: true,
  });
  return HEADER + astToString(ast);
}

/**
 * Whether `committed` (the text of schema.generated.ts) is what `document` gives; when not, the
 * first line that differs, to show.
 */
export async function compareApiTypes(
  document: Record<string, unknown>,
  committed: string,
): Promise<{ upToDate: true } | { upToDate: false; line: number; expected: string; found: string }> {
  const fresh = await apiTypes(document);
  if (fresh === committed) return { upToDate: true };
  const a = fresh.split('\n');
  const b = committed.split('\n');
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return { upToDate: false, line: i + 1, expected: a[i] ?? '(end of file)', found: b[i] ?? '(end of file)' };
}

async function main(write: boolean): Promise<number> {
  const document = await openApiDocument();
  if (write) {
    writeFileSync(GENERATED_FILE, await apiTypes(document));
    console.log(`wrote ${GENERATED_FILE}`);
    return 0;
  }
  const result = await compareApiTypes(document, readFileSync(GENERATED_FILE, 'utf8'));
  if (result.upToDate) return 0;
  console.error(
    `web/src/api/schema.generated.ts does not match the API's OpenAPI document (line ${result.line}):\n` +
      `  expected: ${result.expected}\n  found:    ${result.found}\n` +
      'Run `npm run api:types` and commit the result.',
  );
  return 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.exitCode = await main(process.argv.includes('--write'));
}
