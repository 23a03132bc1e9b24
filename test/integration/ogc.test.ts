import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTERS } from '../../src/domain/records.ts';
import { buildApp } from '../../src/http/app.ts';
import { ogcPlugin } from '../../src/http/ogc/index.ts';
import { login, testApp, testDatabase, testDatabaseKind } from './helpers/db.ts';

const run = promisify(execFile);

let ogc: FastifyInstance;
let admin: Record<string, string>;
let token: string;

/** Hazards of this file, in a region no other test uses, so counts can be computed here. */
const LON0 = 12.3;
const LAT0 = -31.7;
const SIDE = 0.01;
const STEP = 0.02;
interface MadeHazard {
  id: string;
  i: number;
  type: 'SHA' | 'CHA';
  status: 'open' | 'closed';
  date: string;
  box: [number, number, number, number];
}
const made: MadeHazard[] = [];
const madeFindings: Array<{ id: string; foundOn: string }> = [];
const REGION = [LON0 - 0.001, LAT0 - 0.001, LON0 + 23 * STEP + 0.001, LAT0 + SIDE + 0.001].join(',');

const square = (lon: number, lat: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon, lat],
      [lon + SIDE, lat],
      [lon + SIDE, lat + SIDE],
      [lon, lat + SIDE],
      [lon, lat],
    ],
  ],
});

async function get(url: string, headers: Record<string, string> = admin) {
  return ogc.inject({ method: 'GET', url, headers });
}

/** Path and query of an absolute link, to follow it through inject. */
const local = (href: string) => {
  const u = new URL(href);
  return u.pathname + u.search;
};

const linkOf = (doc: { links: Array<{ rel: string; href: string; type?: string }> }, rel: string) =>
  doc.links.find((l) => l.rel === rel);

/** The ids of a page's features, sorted. */
const featureIds = (page: { features: Array<{ id: string }> }) => page.features.map((f) => f.id).sort();
/** The ids of the features GDAL wrote to a GeoJSON file (GDAL keeps the id as a property). */
const copiedIds = (file: string) =>
  (JSON.parse(readFileSync(file, 'utf8')).features as Array<{ properties: { id: string } }>)
    .map((f) => f.properties.id)
    .sort();

/** URLs the OGC app was asked for, to see what GDAL sends to the server. */
const requested: string[] = [];
// Marked as fastify-plugin marks plugins, so the hook sees every route, not only its own plugin's.
const recordRequests = Object.assign(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      requested.push(request.url);
    });
  },
  { [Symbol.for('skip-override')]: true },
);

const intersects = (a: number[], b: number[]) =>
  a[0]! <= b[2]! && b[0]! <= a[2]! && a[1]! <= b[3]! && b[1]! <= a[3]!;

beforeAll(async () => {
  const database = await testDatabase();
  admin = await login('admin');
  token = admin.authorization!.slice('Bearer '.length);
  const rest = await testApp();
  for (let i = 0; i < 23; i++) {
    const lon = LON0 + i * STEP;
    const h = {
      i,
      type: i % 2 ? ('CHA' as const) : ('SHA' as const),
      status: i % 3 === 0 ? ('closed' as const) : ('open' as const),
      date: `2024-01-${String(i + 1).padStart(2, '0')}`,
      box: [lon, LAT0, lon + SIDE, LAT0 + SIDE] as [number, number, number, number],
    };
    const r = await rest.inject({
      method: 'POST',
      url: '/api/v1/hazards',
      headers: admin,
      payload: {
        type: 'Feature',
        geometry: square(lon, LAT0),
        properties: { type: h.type, status: h.status, dateOfInformation: h.date, deviceCategories: ['AP'] },
      },
    });
    if (r.statusCode !== 201) throw new Error(`hazard not created: ${r.body}`);
    made.push({ ...h, id: r.json().id });
  }
  for (let i = 0; i < 4; i++) {
    const foundOn = `2023-0${i + 1}-15`;
    const r = await rest.inject({
      method: 'POST',
      url: '/api/v1/findings',
      headers: admin,
      payload: {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [LON0 + i * STEP + 0.005, LAT0 + 0.005] },
        properties: { category: 'AP', foundOn, depthCm: 5 * i },
      },
    });
    if (r.statusCode !== 201) throw new Error(`finding not created: ${r.body}`);
    madeFindings.push({ id: r.json().id, foundOn });
  }
  ogc = await buildApp({ database, plugins: [(app) => ogcPlugin(app), recordRequests] });
  await ogc.ready();
});

afterAll(async () => {
  await ogc?.close();
});

describe(`OGC API - Features on ${testDatabaseKind()}`, () => {
  it('has a landing page linking itself, the API definition, conformance and the collections, with absolute links', async () => {
    const r = await get('/ogc', {});
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('application/json');
    const doc = r.json();
    expect(linkOf(doc, 'self')?.href).toBe('http://localhost:80/ogc');
    expect(linkOf(doc, 'service-desc')).toMatchObject({
      href: 'http://localhost:80/ogc/api',
      type: 'application/vnd.oai.openapi+json;version=3.0',
    });
    expect(linkOf(doc, 'conformance')?.href).toBe('http://localhost:80/ogc/conformance');
    expect(linkOf(doc, 'data')?.href).toBe('http://localhost:80/ogc/collections');
  });

  it('declares the core, GeoJSON and OpenAPI 3.0 conformance classes', async () => {
    const r = await get('/ogc/conformance', {});
    expect(r.statusCode).toBe(200);
    expect(r.json().conformsTo).toEqual(
      expect.arrayContaining([
        'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
        'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
        'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
      ]),
    );
  });

  it('serves an OpenAPI 3.0 definition with each collection’s property filters', async () => {
    const r = await get('/ogc/api', {});
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('application/vnd.oai.openapi+json;version=3.0');
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\.0\./);
    expect(doc.servers[0].url).toBe('http://localhost:80/ogc');
    const params = doc.paths['/collections/hazards/items'].get.parameters as Array<{
      name?: string;
      $ref?: string;
    }>;
    expect(params.map((p) => p.name).filter(Boolean)).toEqual(
      expect.arrayContaining(['status', 'type', 'dateOfInformation', 'q']),
    );
    expect(params.map((p) => p.$ref).filter(Boolean)).toEqual(
      expect.arrayContaining(['#/components/parameters/limit', '#/components/parameters/bbox']),
    );
    expect(doc.components.parameters.limit.schema).toMatchObject({
      minimum: 1,
      maximum: 10000,
      default: 100,
    });
    for (const p of Object.values(doc.paths) as Array<{ get: { parameters?: Array<{ $ref?: string }> } }>) {
      for (const ref of (p.get.parameters ?? []).map((x) => x.$ref).filter(Boolean)) {
        expect(doc.components.parameters[ref!.split('/').pop()!], ref).toBeDefined();
      }
    }
  });

  it('refuses the collections without a signed-in user and says how to authenticate', async () => {
    const r = await get('/ogc/collections', {});
    expect(r.statusCode).toBe(401);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(r.json().code).toBe('auth.required');
  });

  it('lists every register with a geometry as a collection, and no other', async () => {
    const r = await get('/ogc/collections');
    expect(r.statusCode).toBe(200);
    const ids = (r.json().collections as Array<{ id: string }>).map((c) => c.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'hazards',
        'land-release',
        'findings',
        'accidents',
        'settlements',
        'admin-areas',
        'activities',
        'risk-education',
      ]),
    );
    expect(ids.sort()).toEqual(
      REGISTERS.filter((d) => d.geometry)
        .map((d) => d.slug)
        .sort(),
    );
    expect(ids).not.toContain('casualties');
    if (REGISTERS.some((d) => d.slug === 'minefield-records' && d.geometry))
      expect(ids).toContain('minefield-records');
    for (const c of r.json().collections) {
      expect(c.itemType).toBe('feature');
      expect(c.crs).toEqual(['http://www.opengis.net/def/crs/OGC/1.3/CRS84']);
      expect(linkOf(c, 'items')).toMatchObject({ type: 'application/geo+json' });
      expect(linkOf(c, 'describedby')?.href).toMatch(new RegExp(`/ogc/collections/${c.id}/schema$`));
      expect(linkOf(c, 'http://www.opengis.net/def/rel/ogc/1.0/queryables')?.href).toMatch(/\/queryables$/);
    }
  });

  it('gives a collection’s extent from its data: the bounding box and the span of its dates', async () => {
    const r = await get('/ogc/collections/hazards');
    expect(r.statusCode).toBe(200);
    const [minX, minY, maxX, maxY] = r.json().extent.spatial.bbox[0] as number[];
    const ours = [
      Math.min(...made.map((h) => h.box[0])),
      LAT0,
      Math.max(...made.map((h) => h.box[2])),
      LAT0 + SIDE,
    ];
    expect(minX).toBeLessThanOrEqual(ours[0]!);
    expect(minY).toBeLessThanOrEqual(ours[1]!);
    expect(maxX).toBeGreaterThanOrEqual(ours[2]! - 1e-9);
    expect(maxY).toBeGreaterThanOrEqual(ours[3]! - 1e-9);
    const [start, end] = r.json().extent.temporal.interval[0] as string[];
    expect(start! <= `${made[0]!.date}T00:00:00Z`).toBe(true);
    expect(end! >= `${made.at(-1)!.date}T00:00:00Z`).toBe(true);
  });

  it('answers 404 with ogc.collection_unknown for a register without geometry or an unknown name', async () => {
    for (const id of ['casualties', 'no-such-thing']) {
      const r = await get(`/ogc/collections/${id}/items`);
      expect(r.statusCode).toBe(404);
      expect(r.json().code).toBe('ogc.collection_unknown');
    }
  });

  it('pages through a known number of features by next links, each page GeoJSON with counts and a time stamp', async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let url: string | undefined = `/ogc/collections/hazards/items?bbox=${REGION}&limit=10`;
    let pages = 0;
    while (url && pages < 10) {
      const r = await get(url);
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toContain('application/geo+json');
      const page = r.json();
      expect(page.type).toBe('FeatureCollection');
      expect(page.numberMatched).toBe(made.length);
      expect(page.numberReturned).toBe(page.features.length);
      expect(Number.isNaN(Date.parse(page.timeStamp))).toBe(false);
      expect(linkOf(page, 'self')).toBeDefined();
      if (pages > 0) expect(linkOf(page, 'prev')).toBeDefined();
      sizes.push(page.features.length);
      seen.push(...page.features.map((f: { id: string }) => f.id));
      const next = linkOf(page, 'next');
      url = next ? local(next.href) : undefined;
      pages++;
    }
    expect(sizes).toEqual([10, 10, 3]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(made.map((h) => h.id).sort());
  });

  it('skips by offset and returns an empty page past the end', async () => {
    const r = await get(`/ogc/collections/hazards/items?bbox=${REGION}&limit=10&offset=20`);
    expect(r.json().numberReturned).toBe(made.length - 20);
    expect(linkOf(r.json(), 'next')).toBeUndefined();
    const past = await get(`/ogc/collections/hazards/items?bbox=${REGION}&offset=500`);
    expect(past.statusCode).toBe(200);
    expect(past.json()).toMatchObject({ numberMatched: made.length, numberReturned: 0, features: [] });
  });

  it('filters by bbox: only the features whose box meets it', async () => {
    const bbox = [LON0 - 0.001, LAT0 - 0.001, LON0 + 4 * STEP + 0.005, LAT0 + 0.005];
    const expected = made
      .filter((h) => intersects(h.box, bbox))
      .map((h) => h.id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(made.length);
    const r = await get(`/ogc/collections/hazards/items?bbox=${bbox.join(',')}`);
    expect(r.statusCode).toBe(200);
    expect(featureIds(r.json())).toEqual(expected);
    expect(r.json().numberMatched).toBe(expected.length);
  });

  it.each([
    ['an instant', '2024-01-05', (d: string) => d === '2024-01-05'],
    [
      'a closed interval of date-times',
      '2024-01-03T10:00:00Z/2024-01-07T00:00:00Z',
      (d: string) => d >= '2024-01-03' && d <= '2024-01-07',
    ],
    ['an interval open at the start', '../2024-01-04', (d: string) => d <= '2024-01-04'],
    ['an interval open at the end', '2024-01-20T00:00:00+03:00/..', (d: string) => d >= '2024-01-20'],
  ])('filters by datetime given as %s on the register’s date', async (_name, datetime, keep) => {
    const expected = made
      .filter((h) => keep(h.date))
      .map((h) => h.id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    const r = await get(
      `/ogc/collections/hazards/items?bbox=${REGION}&datetime=${encodeURIComponent(datetime)}`,
    );
    expect(r.statusCode).toBe(200);
    expect(featureIds(r.json())).toEqual(expected);
  });

  it('filters findings by datetime on the date found', async () => {
    const r = await get(`/ogc/collections/findings/items?bbox=${REGION}&datetime=2023-02-01/2023-03-31`);
    const expected = madeFindings
      .filter((f) => f.foundOn >= '2023-02-01' && f.foundOn <= '2023-03-31')
      .map((f) => f.id)
      .sort();
    expect(featureIds(r.json())).toEqual(expected);
  });

  it('filters by properties by name, combined with and', async () => {
    const expected = made
      .filter((h) => h.status === 'closed' && h.type === 'SHA')
      .map((h) => h.id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    const r = await get(`/ogc/collections/hazards/items?bbox=${REGION}&status=closed&type=SHA`);
    expect(r.statusCode).toBe(200);
    expect(featureIds(r.json())).toEqual(expected);
    const one = made[7]!;
    const byDate = await get(`/ogc/collections/hazards/items?dateOfInformation=${one.date}&bbox=${REGION}`);
    expect(byDate.json().features.map((f: { id: string }) => f.id)).toEqual([one.id]);
  });

  it.each([
    ['an unknown parameter', 'colour=red', 'ogc.parameter_unknown'],
    ['a bbox of three numbers', 'bbox=1,2,3', 'ogc.bbox_invalid'],
    ['a bbox with min above max', 'bbox=10,5,0,6', 'ogc.bbox_invalid'],
    ['an impossible date', 'datetime=2024-13-01', 'ogc.datetime_invalid'],
    ['an interval ending before it starts', 'datetime=2024-01-05/2024-01-01', 'ogc.datetime_invalid'],
    ['a limit of zero', 'limit=0', 'ogc.limit_invalid'],
    ['a limit that is not a number', 'limit=ten', 'ogc.limit_invalid'],
    ['a negative offset', 'offset=-1', 'ogc.offset_invalid'],
    ['a value outside the code list', 'status=opened', 'validation.enum'],
    [
      'another coordinate system',
      'bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326',
      'ogc.crs_unsupported',
    ],
    ['an HTML format', 'f=html', 'ogc.format_unsupported'],
  ])('refuses %s with a 400 problem', async (_name, query, code) => {
    const r = await get(`/ogc/collections/hazards/items?${query}`);
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().code).toBe(code);
  });

  it('refuses datetime on a collection without dates', async () => {
    const r = await get('/ogc/collections/settlements/items?datetime=2024-01-01');
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('ogc.datetime_unsupported');
  });

  it('uses the maximum page size when asked for more, as the standard wants', async () => {
    const r = await get(`/ogc/collections/hazards/items?bbox=${REGION}&limit=20000`);
    expect(r.statusCode).toBe(200);
    expect(linkOf(r.json(), 'self')?.href).toContain('limit=10000');
    expect(r.json().numberReturned).toBe(made.length);
  });

  it('serves one feature by id, and 404 for an unknown id, a malformed id or an id of another collection', async () => {
    const h = made[3]!;
    const r = await get(`/ogc/collections/hazards/items/${h.id}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('application/geo+json');
    expect(r.json()).toMatchObject({
      type: 'Feature',
      id: h.id,
      properties: { status: h.status, dateOfInformation: h.date },
    });
    expect(r.json().geometry.type).toBe('MultiPolygon');
    expect(linkOf(r.json(), 'collection')?.href).toMatch(/\/ogc\/collections\/hazards$/);
    for (const url of [
      '/ogc/collections/hazards/items/00000000-0000-4000-8000-000000000000',
      '/ogc/collections/hazards/items/not-an-id',
      `/ogc/collections/findings/items/${h.id}`,
    ]) {
      const missing = await get(url);
      expect(missing.statusCode, url).toBe(404);
      expect(missing.json().code).toBe('record.not_found');
    }
  });

  it('describes each collection by a JSON Schema with OGC roles, and its queryables', async () => {
    const s = await get('/ogc/collections/hazards/schema');
    expect(s.statusCode).toBe(200);
    expect(s.headers['content-type']).toContain('application/schema+json');
    const props = s.json().properties;
    expect(props.id['x-ogc-role']).toBe('id');
    expect(props.geometry).toMatchObject({
      'x-ogc-role': 'primary-geometry',
      format: 'geometry-multipolygon',
    });
    expect(props.dateOfInformation).toMatchObject({
      'x-ogc-role': 'primary-instant',
      type: 'string',
      format: 'date',
    });
    expect(props.status).toMatchObject({ type: 'string', enum: ['open', 'in_progress', 'closed'] });
    expect(props.areaM2).toMatchObject({ type: 'number', readOnly: true });
    const q = await get('/ogc/collections/hazards/queryables');
    expect(q.statusCode).toBe(200);
    expect(q.json().additionalProperties).toBe(false);
    expect(q.json().properties.status.enum).toContain('open');
    expect(Object.keys(q.json().properties)).not.toContain('evidence');
  });

  it('never serves personal data: no collection for casualties, no identity in any schema or feature', async () => {
    for (const def of REGISTERS.filter((d) => d.geometry)) {
      const s = (await get(`/ogc/collections/${def.slug}/schema`)).json();
      expect(Object.keys(s.properties)).not.toContain('identity');
      for (const f of (await get(`/ogc/collections/${def.slug}/items?limit=50`)).json().features) {
        expect(Object.keys(f.properties)).not.toContain('identity');
        for (const p of def.protectedFields ?? []) expect(Object.keys(f.properties)).not.toContain(p);
      }
    }
  });
});

/** GDAL is a system tool: CI installs gdal-bin; on a machine without it this part says why it is skipped. */
async function gdalAvailable(): Promise<boolean> {
  try {
    await run('ogrinfo', ['--version']);
    return true;
  } catch {
    return false;
  }
}
async function gdalVersion(): Promise<string> {
  return (await run('ogrinfo', ['--version'])).stdout.trim();
}
const hasGdal = await gdalAvailable();
if (!hasGdal) console.warn('OGC API GDAL checks skipped: ogrinfo (gdal-bin) is not installed.');

describe.skipIf(!hasGdal)('GDAL OAPIF driver reads the OGC API', () => {
  let root: string;
  let dir: string;
  const auth = () => ['--config', 'GDAL_HTTP_HEADERS', `Authorization: Bearer ${token}`];

  beforeAll(async () => {
    await ogc.listen({ port: 0, host: '127.0.0.1' });
    const address = ogc.server.address() as { port: number };
    root = `http://127.0.0.1:${address.port}/ogc`;
    dir = mkdtempSync(join(tmpdir(), 'safeground-ogc-'));
  });

  async function apiCount(slug: string, query = ''): Promise<number> {
    return (await get(`/ogc/collections/${slug}/items?limit=1${query}`)).json().numberMatched as number;
  }

  it('lists every collection as a layer', async () => {
    const { stdout } = await run('ogrinfo', [...auth(), '-ro', '-so', `OAPIF:${root}`]);
    const layers = [...stdout.matchAll(/^\d+: ([\w-]+)/gm)].map((m) => m[1]);
    expect(layers.sort()).toEqual(
      REGISTERS.filter((d) => d.geometry)
        .map((d) => d.slug)
        .sort(),
    );
  });

  it('reports for each collection the feature count the API reports, and reads exactly that many', async () => {
    const counts: Record<string, number> = {};
    for (const def of REGISTERS.filter((d) => d.geometry)) {
      const { stdout } = await run('ogrinfo', [...auth(), '-ro', '-so', `OAPIF:${root}`, def.slug]);
      const reported = Number(/Feature Count: (\d+)/.exec(stdout)?.[1]);
      const api = await apiCount(def.slug);
      expect(reported, def.slug).toBe(api);
      const out = join(dir, `${def.slug}-all.json`);
      await run('ogr2ogr', [
        ...auth(),
        '-oo',
        'PAGE_SIZE=1000',
        '-f',
        'GeoJSON',
        out,
        `OAPIF:${root}`,
        def.slug,
      ]);
      const read = copiedIds(out);
      expect(read.length, def.slug).toBe(api);
      expect(new Set(read).size, def.slug).toBe(api);
      counts[def.slug] = read.length;
    }
    console.info(
      `GDAL ${await gdalVersion()} read as many features as the API counts: ${JSON.stringify(counts)}`,
    );
  });

  it('copies all hazards with ogr2ogr through the paging links, with typed fields', async () => {
    const out = join(dir, 'hazards.json');
    requested.length = 0;
    await run('ogr2ogr', [...auth(), '-f', 'GeoJSON', out, `OAPIF:${root}`, 'hazards']);
    const ids = copiedIds(out);
    const expected = await apiCount('hazards');
    expect(expected).toBeGreaterThan(20); // more than two pages of GDAL's default 10
    expect(ids.length).toBe(expected);
    expect(new Set(ids).size).toBe(expected);
    for (const h of made) expect(ids).toContain(h.id);
    const pages = requested.filter((u) => u.startsWith('/ogc/collections/hazards/items'));
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(expected / 10));
    expect(pages.some((u) => /[?&]offset=\d+/.test(u))).toBe(true);
    const { stdout } = await run('ogrinfo', [...auth(), '-ro', '-so', `OAPIF:${root}`, 'hazards']);
    expect(stdout).toMatch(/areaM2: Real/);
    expect(stdout).toMatch(/releasedAreaM2: Real/);
    expect(stdout).toMatch(/dateOfInformation: Date/);
    expect(stdout.match(/^id: /gm)).toHaveLength(1);
  });

  it('passes an attribute filter and a spatial filter to the server and gets the API’s answer', async () => {
    const out = join(dir, 'closed.json');
    const spat = REGION.split(',');
    requested.length = 0;
    await run('ogr2ogr', [
      ...auth(),
      '-f',
      'GeoJSON',
      '-where',
      "status = 'closed'",
      '-spat',
      ...spat,
      out,
      `OAPIF:${root}`,
      'hazards',
    ]);
    const expected = made
      .filter((h) => h.status === 'closed')
      .map((h) => h.id)
      .sort();
    expect(copiedIds(out)).toEqual(expected);
    // GDAL first reads one unfiltered page to learn the fields; the reads after it carry the filters.
    const reads = requested.filter(
      (u) => u.startsWith('/ogc/collections/hazards/items') && u.includes('bbox='),
    );
    expect(reads.length).toBeGreaterThan(0);
    for (const u of reads) expect(new URL(u, 'http://x').searchParams.get('status'), u).toBe('closed');
  });

  it('turns a date range on the register’s date into datetime, as GDAL writes it, and gets the API’s answer', async () => {
    const out = join(dir, 'findings.json');
    const spat = REGION.split(',');
    requested.length = 0;
    const where = "foundOn >= '2023/02/01' AND foundOn <= '2023/03/31'";
    await run('ogr2ogr', [
      ...auth(),
      '-f',
      'GeoJSON',
      '-where',
      where,
      '-spat',
      ...spat,
      out,
      `OAPIF:${root}`,
      'findings',
    ]);
    const expected = madeFindings
      .filter((f) => f.foundOn >= '2023-02-01' && f.foundOn <= '2023-03-31')
      .map((f) => f.id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(copiedIds(out)).toEqual(expected);
    const reads = requested.filter(
      (u) => u.startsWith('/ogc/collections/findings/items') && u.includes('bbox='),
    );
    expect(reads.length).toBeGreaterThan(0);
    for (const u of reads) {
      expect(new URL(u, 'http://x').searchParams.get('datetime') ?? '', u).toMatch(
        /^2023-02-01.*\/2023-03-31/,
      );
    }
  });
});
