import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/server.ts';
import { login, testApp, testDatabase, testDatabaseKind, testKeyFile } from './helpers/db.ts';

/**
 * No input is a 500: a bounded fuzz test derived from the OpenAPI document. For every operation
 * (method and path) it declares, and for the tile and OGC API routes, requests carry odd values
 * in every declared path parameter, query parameter and body field and in undeclared ones
 * (control characters, U+202E, 10 000-character strings, negative, huge, fractional and
 * non-numeric numbers, empty strings, arrays for scalars, invalid UTF-8 and JSON, wrong content
 * types), signed in as an administrator (so that authorisation does not hide validation) and
 * anonymously; and each operation gets a body nested 100 000 levels deep. Any 5xx fails the test,
 * which lists every request that caused one.
 *
 * Bounded: a fixed seed and 2 × RUNS cases per operation, each signed in as the administrator or
 * anonymous at random (about half each), plus one 100 000-level body per operation: the file's
 * tests took 107 s on a 2-core machine under a load of 14, well under three minutes when quiet.
 */
const SEED = 20261206;
const RUNS = 12;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Schema = Record<string, any>;
interface Operation {
  method: Method;
  path: string;
  pathParams: string[];
  query: Array<{ name: string; schema: Schema }>;
  body?: Schema;
}

let server: FastifyInstance;
let admin: Record<string, string>;
let operations: Operation[] = [];
let components: Record<string, Schema> = {};

const UUID = '00000000-0000-4000-8000-000000000000';
const LONG = 'x'.repeat(10_000);

/** Odd strings, as the caller means them (encoded before they go into a URL). */
const ODD_STRINGS = [
  '',
  '\u0000',
  'a\u0000b',
  '\u0001\u001f\u007f',
  '\t\r\n',
  '\u202e',
  'abc\u202edef',
  LONG,
  '-1',
  '-0',
  '0',
  '0.5',
  '-2.5',
  '1e309',
  '-1e309',
  '99999999999999999999999999',
  '2147483648',
  '9007199254740993',
  'NaN',
  'Infinity',
  'abc',
  'true',
  'null',
  '[]',
  '{}',
  '%',
  '../../../etc/passwd',
  "' or 1=1 --",
  UUID,
  '2025-02-30',
  '10000-01-01',
  '0000-00-00',
  '\ufeff',
  '😀',
  'ü',
];

/** Odd sequences already percent-encoded: invalid UTF-8, overlong encodings, an encoded NUL. */
const RAW_ENCODED = ['%FF', '%C0%80', '%ED%A0%80', '%00', '%E2%80%AE', '%', '%zz', '%F4%90%80%80'];

function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80'; // a lone surrogate: its (invalid) UTF-8
  }
}

const oddString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);
/** A value for a URL: encoded odd string, or a raw odd encoding. */
const oddUrlValue = fc.oneof(
  { weight: 4, arbitrary: oddString.map(encode) },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_ENCODED) },
);

const ODD_NUMBERS = [
  -1,
  0,
  -0,
  0.5,
  -2.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  2 ** 31,
  -(2 ** 31) - 1,
  1e-320,
  123456789012,
];
const oddJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: oddString },
  { weight: 3, arbitrary: fc.constantFrom(...ODD_NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(true, false, null, [], {}, [[]], { a: null }) },
  { weight: 1, arbitrary: fc.array(oddString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...ODD_NUMBERS), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(oddString, oddString, { maxKeys: 2 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

function resolve(schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) {
    s = components[s.$ref.split('/').pop()!] ?? {};
  }
  return s;
}

/** A plausible value of a schema (the first choice of every union), for a mutation to spoil. */
function sample(schema: Schema | undefined, depth = 0): unknown {
  const s = resolve(schema);
  if (depth > 8) return null;
  if (s.enum?.length) return s.enum[0];
  if (s.const !== undefined) return s.const;
  const union = s.anyOf ?? s.oneOf;
  if (union?.length) {
    const first = union.map(resolve).find((x: Schema) => x.type !== 'null' && !x.nullable) ?? union[0];
    return sample(first, depth + 1);
  }
  if (s.allOf?.length) return Object.assign({}, ...s.allOf.map((x: Schema) => sample(x, depth + 1)));
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'string':
      if (s.format === 'uuid') return UUID;
      if (s.format === 'date') return '2025-06-01';
      if (s.format === 'date-time') return '2025-06-01T10:00:00Z';
      if (s.format === 'email') return 'someone@example.org';
      return 'a'.repeat(Math.max(1, s.minLength ?? 1));
    case 'integer':
    case 'number':
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? Number(s.exclusiveMinimum) + 1 : 1);
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(s.items, depth + 1));
    default: {
      if (!s.properties) return type === 'object' ? {} : 'a';
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties as Record<string, Schema>)) {
        out[k] = sample(v, depth + 1);
      }
      return out;
    }
  }
}

/** The JSON pointers (as key lists) of every value inside `v`, the root included. */
function pointers(v: unknown, at: string[] = [], out: string[][] = []): string[][] {
  out.push(at);
  if (v && typeof v === 'object') {
    for (const [k, child] of Object.entries(v)) pointers(child, [...at, k], out);
  }
  return out;
}

function setAt(root: unknown, at: string[], value: unknown): unknown {
  if (!at.length) return value;
  if (!root || typeof root !== 'object') return root;
  const copy = structuredClone(root) as Record<string, unknown>;
  let node = copy;
  for (const k of at.slice(0, -1)) {
    // An earlier mutation replaced this branch: the pointer leads nowhere now.
    if (!node[k] || typeof node[k] !== 'object') return root;
    node = node[k] as Record<string, unknown>;
  }
  node[at[at.length - 1]!] = value;
  return copy;
}

const WRONG_TYPES = [
  'text/plain',
  'application/xml',
  'multipart/form-data',
  'multipart/form-data; boundary=xyz',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin1',
  'application/geo+json',
  'application/octet-stream',
  '',
  '\u00ff/\u00ff',
];
const RAW_BODIES: Array<string | Buffer> = [
  '{"a":',
  '{"a":1}}',
  "{'a':1}",
  '',
  ' ',
  'null',
  '\u0000',
  '{"\u0000":"\u0000"}',
  '{"a":"\\u0000"}',
  '{"__proto__":{"x":1}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
  Buffer.from([0xc0, 0x80]),
];

interface Case {
  admin: boolean;
  path: string[];
  query: Array<[string, string[]]>;
  body:
    | { kind: 'none' }
    | { kind: 'mutated'; mutations: Array<[number, unknown]>; extra: unknown }
    | { kind: 'whole'; value: unknown }
    | { kind: 'raw'; raw: string | Buffer; type: string }
    | { kind: 'wrong-type'; type: string };
}

function caseArbitrary(op: Operation): fc.Arbitrary<Case> {
  const queryNames = [...op.query.map((q) => q.name), 'undeclared', 'lang'];
  const bodies: Array<fc.Arbitrary<Case['body']>> = [
    fc.record({
      kind: fc.constant('mutated' as const),
      mutations: fc.array(fc.tuple(fc.nat(), oddJson), { minLength: 1, maxLength: 3 }),
      extra: oddJson,
    }),
    fc.record({ kind: fc.constant('whole' as const), value: oddJson }),
    fc.record({
      kind: fc.constant('raw' as const),
      raw: fc.constantFrom(...RAW_BODIES),
      type: fc.constantFrom('application/json', 'application/json; charset=utf-8'),
    }),
    fc.record({ kind: fc.constant('wrong-type' as const), type: fc.constantFrom(...WRONG_TYPES) }),
  ];
  return fc.record({
    admin: fc.boolean(),
    path: fc.tuple(...op.pathParams.map(() => oddUrlValue)),
    query: fc.array(
      fc.tuple(fc.constantFrom(...queryNames), fc.array(oddUrlValue, { minLength: 1, maxLength: 2 })),
      { maxLength: 4 },
    ),
    body:
      op.method === 'GET' || op.method === 'DELETE'
        ? fc.oneof({ weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) }, ...bodies)
        : fc.oneof({ weight: 3, arbitrary: bodies[0]! }, ...bodies.slice(1)),
  }) as fc.Arbitrary<Case>;
}

function requestOf(op: Operation, c: Case) {
  let i = 0;
  const url =
    op.path.replace(/\{[^}]+\}/g, () => c.path[i++] ?? '') +
    (c.query.length ? `?${c.query.flatMap(([k, vs]) => vs.map((v) => `${k}=${v}`)).join('&')}` : '');
  const headers: Record<string, string> = c.admin ? { ...admin } : {};
  let payload: string | Buffer | undefined;
  switch (c.body.kind) {
    case 'mutated': {
      let body: unknown = sample(op.body) ?? {};
      const at = pointers(body);
      for (const [n, value] of c.body.mutations) body = setAt(body, at[n % at.length]!, value);
      if (body && typeof body === 'object' && !Array.isArray(body))
        body = { ...body, undeclared: c.body.extra };
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
      break;
    }
    case 'whole':
      payload = JSON.stringify(c.body.value) ?? 'null';
      headers['content-type'] = 'application/json';
      break;
    case 'raw':
      payload = c.body.raw;
      headers['content-type'] = c.body.type;
      break;
    case 'wrong-type':
      payload = 'a=1&b=\u0000';
      if (c.body.type) headers['content-type'] = c.body.type;
      break;
  }
  return { method: op.method, url, headers, payload };
}

function describeRequest(r: ReturnType<typeof requestOf>): string {
  const shown = (s: string) => JSON.stringify(s.length > 300 ? `${s.slice(0, 300)}…(${s.length})` : s);
  const body =
    r.payload === undefined
      ? ''
      : ` body=${Buffer.isBuffer(r.payload) ? `bytes:${r.payload.toString('hex')}` : shown(r.payload)}`;
  return `${r.method} ${shown(r.url)} ${r.headers.authorization ? 'admin' : 'anonymous'} type=${r.headers['content-type'] ?? '-'}${body}`;
}

async function send(r: ReturnType<typeof requestOf>, failures: string[]) {
  let res: Awaited<ReturnType<FastifyInstance['inject']>>;
  try {
    res = await server.inject({
      method: r.method,
      url: r.url,
      headers: r.headers,
      ...(r.payload !== undefined ? { payload: r.payload } : {}),
    });
  } catch (err) {
    failures.push(`${describeRequest(r)} → threw ${String(err)}`);
    return;
  }
  if (res.statusCode >= 500) {
    failures.push(`${describeRequest(r)} → ${res.statusCode} ${res.body.slice(0, 300)}`);
  }
}

/** Operations the document does not list (tiles and OGC API routes hidden from it), as paths. */
const EXTRA: Array<[Method, string]> = [
  ['GET', '/tiles/layers.json'],
  ['GET', '/tiles/{layer}/{z}/{x}/{y}'],
  ['GET', '/tiles/hazards/{z}/{x}/{y}'],
  ['GET', '/ogc'],
  ['GET', '/ogc/conformance'],
  ['GET', '/ogc/api'],
  ['GET', '/ogc/collections/{collectionId}/schema'],
  ['GET', '/ogc/collections/{collectionId}/feature-schema'],
  ['GET', '/ogc/collections/{collectionId}/queryables'],
  ['GET', '/ogc/collections/hazards/queryables'],
  ['GET', '/ogc/collections'],
  ['GET', '/ogc/collections/{collectionId}'],
  ['GET', '/ogc/collections/{collectionId}/items'],
  ['GET', '/ogc/collections/hazards/items'],
  ['GET', '/ogc/collections/{collectionId}/items/{featureId}'],
  ['GET', '/ogc/collections/hazards/items/{featureId}'],
  ['GET', '/api/v1/openapi.json'],
];
const OGC_QUERY = ['bbox', 'limit', 'offset', 'datetime', 'f', 'crs', 'bbox-crs', 'filter', 'properties'];

beforeAll(async () => {
  await testApp();
  server = await buildServer({
    database: await testDatabase(),
    settings: { attachmentsDir: mkdtempSync(join(tmpdir(), 'safeground-att-')), keyFile: testKeyFile() },
  });
  await server.ready();
  admin = await login('admin');
  const doc = (await server.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
  components = doc.components?.schemas ?? {};
  const seen = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = (op.parameters ?? []) as Schema[];
      operations.push({
        method: method.toUpperCase() as Method,
        path,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        body: op.requestBody?.content?.['application/json']?.schema,
      });
      seen.add(`${method.toUpperCase()} ${path}`);
    }
  }
  for (const [method, path] of EXTRA) {
    if (seen.has(`${method} ${path}`)) continue;
    operations.push({
      method,
      path,
      pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
      query: path.startsWith('/ogc') ? OGC_QUERY.map((name) => ({ name, schema: {} })) : [],
    });
  }
  // Signing out as the administrator would end the session the other cases use.
  operations = operations.filter((o) => !(o.method === 'POST' && o.path === '/api/v1/auth/logout'));
});

afterAll(async () => {
  await server?.close();
});

describe(`no input is a 500, on ${testDatabaseKind()}`, () => {
  it('reads every operation from the OpenAPI document, with the tile and OGC API routes', () => {
    expect(operations.length).toBeGreaterThan(40);
    expect(operations.some((o) => o.path.startsWith('/tiles/'))).toBe(true);
    expect(operations.some((o) => o.path.startsWith('/ogc/collections'))).toBe(true);
  });

  it(`answers ${2 * RUNS} odd requests per operation, as the administrator and anonymously, without a 5xx`, async () => {
    const failures: string[] = [];
    for (const [n, op] of operations.entries()) {
      const cases = fc.sample(caseArbitrary(op), { seed: SEED + n, numRuns: RUNS * 2 });
      for (const c of cases) await send(requestOf(op, c), failures);
    }
    expect(failures).toEqual([]);
  });

  it('answers a body nested 100 000 levels deep (an object or an array) to every operation without a 5xx', async () => {
    const failures: string[] = [];
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const deepArray = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const [n, op] of operations.entries()) {
      const url = op.path.replace(/\{[^}]+\}/g, UUID);
      const headers = { ...admin, 'content-type': 'application/json' };
      await send({ method: op.method, url, headers, payload: n % 2 ? deepArray : deep }, failures);
    }
    expect(failures).toEqual([]);
  });

  describe('the faults it found, each as a named case', () => {
    const post = (url: string, body: unknown, headers = admin) =>
      server.inject({ method: 'POST', url, headers, payload: body as object });

    it('refuses NUL in a body value with a coded 400 that points at it, before the record is checked', async () => {
      for (const [url, body, pointer] of [
        [
          '/api/v1/settlements',
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [46.9, 39.9] },
            properties: { name: 'Nul\u0000town', kind: 'city' },
          },
          '/properties/name',
        ],
        ['/api/v1/casualties', { accidentId: 'a\u0000b', outcome: 'killed' }, '/accidentId'],
        [
          '/api/v1/risk-education',
          { type: 'Feature', geometry: null, properties: { settlementId: ['x', 'a\u0000b'] } },
          '/properties/settlementId/1',
        ],
        ['/api/v1/organisations', { name: 'Org', kind: 'ngo', 'odd\u0000key': 1 }, '/odd\u0000key'],
      ] as const) {
        const r = await post(url, body);
        expect(r.statusCode, r.body).toBe(400);
        expect(r.json()).toMatchObject({ code: 'validation.nul_character', pointer });
        const ru = await post(`${url}?lang=ru`, body);
        expect(ru.json().detail).toContain('NUL');
      }
    });

    it('still answers who may do it first: anonymous NUL is a 401', async () => {
      const r = await post('/api/v1/organisations', { name: 'a\u0000b', kind: 'ngo' }, {});
      expect(r.statusCode).toBe(401);
    });

    it('keeps tabs and line breaks in a body as ordinary text', async () => {
      const r = await post('/api/v1/organisations', { name: 'Tab\tand\nbreak', kind: 'ngo' });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json().name ?? r.json().properties?.name).toBe('Tab\tand\nbreak');
    });

    it('signs in only with a body of the declared shape, as a coded 400', async () => {
      const r = await post('/api/v1/auth/login', { email: 1, password: ['x'] }, {});
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().code).toMatch(/^validation\./);
      const wrong = await post('/api/v1/auth/login', { email: 'nobody@example.org', password: 'x' }, {});
      expect(wrong.statusCode).toBe(401);
    });
  });
});
