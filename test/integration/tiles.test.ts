import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VectorTile } from '@mapbox/vector-tile';
import type { FastifyInstance } from 'fastify';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSynthetic } from '../../bench/synthetic.ts';
import type { Database } from '../../src/db/connect.ts';
import { syntheticHazardCentres } from '../../src/db/repositories/synthetic.ts';
import { buildApp } from '../../src/http/app.ts';
import { tilesPlugin } from '../../src/http/tiles/plugin.ts';
import type { TileEncoder } from '../../src/services/tiles.ts';
import { login, testDatabase, testDatabaseKind } from './helpers/db.ts';
import { square, tileOf } from './helpers/geometry.ts';

/**
 * Vector tiles: the HTTP contract, the layers' properties and filters, and that the two
 * encoders (PostGIS ST_AsMVT, and the JS encoder PGlite needs) give the same features.
 * The expected features are also computed here independently, from the list API's GeoJSON
 * and the Web Mercator formulas, so the JS path is checked on PGlite too.
 */

const EXTENT = 4096;
const BUFFER = 64;
type XY = [number, number];

interface DecodedFeature {
  type: number;
  properties: Record<string, string | number | boolean>;
  rings: XY[][];
}

function decode(bytes: Buffer, layer: string): DecodedFeature[] {
  if (!bytes.length) return [];
  const tile = new VectorTile(new PbfReader(new Uint8Array(bytes)));
  const l = tile.layers[layer];
  if (!l) throw new Error(`no layer ${layer} in tile; layers: ${Object.keys(tile.layers).join(', ')}`);
  expect(l.extent).toBe(EXTENT);
  const out: DecodedFeature[] = [];
  for (let i = 0; i < l.length; i++) {
    const f = l.feature(i);
    out.push({
      type: f.type,
      properties: f.properties,
      rings: f.loadGeometry().map((r) => r.map((p) => [p.x, p.y] as XY)),
    });
  }
  return out;
}

// Independent Web Mercator tile math (OSM slippy-map formulas).
function lonLatToTileUnits([lon, lat]: XY, z: number, x: number, y: number): XY {
  const n = 2 ** z;
  const phi = (lat * Math.PI) / 180;
  const tx = ((lon + 180) / 360) * n;
  const ty = ((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n;
  return [(tx - x) * EXTENT, (ty - y) * EXTENT];
}
function tileBoundsLonLat(
  z: number,
  x: number,
  y: number,
  marginUnits: number,
): [number, number, number, number] {
  const n = 2 ** z;
  const m = marginUnits / EXTENT;
  const lon = (tx: number) => (tx / n) * 360 - 180;
  const lat = (ty: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * ty) / n))) * 180) / Math.PI;
  return [lon(x - m), lat(y + 1 + m), lon(x + 1 + m), lat(y - m)];
}

/** Twice the signed area (surveyor's formula, tile units). */
function area2(ring: XY[]): number {
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[(i + 1) % ring.length]!;
    s += x1 * y2 - x2 * y1;
  }
  return s;
}
function perimeter(rings: XY[][]): number {
  let p = 0;
  for (const r of rings)
    for (let i = 0; i < r.length; i++)
      p += Math.hypot(r[(i + 1) % r.length]![0] - r[i]![0], r[(i + 1) % r.length]![1] - r[i]![1]);
  return p;
}
/** Filled area of decoded MVT rings: exteriors count positive, holes negative (signs as encoded). */
const filledArea = (rings: XY[][]) => rings.reduce((s, r) => s + area2(r) / 2, 0);

/** Largest distance (Chebyshev) from any vertex of `a` to the nearest vertex of `b`. */
function directedHausdorff(a: XY[][], b: XY[][]): number {
  const pb = b.flat();
  let worst = 0;
  for (const [x, y] of a.flat()) {
    let best = Number.POSITIVE_INFINITY;
    for (const [u, v] of pb) best = Math.min(best, Math.max(Math.abs(x - u), Math.abs(y - v)));
    worst = Math.max(worst, best);
  }
  return worst;
}

/**
 * Compares two decodings of the same tile: the same features (by id, or clusters by place
 * and count), the same properties, geometry within 1 tile unit. Returns the differences.
 */
function differences(a: DecodedFeature[], b: DecodedFeature[]): string[] {
  const out: string[] = [];
  const clustersA = a.filter((f) => f.properties.cluster === true);
  const clustersB = b.filter((f) => f.properties.cluster === true);
  const unmatched = [...clustersB];
  for (const c of clustersA) {
    const [x, y] = c.rings[0]![0]!;
    const i = unmatched.findIndex(
      (d) =>
        d.properties.count === c.properties.count &&
        Math.abs(d.rings[0]![0]![0] - x) <= 1 &&
        Math.abs(d.rings[0]![0]![1] - y) <= 1,
    );
    if (i < 0) out.push(`cluster of ${c.properties.count} at ${x},${y} only in the first tile`);
    else unmatched.splice(i, 1);
  }
  for (const d of unmatched)
    out.push(`cluster of ${d.properties.count} at ${d.rings[0]![0]} only in the second tile`);
  const byId = (fs: DecodedFeature[]) =>
    new Map(fs.filter((f) => f.properties.cluster !== true).map((f) => [String(f.properties.id), f]));
  const ma = byId(a);
  const mb = byId(b);
  for (const id of ma.keys()) if (!mb.has(id)) out.push(`${id} only in the first tile`);
  for (const id of mb.keys()) if (!ma.has(id)) out.push(`${id} only in the second tile`);
  for (const [id, fa] of ma) {
    const fb = mb.get(id);
    if (!fb) continue;
    if (fa.type !== fb.type) out.push(`${id}: geometry type ${fa.type} vs ${fb.type}`);
    const keys = new Set([...Object.keys(fa.properties), ...Object.keys(fb.properties)]);
    for (const k of keys) {
      const va = fa.properties[k];
      const vb = fb.properties[k];
      const same =
        typeof va === 'number' && typeof vb === 'number'
          ? Math.abs(va - vb) <= 1e-9 * Math.max(1, Math.abs(va))
          : va === vb;
      if (!same) out.push(`${id}: property ${k} ${JSON.stringify(va)} vs ${JSON.stringify(vb)}`);
    }
    const h = Math.max(directedHausdorff(fa.rings, fb.rings), directedHausdorff(fb.rings, fa.rings));
    if (h > 1) out.push(`${id}: vertices differ by ${h} units`);
    if (fa.type === 3) {
      const da = filledArea(fa.rings);
      const db = filledArea(fb.rings);
      if (Math.abs(da - db) > Math.max(perimeter(fa.rings), perimeter(fb.rings)) * 1)
        out.push(`${id}: area ${da} vs ${db}`);
      for (const r of fa.rings.concat(fb.rings)) if (area2(r) === 0) out.push(`${id}: ring without area`);
    }
  }
  return out;
}

let database: Database;
let auth: Record<string, string>;
const apps: Partial<Record<TileEncoder, FastifyInstance>> = {};
const kind = testDatabaseKind();

async function tilesApp(encoder: TileEncoder): Promise<FastifyInstance> {
  let app = apps[encoder];
  if (!app) {
    app = await buildApp({
      database,
      settings: { attachmentsDir: mkdtempSync(join(tmpdir(), 'safeground-att-')) },
      plugins: [(a) => tilesPlugin(a, { encoder })],
    });
    await app.ready();
    apps[encoder] = app;
  }
  return app;
}

async function getTile(encoder: TileEncoder, path: string, headers: Record<string, string> = auth) {
  const app = await tilesApp(encoder);
  return app.inject({ method: 'GET', url: path, headers });
}

async function post(path: string, payload: unknown): Promise<Record<string, unknown>> {
  const app = await tilesApp('js');
  const r = await app.inject({ method: 'POST', url: path, headers: auth, payload: payload as object });
  if (r.statusCode !== 201) throw new Error(`${path}: ${r.statusCode} ${r.body}`);
  return r.json();
}

/** Every record of a register within a lon/lat box, through the list API (all pages). */
async function listAll(
  slug: string,
  bbox: number[],
  query = '',
): Promise<
  Array<{ id: string; geometry: { type: string; coordinates: unknown }; properties: Record<string, unknown> }>
> {
  const app = await tilesApp('js');
  const out: Awaited<ReturnType<typeof listAll>> = [];
  let cursor: string | null = null;
  do {
    const r: { statusCode: number; json: () => unknown } = await app.inject({
      method: 'GET',
      url: `/api/v1/${slug}?bbox=${bbox.join(',')}&limit=1000${query}${cursor ? `&cursor=${cursor}` : ''}`,
      headers: auth,
    });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { features: Awaited<ReturnType<typeof listAll>>; nextCursor: string | null };
    out.push(...body.features);
    cursor = body.nextCursor;
  } while (cursor);
  return out;
}

// A place of our own for the records made through the API (the synthetic data lies in lon 61–71).
const HOME: XY = [20.4612, 44.8125];
const created: Record<string, Record<string, unknown>> = {};
const minefieldRecord = JSON.parse(
  readFileSync(new URL('../fixtures/records/soviet-gk8-magnetic-paces.json', import.meta.url), 'utf8'),
);
/** A corner of the minefield record's perimeter, once it is stored. */
const MINEFIELD: number[] = [];

beforeAll(async () => {
  database = await testDatabase();
  auth = await login('admin');
  await seedSynthetic(database, { hazards: 400, findings: 4000, seed: 7 });
  created.hazard = await post('/api/v1/hazards', {
    type: 'Feature',
    geometry: square(HOME[0], HOME[1], 0.01),
    properties: { type: 'CHA', status: 'open', dateOfInformation: '2024-03-01' },
  });
  created.closedHazard = await post('/api/v1/hazards', {
    type: 'Feature',
    geometry: square(HOME[0] + 0.02, HOME[1], 0.005),
    properties: { type: 'SHA', status: 'closed' },
  });
  created.landRelease = await post('/api/v1/land-release', {
    type: 'Feature',
    geometry: square(HOME[0] + 0.002, HOME[1] + 0.002, 0.003),
    properties: { outcome: 'cleared', hazardId: created.hazard.id, releasedOn: '2024-05-01' },
  });
  created.finding = await post('/api/v1/findings', {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [HOME[0] + 0.005, HOME[1] + 0.005] },
    properties: { category: 'AP', foundOn: '2024-04-02' },
  });
  created.accident = await post('/api/v1/accidents', {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [HOME[0] + 0.006, HOME[1] + 0.004] },
    properties: { occurredOn: '2023-11-05', deviceCategory: 'AV' },
  });
  created.settlement = await post('/api/v1/settlements', {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [HOME[0] + 0.007, HOME[1] + 0.003] },
    properties: {
      name: 'Tile Test Village',
      names: { en: 'Tile Test Village', ru: 'Тестовая Деревня', ar: 'قرية الاختبار', fr: 'Village' },
      population: 1234,
    },
  });
  created.adminArea = await post('/api/v1/admin-areas', {
    type: 'Feature',
    geometry: square(HOME[0] - 0.05, HOME[1] - 0.05, 0.2),
    properties: {
      pcode: `TT${Date.now().toString(36)}`,
      name: 'Tile Test District',
      names: { ru: 'Тестовый район', ar: '' },
      level: 2,
    },
  });
  // A handed-over minefield record: its perimeter (decoded by the service) is the tile geometry.
  created.minefieldRecord = await post('/api/v1/minefield-records', {
    type: 'Feature',
    properties: { name: 'Tile test minefield', record: minefieldRecord },
  });
  // A visit to the site, drawn where it went.
  created.siteVisit = await post('/api/v1/site-visits', {
    type: 'Feature',
    geometry: square(HOME[0] + 0.004, HOME[1] + 0.004, 0.002),
    properties: { visitedOn: '2022-08-26', title: 'Visit of the diplomatic corps' },
  });
  const perimeter = (created.minefieldRecord as { geometry: { coordinates: number[][][][] } }).geometry;
  MINEFIELD.push(...(perimeter.coordinates[0]![0]![0] as XY));
}, 600_000);

afterAll(async () => {
  for (const app of Object.values(apps)) await app?.close();
});

const homeTile = (z: number) => tileOf([HOME[0] + 0.005, HOME[1] + 0.005], z);
const url = (layer: string, t: { z: number; x: number; y: number }, query = '') =>
  `/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt${query}`;
const encoders: TileEncoder[] = kind === 'postgresql' ? ['postgis', 'js'] : ['js'];
/** The layers the tile service serves, in the order /tiles/layers.json lists them. */
const LAYERS = [
  'hazards',
  'hazard-points',
  'land-release',
  'findings',
  'accidents',
  'settlements',
  'minefield-records',
  'site-visits',
  'admin-areas',
];

describe('GET /tiles/{layer}/{z}/{x}/{y}.mvt', () => {
  it('needs a signed-in user', async () => {
    const r = await getTile('js', url('hazards', homeTile(14)), {});
    expect(r.statusCode).toBe(401);
    expect(r.json().code).toBe('auth.required');
  });

  it('refuses an unknown layer and a tile that does not exist, with catalogue messages', async () => {
    const unknown = await getTile('js', '/tiles/minefields/3/1/1.mvt', { ...auth, 'accept-language': 'ru' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(unknown.json().code).toBe('tiles.layer_unknown');
    expect(unknown.json().detail).toContain('«minefields»');
    const bad = await getTile('js', '/tiles/hazards/3/8/1.mvt');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('tiles.coordinates_invalid');
    expect(bad.json().detail).toContain('3/8/1');
  });

  it.each(encoders)(
    'serves a tile with its media type, a short private max-age and an ETag, and 304 when unchanged (%s)',
    async (encoder) => {
      const r = await getTile(encoder, url('hazards', homeTile(14)));
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
      expect(r.headers['cache-control']).toBe('private, max-age=5, must-revalidate');
      const etag = String(r.headers.etag);
      expect(etag).toMatch(/^".+"$/);
      const again = await getTile(encoder, url('hazards', homeTile(14)), { ...auth, 'if-none-match': etag });
      expect(again.statusCode).toBe(304);
      // a different tile has different bytes and so another tag
      const other = await getTile(encoder, url('settlements', homeTile(14)));
      expect(other.headers.etag).not.toBe(etag);
    },
  );

  it.each(encoders)('answers 204 for a tile without features (%s)', async (encoder) => {
    const r = await getTile(encoder, '/tiles/hazards/14/0/0.mvt');
    expect(r.statusCode).toBe(204);
    expect(r.rawPayload.length).toBe(0);
  });

  it.each(encoders)(
    "carries each layer's properties, in a source layer named like the layer (%s)",
    async (encoder) => {
      const t = homeTile(14);
      const find = async (layer: string, id: unknown) => {
        const r = await getTile(encoder, url(layer, t));
        expect(r.statusCode).toBe(200);
        return decode(r.rawPayload, layer).find((f) => f.properties.id === id);
      };
      const hazard = await find('hazards', created.hazard.id);
      const hp = (created.hazard as { properties: Record<string, unknown> }).properties;
      expect(hazard?.type).toBe(3);
      expect(hazard?.properties).toEqual({
        id: created.hazard.id,
        code: hp.code,
        type: 'CHA',
        status: 'open',
        areaM2: hp.areaM2,
      });
      const lr = await find('land-release', created.landRelease.id);
      expect(lr?.properties).toEqual({
        id: created.landRelease.id,
        code: (created.landRelease as { properties: Record<string, unknown> }).properties.code,
        outcome: 'cleared',
      });
      const finding = await find('findings', created.finding.id);
      expect(finding?.type).toBe(1);
      expect(finding?.properties).toMatchObject({ id: created.finding.id, category: 'AP' });
      expect(Object.keys(finding!.properties).sort()).toEqual(['category', 'code', 'id']);
      const accident = await find('accidents', created.accident.id);
      expect(accident?.properties).toMatchObject({ deviceCategory: 'AV', occurredOn: '2023-11-05' });
      const settlement = await find('settlements', created.settlement.id);
      // names in each language of the map's labels (others are not sent), as OpenMapTiles names them
      expect(settlement?.properties).toEqual({
        id: created.settlement.id,
        name: 'Tile Test Village',
        'name:en': 'Tile Test Village',
        'name:ru': 'Тестовая Деревня',
        'name:ar': 'قرية الاختبار',
        kind: 'village',
        population: 1234,
      });
      const area = await find('admin-areas', created.adminArea.id);
      // an empty name is no name: the label falls back to `name`
      expect(area?.properties).toEqual({
        id: created.adminArea.id,
        pcode: (created.adminArea as { properties: Record<string, unknown> }).properties.pcode,
        name: 'Tile Test District',
        'name:ru': 'Тестовый район',
        level: 2,
      });
    },
  );

  it.each(encoders)(
    'marks each hazard with a point on its surface where its polygon is too small to see (%s)',
    async (encoder) => {
      // at zoom 10 the 1 km hazard is a few pixels: a point marks it (below 10 a cluster counts it)
      const t = tileOf(HOME, 10);
      const r = await getTile(encoder, url('hazard-points', t));
      expect(r.statusCode).toBe(200);
      const points = decode(r.rawPayload, 'hazard-points');
      const mark = points.find((f) => f.properties.id === created.hazard.id);
      expect(mark?.type).toBe(1);
      expect(mark?.properties).toMatchObject({ type: 'CHA', status: 'open' });
      const [x, y] = lonLatToTileUnits([HOME[0] + 0.005, HOME[1] + 0.005], t.z, t.x, t.y);
      expect(Math.abs(mark!.rings[0]![0]![0] - x)).toBeLessThanOrEqual(2);
      expect(Math.abs(mark!.rings[0]![0]![1] - y)).toBeLessThanOrEqual(2);
      // the same filters as the hazards layer
      const closed = await getTile(encoder, url('hazard-points', t, '?status=closed'));
      const ids = decode(closed.rawPayload, 'hazard-points').map((f) => f.properties.id);
      expect(ids).toContain(created.closedHazard.id);
      expect(ids).not.toContain(created.hazard.id);
      // at zoom 6 the points are clusters with a count (migration 031), filtered alike
      const z6 = tileOf(HOME, 6);
      const count = async (query = '') =>
        decode((await getTile(encoder, url('hazard-points', z6, query))).rawPayload, 'hazard-points').reduce(
          (n, f) => {
            expect(f.properties).toMatchObject({ cluster: true });
            return n + Number(f.properties.count);
          },
          0,
        );
      expect(await count()).toBeGreaterThanOrEqual(2);
      expect(await count('?status=closed')).toBeGreaterThanOrEqual(1);
      expect(await count('?status=closed')).toBeLessThan(await count());
    },
  );

  it.each(encoders)(
    "draws a minefield record's decoded perimeter where the list API puts it (%s)",
    async (encoder) => {
      const corner = MINEFIELD as XY;
      const t = tileOf(corner, 15);
      const r = await getTile(encoder, url('minefield-records', t));
      expect(r.statusCode).toBe(200);
      const f = decode(r.rawPayload, 'minefield-records').find(
        (x) => x.properties.id === created.minefieldRecord.id,
      );
      expect(f?.type).toBe(3);
      expect(f?.properties).toEqual({
        id: created.minefieldRecord.id,
        code: (created.minefieldRecord as { properties: Record<string, unknown> }).properties.code,
        name: 'Tile test minefield',
        layingDate: '1993-06-15',
      });
      const [x, y] = lonLatToTileUnits(corner, t.z, t.x, t.y);
      const nearest = Math.min(
        ...f!.rings.flat().map(([u, v]) => Math.max(Math.abs(u - x), Math.abs(v - y))),
      );
      expect(nearest).toBeLessThanOrEqual(1);
      // Filtered by laying date like the list.
      const none = await getTile(encoder, url('minefield-records', t, '?from=2000-01-01'));
      const left = none.statusCode === 204 ? [] : decode(none.rawPayload, 'minefield-records');
      expect(left.map((x) => x.properties.id)).not.toContain(created.minefieldRecord.id);
    },
  );

  it.each(encoders)('draws a site visit where it went, with its date and title (%s)', async (encoder) => {
    const t = tileOf([HOME[0] + 0.005, HOME[1] + 0.005], 14);
    const r = await getTile(encoder, url('site-visits', t));
    expect(r.statusCode).toBe(200);
    const f = decode(r.rawPayload, 'site-visits').find((x) => x.properties.id === created.siteVisit.id);
    expect(f?.type).toBe(3);
    expect(f?.properties).toEqual({
      id: created.siteVisit.id,
      code: (created.siteVisit as { properties: Record<string, unknown> }).properties.code,
      title: 'Visit of the diplomatic corps',
      visitedOn: '2022-08-26',
    });
    const later = await getTile(encoder, url('site-visits', t, '?from=2023-01-01'));
    const left = later.statusCode === 204 ? [] : decode(later.rawPayload, 'site-visits');
    expect(left.map((x) => x.properties.id)).not.toContain(created.siteVisit.id);
  });

  it.each(encoders)('applies the list filters and leaves archived records out (%s)', async (encoder) => {
    const t = tileOf(HOME, 11); // holds both hazards
    const ids = async (query: string) =>
      decode((await getTile(encoder, url('hazards', t, query))).rawPayload, 'hazards').map(
        (f) => f.properties.id,
      );
    expect(await ids('')).toEqual(expect.arrayContaining([created.hazard.id, created.closedHazard.id]));
    const closed = await ids('?status=closed');
    expect(closed).toContain(created.closedHazard.id);
    expect(closed).not.toContain(created.hazard.id);
    expect(await ids('?type=CHA')).not.toContain(created.closedHazard.id);
    expect(await ids('?from=2024-01-01&to=2024-12-31')).toEqual([created.hazard.id]);
    expect(await ids(`?adminArea=${created.adminArea.id}`)).toContain(created.hazard.id);
    const finding = async (query: string) =>
      decode((await getTile(encoder, url('findings', homeTile(14), query))).rawPayload, 'findings').map(
        (f) => f.properties.id,
      );
    expect(await finding('?category=AP')).toContain(created.finding.id);
    expect(await finding('?category=AV')).not.toContain(created.finding.id);
  });

  it('leaves an archived record out of its tile', async () => {
    const app = await tilesApp('js');
    const victim = await post('/api/v1/accidents', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [HOME[0] + 0.004, HOME[1] + 0.006] },
      properties: { occurredOn: '2022-01-01' },
    });
    const before = decode((await getTile('js', url('accidents', homeTile(14)))).rawPayload, 'accidents');
    expect(before.map((f) => f.properties.id)).toContain(victim.id);
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/accidents/${victim.id}`,
      headers: { ...auth, 'if-match': '"1"' },
    });
    expect(del.statusCode).toBe(200);
    for (const encoder of encoders) {
      const after = decode((await getTile(encoder, url('accidents', homeTile(14)))).rawPayload, 'accidents');
      expect(after.map((f) => f.properties.id)).not.toContain(victim.id);
    }
  });

  it('lists the layers and their properties at /tiles/layers.json', async () => {
    const r = await getTile('js', '/tiles/layers.json');
    expect(r.statusCode).toBe(200);
    const layers = r.json().layers as Array<{ id: string; properties: Record<string, string> }>;
    expect(layers.map((l) => l.id)).toEqual(LAYERS);
    expect(layers[0]!.properties).toEqual({
      id: 'string',
      code: 'string',
      type: 'string',
      status: 'string',
      areaM2: 'number',
    });
  });
});

/** Tiles over the synthetic data and the records above, at every zoom that changes the pipeline. */
async function sampleTiles(): Promise<Array<{ z: number; x: number; y: number }>> {
  const centres = await syntheticHazardCentres(database.db, 12);
  const out = new Map<string, { z: number; x: number; y: number }>();
  for (const z of [6, 8, 10, 11, 12, 14, 16]) {
    for (const c of [...centres.slice(0, z < 12 ? 4 : 12), HOME, MINEFIELD as XY]) {
      const t = tileOf(c, z);
      out.set(`${t.z}/${t.x}/${t.y}`, t);
    }
  }
  return [...out.values()];
}

describe.runIf(kind === 'postgresql')('PostGIS ST_AsMVT and the JS encoder, both on PostgreSQL', () => {
  it('give the same features for the same tile', async () => {
    const tiles = await sampleTiles();
    let compared = 0;
    let features = 0;
    for (const t of tiles) {
      for (const layer of LAYERS) {
        const a = await getTile('postgis', url(layer, t));
        const b = await getTile('js', url(layer, t));
        expect(a.statusCode, `${layer} ${t.z}/${t.x}/${t.y}`).toBe(b.statusCode);
        const fa = decode(a.rawPayload, layer);
        const fb = decode(b.rawPayload, layer);
        expect(differences(fa, fb), `${layer} ${t.z}/${t.x}/${t.y}`).toEqual([]);
        compared++;
        features += fa.length;
      }
    }
    expect(compared).toBeGreaterThan(50);
    // the comparison saw real content: clusters, points and clipped polygons
    expect(features).toBeGreaterThan(500);
  });
});

describe('the JS encoder against features computed independently from the list API', () => {
  it.each(encoders)('places every point where the Web Mercator formulas put it (%s)', async (encoder) => {
    let placed = 0;
    for (const t of await sampleTiles()) {
      for (const layer of ['accidents', 'settlements', ...(t.z >= 12 ? ['findings'] : [])]) {
        const sources = await listAll(layer, tileBoundsLonLat(t.z, t.x, t.y, BUFFER + 2));
        const got = new Map(
          decode((await getTile(encoder, url(layer, t))).rawPayload, layer).map((f) => [f.properties.id, f]),
        );
        for (const s of sources) {
          const [x, y] = lonLatToTileUnits(s.geometry.coordinates as XY, t.z, t.x, t.y);
          const margin = Math.min(x + BUFFER, EXTENT + BUFFER - x, y + BUFFER, EXTENT + BUFFER - y);
          if (Math.abs(margin) <= 1) continue; // on the buffer's edge: either answer is right
          const f = got.get(s.id);
          if (margin < 0) {
            expect(f, `${s.id} outside the buffer of ${t.z}/${t.x}/${t.y}`).toBeUndefined();
            continue;
          }
          expect(f, `${layer} ${s.id} in ${t.z}/${t.x}/${t.y}`).toBeDefined();
          const [[px, py]] = f!.rings[0]! as [XY];
          expect(Math.abs(px - x)).toBeLessThanOrEqual(1);
          expect(Math.abs(py - y)).toBeLessThanOrEqual(1);
          placed++;
          got.delete(s.id);
        }
        // nothing in the tile that the list does not have
        for (const [id, f] of got) {
          const [[px, py]] = f.rings[0]! as [XY];
          const edge = Math.min(px + BUFFER, EXTENT + BUFFER - px, py + BUFFER, EXTENT + BUFFER - py);
          expect(edge <= 1, `${layer} ${id} unexpected in ${t.z}/${t.x}/${t.y}`).toBe(true);
        }
      }
    }
    // the walk compared real points, not only empty tiles
    expect(placed).toBeGreaterThan(50);
  });

  it.each(encoders)(
    'clusters findings below zoom 12 into the cells the formulas give (%s)',
    async (encoder) => {
      const CELL = 128;
      let clusters = 0;
      for (const t of (await sampleTiles()).filter((s) => s.z < 12)) {
        const sources = await listAll('findings', tileBoundsLonLat(t.z, t.x, t.y, CELL + 2));
        const cells = new Map<string, { n: number; sx: number; sy: number }>();
        for (const s of sources) {
          const [x, y] = lonLatToTileUnits(s.geometry.coordinates as XY, t.z, t.x, t.y);
          const key = `${Math.floor(x / CELL)},${Math.floor(y / CELL)}`;
          const c = cells.get(key) ?? { n: 0, sx: 0, sy: 0 };
          c.n++;
          c.sx += x;
          c.sy += y;
          cells.set(key, c);
        }
        const inside = (v: number) => v > -BUFFER + 1 && v < EXTENT + BUFFER - 1;
        const expected = [...cells.values()]
          .map((c) => ({ n: c.n, x: c.sx / c.n, y: c.sy / c.n }))
          .filter((c) => inside(c.x) && inside(c.y));
        const got = decode((await getTile(encoder, url('findings', t))).rawPayload, 'findings');
        expect(
          got.every((f) => f.properties.cluster === true && typeof f.properties.count === 'number'),
        ).toBe(true);
        for (const e of expected) {
          const match = got.find(
            (f) =>
              f.properties.count === e.n &&
              Math.abs(f.rings[0]![0]![0] - e.x) <= 1 &&
              Math.abs(f.rings[0]![0]![1] - e.y) <= 1,
          );
          expect(
            match,
            `cluster of ${e.n} at ${e.x.toFixed(1)},${e.y.toFixed(1)} in ${t.z}/${t.x}/${t.y}`,
          ).toBeDefined();
        }
        // the tile's own cells hold every finding of the tile, once
        const inTile = sources.filter((s) => {
          const [x, y] = lonLatToTileUnits(s.geometry.coordinates as XY, t.z, t.x, t.y);
          return x >= 0 && x < EXTENT && y >= 0 && y < EXTENT;
        }).length;
        const counted = got
          .filter(
            (f) =>
              f.rings[0]![0]![0] >= 0 &&
              f.rings[0]![0]![0] < EXTENT &&
              f.rings[0]![0]![1] >= 0 &&
              f.rings[0]![0]![1] < EXTENT,
          )
          .reduce((s, f) => s + (f.properties.count as number), 0);
        expect(counted).toBe(inTile);
        clusters += got.length;
      }
      expect(clusters).toBeGreaterThan(10);
    },
  );

  it.each(encoders)('draws polygons inside the tile with their area and vertices (%s)', async (encoder) => {
    let checked = 0;
    for (const t of (await sampleTiles()).filter((s) => s.z >= 10)) {
      for (const layer of ['hazards', 'land-release', 'admin-areas']) {
        const sources = await listAll(layer, tileBoundsLonLat(t.z, t.x, t.y, BUFFER + 2));
        const got = new Map(
          decode((await getTile(encoder, url(layer, t))).rawPayload, layer).map((f) => [f.properties.id, f]),
        );
        for (const id of got.keys())
          expect(
            sources.map((s) => s.id),
            `${layer} ${id}`,
          ).toContain(id);
        for (const s of sources) {
          const rings = (s.geometry.coordinates as XY[][][])
            .flat()
            .map((r) => r.slice(0, -1).map((p) => lonLatToTileUnits(p, t.z, t.x, t.y)));
          const xs = rings.flat().map((p) => p[0]);
          const ys = rings.flat().map((p) => p[1]);
          const wholly =
            Math.min(...xs) > 1 &&
            Math.max(...xs) < EXTENT - 1 &&
            Math.min(...ys) > 1 &&
            Math.max(...ys) < EXTENT - 1;
          const areaUnits = Math.abs(rings.reduce((a, r) => a + area2(r) / 2, 0));
          // Below zoom 13 the hazards are drawn from their outlines (migration 030), which leave out
          // those under three pixels across (24 tile units): the map draws them as points.
          const smallest = layer === 'hazards' && t.z <= 12 ? (3 * (EXTENT / 512)) ** 2 : 100;
          if (!wholly || areaUnits < smallest) continue; // clipped or near collapse: compared between encoders above
          const f = got.get(s.id);
          expect(f, `${layer} ${s.id} in ${t.z}/${t.x}/${t.y}`).toBeDefined();
          expect(f!.type).toBe(3);
          expect(Math.abs(filledArea(f!.rings) - areaUnits)).toBeLessThanOrEqual(perimeter(rings));
          expect(filledArea(f!.rings)).toBeGreaterThan(0); // exteriors positive, as the MVT spec says
          expect(directedHausdorff(f!.rings, rings)).toBeLessThanOrEqual(1);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});
