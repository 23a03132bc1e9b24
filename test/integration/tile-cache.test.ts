import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VectorTile } from '@mapbox/vector-tile';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.ts';
import { TILE_LAYERS, tileFeatures, tileLayer } from '../../src/db/repositories/tiles.ts';
import { buildApp } from '../../src/http/app.ts';
import { tilesPlugin } from '../../src/http/tiles/plugin.ts';
import type { TileService } from '../../src/services/tiles.ts';
import { login, testDatabase } from './helpers/db.ts';
import { square, tileOf } from './helpers/geometry.ts';

/**
 * The tile cache: a tile is served from memory until a table it is made from changes, and never
 * after (every write bumps the table's generation, whatever path it takes); ETag and 304; and the
 * findings' pre-aggregated cluster cells, kept by triggers, give the same clusters as the live
 * aggregation after inserts, moves and archiving.
 */

type XY = [number, number];
// A place of its own (the other tile tests use 20.46, 44.81; the synthetic data lon 61–71).
const HOME: XY = [-58.3816, -34.6037];

let database: Database;
let app: FastifyInstance;
let tiles: TileService;
let admin: Record<string, string>;
let approver: Record<string, string>;

const url = (layer: string, t: { z: number; x: number; y: number }, query = '') =>
  `/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt${query}`;

function decode(bytes: Buffer, layer: string): Array<Record<string, unknown>> {
  if (!bytes.length) return [];
  const l = new VectorTile(new PbfReader(new Uint8Array(bytes))).layers[layer];
  if (!l) return [];
  return Array.from({ length: l.length }, (_, i) => {
    const f = l.feature(i);
    const [[p]] = f.loadGeometry() as unknown as Array<Array<{ x: number; y: number }>>;
    return { ...f.properties, x: p?.x, y: p?.y };
  });
}

async function call(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  headers = admin,
  body?: unknown,
) {
  return app.inject({
    method,
    url: path,
    headers,
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

async function created(path: string, body: unknown) {
  const r = await call('POST', path, admin, body);
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

const finding = (at: XY, props: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry: { type: 'Point', coordinates: at },
  properties: { category: 'AP', foundOn: '2024-04-02', ...props },
});

beforeAll(async () => {
  database = await testDatabase();
  admin = await login('admin');
  approver = await login('approver');
  app = await buildApp({
    database,
    settings: { attachmentsDir: mkdtempSync(join(tmpdir(), 'safeground-att-')) },
    plugins: [(a) => tilesPlugin(a, { encoder: 'js' })],
  });
  await app.ready();
  tiles = app.services.tiles;
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe('the tile cache', () => {
  it('serves a tile from the cache until an approved change inside it, then the new tile', async () => {
    const h = await created('/api/v1/hazards', {
      type: 'Feature',
      geometry: square(HOME[0], HOME[1], 0.01),
      properties: { type: 'CHA', status: 'open' },
    });
    const t = tileOf([HOME[0] + 0.005, HOME[1] + 0.005], 14);
    const first = await call('GET', url('hazards', t));
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('private, max-age=5, must-revalidate');
    expect(decode(first.rawPayload, 'hazards').find((f) => f.id === h.id)?.status).toBe('open');
    const hits = tiles.cache.hits;
    const again = await call('GET', url('hazards', t));
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(tiles.cache.hits).toBe(hits + 1);

    // A report through the workflow: drafted, submitted, approved.
    const draft = await call('POST', '/api/v1/reports', admin, {
      kind: 'hazard_status_change',
      // Today: a report older than the hazard's own record would reopen rather than close it.
      dateOfInformation: new Date().toISOString().slice(0, 10),
      reason: 'Survey found no evidence',
      payload: {
        changes: [
          {
            op: 'update',
            register: 'hazards',
            id: h.id,
            record: { type: 'Feature', properties: { status: 'closed' } },
          },
        ],
      },
    });
    expect(draft.statusCode, draft.body).toBe(201);
    const submit = await call('POST', `/api/v1/reports/${draft.json().id}/submit`, admin);
    expect(submit.statusCode, submit.body).toBe(200);
    // Submitted but not approved: the register and so the tile are unchanged.
    const pending = await call('GET', url('hazards', t), admin, undefined);
    expect(pending.headers.etag).toBe(first.headers.etag);
    const approve = await call('POST', `/api/v1/reports/${draft.json().id}/approve`, approver, {});
    expect(approve.statusCode, approve.body).toBe(200);

    const after = await call('GET', url('hazards', t), admin);
    expect(after.statusCode).toBe(200);
    expect(decode(after.rawPayload, 'hazards').find((f) => f.id === h.id)?.status).toBe('closed');
    expect(after.headers.etag).not.toBe(first.headers.etag);
    // The old tag no longer matches: the browser gets the new tile, not a 304.
    const revalidated = await call('GET', url('hazards', t), {
      ...admin,
      'if-none-match': String(first.headers.etag),
    });
    expect(revalidated.statusCode).toBe(200);
    const current = await call('GET', url('hazards', t), {
      ...admin,
      'if-none-match': String(after.headers.etag),
    });
    expect(current.statusCode).toBe(304);
    // The hazard-points layer is made from the same table: it changed too.
    expect(
      decode((await call('GET', url('hazard-points', t))).rawPayload, 'hazard-points').find(
        (f) => f.id === h.id,
      )?.status,
    ).toBe('closed');
  });

  it('serves no stale tile after an archive, a write outside the services, or a filtered one after its admin area moves', async () => {
    const t = tileOf(HOME, 13);
    const a = await created('/api/v1/accidents', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [HOME[0] + 0.001, HOME[1] - 0.001] },
      properties: { occurredOn: '2022-01-01' },
    });
    const ids = async (query = '') =>
      decode((await call('GET', url('accidents', t, query))).rawPayload, 'accidents').map((f) => f.id);
    expect(await ids()).toContain(a.id);
    const del = await call('DELETE', `/api/v1/accidents/${a.id}`, { ...admin, 'if-match': '"1"' });
    expect(del.statusCode, del.body).toBe(200);
    expect(await ids()).not.toContain(a.id);

    // Even a statement run on the database directly (a restore, a repair) bumps the generation.
    await sql`update accidents set archived_at = null where id = ${a.id}`.execute(database.db);
    expect(await ids()).toContain(a.id);

    // Filtered by an admin area: the tile depends on that area's boundary too.
    const area = await created('/api/v1/admin-areas', {
      type: 'Feature',
      geometry: square(HOME[0] - 0.01, HOME[1] - 0.01, 0.03),
      properties: { pcode: `TC${Date.now().toString(36)}`, name: 'Cache District', level: 2 },
    });
    expect(await ids(`?adminArea=${area.id}`)).toContain(a.id);
    const moved = await call(
      'PATCH',
      `/api/v1/admin-areas/${area.id}`,
      { ...admin, 'if-match': '"1"' },
      {
        type: 'Feature',
        geometry: square(HOME[0] + 1, HOME[1] + 1, 0.03),
        properties: { pcode: area.properties.pcode, name: 'Cache District', level: 2 },
      },
    );
    expect(moved.statusCode, moved.body).toBe(200);
    expect(await ids(`?adminArea=${area.id}`)).not.toContain(a.id);
  });

  it('makes the warm-up tiles of every layer at start, and goes on past a layer that fails', async () => {
    const { TileService, WARM_UP_TILES } = await import('../../src/services/tiles.ts');
    tiles.cache.clear();
    const errors: unknown[] = [];
    // With the encoder of this app's tiles route, as the server does.
    const made = await tiles.warmUp({ encoder: 'js', onError: (err) => errors.push(err) });
    expect(errors).toEqual([]);
    expect(made).toBe(WARM_UP_TILES.length * TILE_LAYERS.length);
    expect(tiles.cache.size).toBe(made);
    // A user's request for one of them is answered from the cache: nothing new is kept.
    const [z, x, y] = WARM_UP_TILES[0]!;
    const r = await call('GET', `/tiles/hazards/${z}/${x}/${y}`);
    expect([200, 204]).toContain(r.statusCode);
    expect(tiles.cache.size).toBe(made);
    // A service that cannot make some layers (here: only the hazards register known) makes the
    // others and reports each failure.
    const hazards = app.services.registers.get('hazards')!;
    const partial = new TileService(database, new Map([['hazards', hazards]]));
    const failed: unknown[] = [];
    const some = await partial.warmUp({ encoder: 'js', onError: (err) => failed.push(err) });
    const ofHazards = TILE_LAYERS.filter((l) => l.register.slug === 'hazards').length;
    expect(some).toBe(WARM_UP_TILES.length * ofHazards);
    expect(failed).toHaveLength(WARM_UP_TILES.length * (TILE_LAYERS.length - ofHazards));
  });

  it('keeps no more than its memory bound, dropping the least recently used tiles', async () => {
    const { TileCache } = await import('../../src/services/tiles.ts');
    const cache = new TileCache(3 * 1300);
    const tile = (n: number) => ({ bytes: new Uint8Array(1000).fill(n), etag: `"${n}"` });
    cache.set('a', tile(1));
    cache.set('b', tile(2));
    cache.set('c', tile(3));
    expect(cache.get('a')?.etag).toBe('"1"'); // a is now the most recently used
    cache.set('d', tile(4));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.etag).toBe('"1"');
    expect(cache.get('d')?.etag).toBe('"4"');
    expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes);
    // A tile larger than the whole cache is not kept; a cache of 0 keeps nothing.
    cache.set('e', { bytes: new Uint8Array(10_000), etag: '"e"' });
    expect(cache.get('e')).toBeUndefined();
    const none = new TileCache(0);
    none.set('a', tile(1));
    expect(none.size).toBe(0);
  });
});

describe('pre-aggregated finding clusters', () => {
  const layer = tileLayer('findings')!;
  const live = { ...layer, clusterTable: undefined };
  const sorted = (rows: Awaited<ReturnType<typeof tileFeatures>>) =>
    rows
      .map((r) => (r.kind === 'point' ? `${r.x},${r.y}:${r.properties.count}` : 'polygon'))
      .sort()
      .join(' ');
  const both = async (z: number, at: XY) => {
    const address = tileOf(at, z);
    const filters = { equals: [] };
    const pre = await tileFeatures(database.db, { layer, filters, ...address });
    const agg = await tileFeatures(database.db, { layer: live, filters, ...address });
    return {
      pre: sorted(pre),
      live: sorted(agg),
      count: pre.reduce((s, r) => s + Number(r.properties.count), 0),
    };
  };

  it('equal the live aggregation after inserts, moves and archiving, at every cluster zoom', async () => {
    const place: XY = [HOME[0] + 0.3, HOME[1] + 0.3];
    const made: Array<{ id: string }> = [];
    for (let i = 0; i < 12; i++) {
      made.push(await created('/api/v1/findings', finding([place[0] + i * 0.0013, place[1] - i * 0.0007])));
    }
    const zooms = [3, 7, 9, 11];
    const before: number[] = [];
    for (const z of zooms) {
      const r = await both(z, place);
      expect(r.pre, `z${z}`).toBe(r.live);
      before.push(r.count);
      expect(r.count, `z${z}`).toBeGreaterThanOrEqual(12);
    }
    // Move one far away, archive another: both leave these cells.
    const move = await call(
      'PATCH',
      `/api/v1/findings/${made[0]!.id}`,
      { ...admin, 'if-match': '"1"' },
      finding([place[0] + 20, place[1] + 20]),
    );
    expect(move.statusCode, move.body).toBe(200);
    const archive = await call('DELETE', `/api/v1/findings/${made[1]!.id}`, { ...admin, 'if-match': '"1"' });
    expect(archive.statusCode, archive.body).toBe(200);
    for (const [i, z] of zooms.entries()) {
      const r = await both(z, place);
      expect(r.pre, `z${z}`).toBe(r.live);
      if (z >= 7) expect(r.count, `z${z}`).toBe(before[i]! - 2);
    }
    // Over HTTP, the cluster tile shows the change (a new generation, a new tile).
    const t = tileOf(place, 9);
    const count = async () =>
      decode((await call('GET', url('findings', t))).rawPayload, 'findings').reduce(
        (s, f) => s + Number(f.count),
        0,
      );
    const n = await count();
    await created('/api/v1/findings', finding([place[0] + 0.0001, place[1]]));
    expect(await count()).toBe(n + 1);
  });
});
