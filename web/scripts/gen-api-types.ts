/**
 * Generates web/src/api/schema.generated.ts from the server's OpenAPI document with
 * openapi-typescript. The document is taken from a running server (SAFEGROUND_URL, default
 * http://localhost:8080) or from a file given as the first argument.
 *
 *   node bin/run-ts.js web/scripts/gen-api-types.ts [openapi.json]
 *
 * `npm run api:types` (scripts/check-api-schema.ts --write) does the same from the route schemas
 * without a running server, and `npm run lint` fails when the committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const out = fileURLToPath(new URL('../src/api/schema.generated.ts', import.meta.url));
const file = process.argv[2];
const base = (process.env.SAFEGROUND_URL ?? 'http://localhost:8080').replace(/\/$/, '');
const doc = file
  ? JSON.parse(readFileSync(file, 'utf8'))
  : await fetch(`${base}/api/v1/openapi.json`).then((r) => {
      if (!r.ok) throw new Error(`GET ${base}/api/v1/openapi.json: ${r.status}`);
      return r.json();
    });
const ast = await openapiTS(doc, { alphabetize: true });
const header = '// Generated from /api/v1/openapi.json by web/scripts/gen-api-types.ts; do not edit by hand.\n';
writeFileSync(out, header + astToString(ast));
console.log(`wrote ${out}`);
