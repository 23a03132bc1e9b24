import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VectorTile } from '@mapbox/vector-tile';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.ts';
import {
  HAZARD_CLUSTER_BELOW_ZOOM,
  TILE_BUFFER,
  TILE_EXTENT,
  TILE_OUTLINE_BANDS,
  tileFeatures,
  tileLayer,
} from '../../src/db/repositories/tiles.ts';
import { buildApp } from '../../src/http/app.ts';
import { tilesPlugin } from '../../src/http/tiles/plugin.ts';
import type { TileEncoder } from '../../src/services/tiles.ts';
import { login, testDatabase, testDatabaseKind } from './helpers/db.ts';
import { square, tileOf } from './helpers/geometry.ts';

/**
 * Hazard outlines per zoom band (migration 030) and hazard point clusters (031): below zoom 13 the hazards' tiles are made from
 * outlines already in Web Mercator, simplified within half a tile unit of the band's deepest zoom,
 * and without the hazards under three pixels across there (the map draws those as points). The
 * outlines must stay equal to a fresh computation from the register whatever the write, and the
 * tiles must show what the register holds.
 */

type XY = [number, number];
// A place of its own (other tile tests use 20.46, 44.81 and -58.38, -34.60).
const HOME: XY = [-70.65, -33.45];
const WORLD = 40_075_016.68557849;

let database: Database;
const apps: Partial<Record<TileEncoder, FastifyInstance>> = {};
let admin: Record<string, string>;
const encoders: TileEncoder[] = testDatabaseKind() === 'postgresql' ? ['postgis', 'js'] : ['js'];

/** A polygon of `n` vertices around a centre, of radius `r` degrees (a hazard's outline as surveyed). */
function circle([lon, lat]: XY, r: number, n = 120) {
  const ring = Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / n;
    return [lon + r * Math.cos(a), lat + r * Math.sin(a) * 0.8];
  });
  return { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
}

async function app(encoder: TileEncoder): Promise<FastifyInstance> {
  let a = apps[encoder];
  if (!a) {
    a = await buildApp({
      database,
      settings: { attachmentsDir: mkdtempSync(join(tmpdir(), 'safeground-att-')) },
      plugins: [(x) => tilesPlugin(x, { encoder })],
    });
    await a.ready();
    apps[encoder] = a;
  }
  return a;
}

const versioned = (f: { id: string; properties: { version: number } }) => ({
  id: f.id,
  version: f.properties.version,
});

async function hazard(geometry: unknown, code: string) {
  const r = await (await app('js')).inject({
    method: 'POST',
    url: '/api/v1/hazards',
    headers: admin,
    payload: {
      type: 'Feature',
      geometry,
      properties: { type: 'CHA', status: 'open', dateOfInformation: '2024-03-01', description: code },
    },
  });
  expect(r.statusCode, r.body).toBe(201);
  return versioned(r.json());
}

/** The hazards' features of a tile: id and number of vertices of each (all rings). */
async function features(encoder: TileEncoder, layer: string, z: number, at: XY, query = '') {
  const t = tileOf(at, z);
  const r = await (await app(encoder)).inject({
    method: 'GET',
    url: `/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt${query}`,
    headers: admin,
  });
  expect([200, 204], r.body).toContain(r.statusCode);
  const out = new Map<string, number>();
  if (r.statusCode === 204) return out;
  const l = new VectorTile(new PbfReader(new Uint8Array(r.rawPayload))).layers[layer];
  for (let i = 0; l && i < l.length; i++) {
    const f = l.feature(i);
    const rings = f.loadGeometry() as unknown as Array<Array<unknown>>;
    out.set(
      String(f.properties.id),
      rings.reduce((s, ring) => s + ring.length, 0),
    );
  }
  return out;
}

/** The outlines stored for these hazards, and the same computed afresh from the register. */
async function outlines(ids: string[]) {
  type Outline = { band: number; hazardId: string; wkt: string; grid: string | null };
  const stored = await sql<Outline>`
    select band, hazard_id, ST_AsText(geom) as wkt, ST_AsText(grid) as grid from hazard_outlines
    where hazard_id = any(${ids}::uuid[]) order by band, hazard_id`.execute(database.db);
  // The grid (032): the outline in tile units of the band's zoom over the whole world.
  const fresh = await sql<Outline>`
    select band, hazard_id, ST_AsText(m) as wkt,
      ST_AsText(ST_Simplify(ST_SnapToGrid(ST_SetSRID(ST_Affine(m, f, 0, 0, -f, ${WORLD / 2}::float8 * f, ${WORLD / 2}::float8 * f), 0), 1), 0)) as grid
    from (
    select b.band, h.id as hazard_id, 4096 * 2 ^ b.band / ${WORLD}::float8 as f,
      ST_SimplifyPreserveTopology(ST_Transform(h.geom, 3857), ${WORLD}::float8 / 512 / 2 ^ b.band / 16) as m
    from hazards h, unnest(${[...TILE_OUTLINE_BANDS]}::int[]) as b(band)
    where h.id = any(${ids}::uuid[]) and h.archived_at is null and h.geom is not null
      and ST_Area(ST_Transform(h.geom, 3857)) >= (3 * ${WORLD}::float8 / 512 / 2 ^ b.band) ^ 2
    ) o order by band, hazard_id`.execute(database.db);
  return { stored: stored.rows, fresh: fresh.rows };
}

beforeAll(async () => {
  database = await testDatabase();
  admin = await login('admin');
}, 120_000);

afterAll(async () => {
  for (const a of Object.values(apps)) await a?.close();
});

describe(`hazard outlines per zoom band on ${testDatabaseKind()}`, () => {
  it('stay equal to a fresh computation after inserts, reshaping, archiving and SQL by hand', async () => {
    // From 10 m to 8 km across: in no band, in some, in all.
    const made = [
      await hazard(square(HOME[0], HOME[1], 0.0001), 'tiny'),
      await hazard(square(HOME[0] + 0.01, HOME[1], 0.003), 'small'),
      await hazard(circle([HOME[0] + 0.2, HOME[1] + 0.1], 0.06), 'large'),
      await hazard(circle([HOME[0] - 0.3, HOME[1] - 0.2], 0.01, 40), 'medium'),
    ];
    const ids = made.map((h) => h.id);
    let o = await outlines(ids);
    expect(o.stored).toEqual(o.fresh);
    // Every band holds the large one; the tiny one is in none; a coarser band never holds more.
    const bandsOf = (id: string) => o.stored.filter((r) => r.hazardId === id).map((r) => r.band);
    expect(bandsOf(made[2]!.id)).toEqual([...TILE_OUTLINE_BANDS]);
    expect(bandsOf(made[0]!.id)).toEqual([]);
    expect(bandsOf(made[1]!.id).length).toBeGreaterThan(0);
    expect(bandsOf(made[1]!.id).length).toBeLessThan(TILE_OUTLINE_BANDS.length);

    // Reshaped through the API: the tiny one grows, the large one shrinks to a few metres.
    const js = await app('js');
    const patch = async (h: { id: string; version: number }, geometry: unknown) => {
      const r = await js.inject({
        method: 'PATCH',
        url: `/api/v1/hazards/${h.id}`,
        headers: { ...admin, 'if-match': `"${h.version}"` },
        payload: { type: 'Feature', geometry, properties: {} },
      });
      expect(r.statusCode, r.body).toBe(200);
      return versioned(r.json());
    };
    made[0] = await patch(made[0]!, circle(HOME, 0.05));
    made[2] = await patch(made[2]!, square(HOME[0] + 0.2, HOME[1] + 0.1, 0.0003));
    o = await outlines(ids);
    expect(o.stored).toEqual(o.fresh);
    expect(o.stored.filter((r) => r.hazardId === made[0]!.id).length).toBe(TILE_OUTLINE_BANDS.length);

    // A change that moves nothing leaves the outlines as they were.
    const before = o.stored;
    made[1] = await patch(made[1]!, square(HOME[0] + 0.01, HOME[1], 0.003));
    expect((await outlines(ids)).stored).toEqual(before);

    // Archived: gone from every band.
    const archive = await js.inject({
      method: 'DELETE',
      url: `/api/v1/hazards/${made[3]!.id}`,
      headers: { ...admin, 'if-match': `"${made[3]!.version}"` },
    });
    expect(archive.statusCode, archive.body).toBe(200);
    o = await outlines(ids);
    expect(o.stored).toEqual(o.fresh);
    expect(o.stored.some((r) => r.hazardId === made[3]!.id)).toBe(false);

    // SQL by hand (a restore, a repair) is followed too, many rows in one statement.
    await sql`update hazards set geom = ST_Translate(geom, 0.001, 0) where id = any(${ids}::uuid[])`.execute(
      database.db,
    );
    o = await outlines(ids);
    expect(o.stored).toEqual(o.fresh);
    expect(o.stored.length).toBeGreaterThan(0);
  });

  it.each(encoders)(
    'draw a large hazard simplified and leave a small one to the points below zoom 13; both from 13 on (%s)',
    async (encoder) => {
      const place: XY = [HOME[0] + 1, HOME[1] + 0.5];
      const large = await hazard(circle(place, 0.03, 400), `large-${encoder}`);
      const small = await hazard(square(place[0] + 0.001, place[1] + 0.001, 0.0005), `small-${encoder}`);

      const z8 = await features(encoder, 'hazards', 8, place);
      expect(z8.has(large.id)).toBe(true);
      expect(z8.has(small.id)).toBe(false);
      // Simplified within half a unit, snapped to whole units: far fewer than the 401 positions.
      expect(z8.get(large.id)!).toBeLessThan(120);
      // The points layer still marks the small one, and the tile as at today reads the register.
      expect((await features(encoder, 'hazard-points', 10, place)).has(small.id)).toBe(true);
      const asAt = await features(
        encoder,
        'hazards',
        8,
        place,
        `?asAt=${new Date().toISOString().slice(0, 10)}`,
      );
      expect(asAt.has(large.id)).toBe(true);

      const z14 = await features(encoder, 'hazards', 14, [place[0] + 0.001, place[1] + 0.001]);
      expect(z14.has(small.id)).toBe(true);

      // The tile follows an archive at once (the hazards' generation moved).
      const archive = await (await app('js')).inject({
        method: 'DELETE',
        url: `/api/v1/hazards/${large.id}`,
        headers: { ...admin, 'if-match': `"${large.version}"` },
      });
      expect(archive.statusCode, archive.body).toBe(200);
      expect((await features(encoder, 'hazards', 8, place)).has(large.id)).toBe(false);
    },
  );
});

describe(`hazard point clusters on ${testDatabaseKind()}`, () => {
  const layer = tileLayer('hazard-points')!;
  // The register's own rows, aggregated as a filtered tile would without the kept points.
  const live = { ...layer, clusterTable: undefined, pointTable: undefined };
  const inBuffer = (v: number) => v >= -TILE_BUFFER && v <= TILE_EXTENT + TILE_BUFFER;
  /** The clusters a tile shows (both ways read cells beyond its buffer, which the encoders clip). */
  const shown = (rows: Awaited<ReturnType<typeof tileFeatures>>) =>
    rows
      .filter((r) => r.kind === 'point' && inBuffer(r.x) && inBuffer(r.y))
      .map((r) => (r.kind === 'point' ? `${r.x},${r.y}:${r.properties.count}` : ''))
      .sort();
  /** The pre-aggregated clusters of the tile at `at` and the live aggregation of the register. */
  const both = async (z: number, at: XY) => {
    const address = tileOf(at, z);
    const filters = { equals: [] };
    const pre = shown(await tileFeatures(database.db, { layer, filters, ...address }));
    const agg = shown(await tileFeatures(database.db, { layer: live, filters, ...address }));
    return { pre, live: agg, count: pre.reduce((n, c) => n + Number(c.split(':')[1]), 0) };
  };
  const zooms = [2, 4, 6, HAZARD_CLUSTER_BELOW_ZOOM - 1];
  /** The kept points on surface (hazard_points) equal a fresh computation from the register. */
  const pointsKept = async () => {
    const stored = await sql<{ hazardId: string; wkt: string }>`
      select hazard_id, ST_AsText(geom) as wkt from hazard_points order by hazard_id`.execute(database.db);
    const fresh = await sql<{ hazardId: string; wkt: string }>`
      select id as hazard_id, ST_AsText(ST_Transform(ST_PointOnSurface(geom), 3857)) as wkt from hazards
      where archived_at is null and geom is not null order by id`.execute(database.db);
    expect(stored.rows).toEqual(fresh.rows);
    expect(stored.rows.length).toBeGreaterThan(0);
  };
  const counts = async (at: XY) => {
    await pointsKept();
    const out: number[] = [];
    for (const z of zooms) {
      const r = await both(z, at);
      expect(r.pre, `z${z}`).toEqual(r.live);
      out.push(r.count);
    }
    return out;
  };

  it('equal the live aggregation after inserts, reshaping, archiving and SQL by hand, and count only the hazards drawn as points', async () => {
    const place: XY = [HOME[0] + 2, HOME[1] - 1];
    const before = await counts(place);
    // Eight small hazards, and one of about 2 800 km² (a point below zoom 4, a polygon from it on).
    const small = [];
    for (let i = 0; i < 8; i++) {
      small.push(
        await hazard(square(place[0] + i * 0.013, place[1] - i * 0.007, 0.0005 + i * 0.0004), `p${i}`),
      );
    }
    const large = await hazard(circle([place[0] + 0.1, place[1] + 0.1], 0.3), 'wide');
    const added = (await counts(place)).map((n, i) => n - before[i]!);
    expect(added).toEqual([9, 8, 8, 8]);

    // Reshaped through the API: a small one grows to a polygon seen at zoom 4 and beyond.
    const js = await app('js');
    const grown = await js.inject({
      method: 'PATCH',
      url: `/api/v1/hazards/${small[0]!.id}`,
      headers: { ...admin, 'if-match': `"${small[0]!.version}"` },
      payload: { type: 'Feature', geometry: circle([place[0] - 0.2, place[1]], 0.3), properties: {} },
    });
    expect(grown.statusCode, grown.body).toBe(200);
    // Archived: counted nowhere.
    const archive = await js.inject({
      method: 'DELETE',
      url: `/api/v1/hazards/${small[1]!.id}`,
      headers: { ...admin, 'if-match': `"${small[1]!.version}"` },
    });
    expect(archive.statusCode, archive.body).toBe(200);
    expect((await counts(place)).map((n, i) => n - before[i]!)).toEqual([8, 6, 6, 6]);

    // SQL by hand, many rows in one statement: moved, and the wide one made small.
    const ids = [...small, large].map((h) => h.id);
    await sql`update hazards set geom = ST_Translate(geom, 0.002, -0.001) where id = any(${ids}::uuid[])`.execute(
      database.db,
    );
    await sql`update hazards set geom = ST_Multi(ST_Buffer(ST_PointOnSurface(geom), 0.001)) where id = ${large.id}`.execute(
      database.db,
    );
    expect((await counts(place)).map((n, i) => n - before[i]!)).toEqual([8, 7, 7, 7]);
  });
});
