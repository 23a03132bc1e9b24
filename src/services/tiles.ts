import { createHash } from 'node:crypto';
import type { Database } from '../db/connect.ts';
import {
  CLUSTER_PROPERTIES,
  mvtTile,
  TILE_BUFFER,
  TILE_EXTENT,
  TILE_LAYERS,
  type TileAddress,
  type TileFilters,
  type TileLayer,
  type TileQuery,
  tileFeatures,
  tileGenerations,
  tileLayer,
  tileSourceTables,
} from '../db/repositories/tiles.ts';
import { Problem } from '../domain/problem.ts';
import { clipBox, clipPolygons, encodeTile, pointInBox, type TileFeature } from '../io/mvt.ts';
import { type Actor, SYSTEM_ACTOR } from './actor.ts';
import { parseListQuery } from './list-query.ts';
import type { RegisterService } from './registers.ts';

export type { TileAddress, TileFilters, TileLayer } from '../db/repositories/tiles.ts';

/** Which encoder makes the tile: PostGIS (`ST_AsMVT`, PostgreSQL only) or the JS encoder (both drivers). */
export type TileEncoder = 'postgis' | 'js';

export const MAX_ZOOM = 24;

/** The encoder a database uses when none is asked for: PostGIS where it can encode. */
export function defaultEncoder(database: Database): TileEncoder {
  return database.kind === 'postgresql' ? 'postgis' : 'js';
}

/**
 * Reads z/x/y from the URL segments (`y` may carry the `.mvt` suffix) and checks the tile exists.
 * @example parseTileAddress('3', '4', '5.mvt') // → { z: 3, x: 4, y: 5 }
 */
export function parseTileAddress(z: string, x: string, y: string): TileAddress {
  const yDigits = y.endsWith('.mvt') ? y.slice(0, -4) : y;
  const ok = [z, x, yDigits].every((s) => /^\d{1,8}$/.test(s));
  const address = { z: Number(z), x: Number(x), y: Number(yDigits) };
  const n = 2 ** address.z;
  if (!ok || address.z > MAX_ZOOM || address.x >= n || address.y >= n) {
    throw new Problem('tiles.coordinates_invalid', { z, x, y: yDigits, maxZoom: MAX_ZOOM }, { pointer: '' });
  }
  return address;
}

/** The tile's bytes, made by the given encoder; empty when no feature falls in the tile. */
export async function renderTile(
  database: Database,
  layer: TileLayer,
  address: TileAddress,
  filters: TileFilters,
  encoder: TileEncoder,
): Promise<Uint8Array> {
  const query: TileQuery = { layer, filters, ...address };
  if (encoder === 'postgis') return mvtTile(database.db, query);
  const rows = await tileFeatures(database.db, query);
  const box = clipBox(TILE_EXTENT, TILE_BUFFER);
  const features: TileFeature[] = [];
  for (const row of rows) {
    const properties = row.properties as TileFeature['properties'];
    if (row.kind === 'point') {
      if (pointInBox([row.x, row.y], box))
        features.push({ type: 'point', point: [row.x, row.y], properties });
    } else {
      const polygons = clipPolygons(row.geometry, box);
      if (polygons) features.push({ type: 'polygon', polygons, properties });
    }
  }
  return encodeTile(layer.name, features, TILE_EXTENT);
}

/** A strong validator of the tile bytes. */
export function tileEtag(bytes: Uint8Array): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
}

/** A tile as the routes send it: its bytes (empty: no feature) and their ETag. */
export interface Tile {
  bytes: Uint8Array;
  etag: string;
}

/** How a register's read path makes a tile from the database (RegisterService.tile). */
export type TileRenderer = (
  database: Database,
  layer: TileLayer,
  address: TileAddress,
  filters: TileFilters,
  encoder: TileEncoder,
) => Promise<Uint8Array>;

/** Bytes a cache entry costs beyond its tile and key (the Map entry, the objects, the ETag). */
const ENTRY_OVERHEAD = 200;

/**
 * Tiles kept in memory, least recently used dropped first, bounded by the bytes of the tiles and
 * their keys (SAFEGROUND_TILE_CACHE_MB; 0 keeps none). Keys carry the generations of the tables
 * the tile is made from, so a change makes new keys and the old entries age out unused.
 */
export class TileCache {
  private readonly entries = new Map<string, Tile>();
  private used = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.used;
  }

  get(key: string): Tile | undefined {
    const tile = this.entries.get(key);
    if (!tile) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, tile);
    return tile;
  }

  set(key: string, tile: Tile): void {
    const cost = entryCost(key, tile);
    if (cost > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.used -= entryCost(key, old);
    }
    this.entries.set(key, tile);
    this.used += cost;
    for (const [k, t] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(k);
      this.used -= entryCost(k, t);
    }
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }
}

function entryCost(key: string, tile: Tile): number {
  return tile.bytes.byteLength + key.length * 2 + ENTRY_OVERHEAD;
}

/**
 * The cache key of a tile: layer, address, filters, encoder and the generation of every table
 * it is made from. Undefined when a table has no generation (such a tile is never cached).
 */
export function tileCacheKey(
  generations: ReadonlyMap<string, number>,
  layer: TileLayer,
  { z, x, y }: TileAddress,
  filters: TileFilters,
  encoder: TileEncoder,
): string | undefined {
  const parts: string[] = [];
  for (const table of tileSourceTables(layer, filters)) {
    const g = generations.get(table);
    if (g === undefined) return undefined;
    parts.push(`${table}@${g}`);
  }
  const f = [
    [...filters.equals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    filters.adminAreaId ?? null,
    filters.from ?? null,
    filters.to ?? null,
    filters.text ?? null,
    filters.asAt ?? null,
  ];
  return `${layer.name}/${z}/${x}/${y}|${encoder}|${JSON.stringify(f)}|${parts.join(',')}`;
}

/**
 * The vector tiles of the registers' map layers. Every tile is read through its register's one
 * read path (RegisterService.tile: `record.read`), with the list API's filters.
 */
export class TileService {
  readonly cache: TileCache;

  /** `cacheBytes`: memory the tile cache may hold (SAFEGROUND_TILE_CACHE_MB; 0: no cache). */
  constructor(
    private readonly database: Database,
    private readonly registers: ReadonlyMap<string, RegisterService>,
    cacheBytes = 64 * 1024 * 1024,
  ) {
    this.cache = new TileCache(cacheBytes);
  }

  /** The layers and their properties, as `/tiles/layers.json` describes them (signed-in users). */
  layers(actor: Actor) {
    assertSignedIn(actor);
    return {
      tiles: '/tiles/{layer}/{z}/{x}/{y}.mvt',
      extent: TILE_EXTENT,
      buffer: TILE_BUFFER,
      minzoom: 0,
      maxzoom: MAX_ZOOM,
      layers: TILE_LAYERS.map((l) => ({
        id: l.name,
        register: l.register.slug,
        geometryType: l.geometry === 'point' ? 'Point' : 'Polygon',
        tiles: [`/tiles/${l.name}/{z}/{x}/{y}.mvt`],
        properties: Object.fromEntries(l.properties.map((p) => [p.name, p.type])),
        filters: [
          ...Object.keys(l.register.filters.equals),
          'adminArea',
          ...(l.register.filters.date ? ['from', 'to'] : []),
          'q',
          'asAt',
        ],
        ...(l.clusterBelowZoom !== undefined
          ? {
              clusterBelowZoom: l.clusterBelowZoom,
              clusterProperties: Object.fromEntries(CLUSTER_PROPERTIES.map((p) => [p.name, p.type])),
            }
          : {}),
      })),
    };
  }

  /**
   * One tile's bytes (empty when no feature falls in it) and ETag; `y` carries the `.mvt`
   * suffix. Example: `await tiles.tile(actor, 'hazards', ['3', '4', '5.mvt'], { status: 'open' })`.
   *
   * The permission is checked on every request (the register's read path), then the tile comes
   * from the cache when no table it is made from has changed since it was made. The
   * generations are read before the tile's rows, so a tile is never older than its key says.
   */
  async tile(
    actor: Actor,
    layerName: string,
    [z, x, y]: [string, string, string],
    query: Record<string, string | undefined>,
    encoder: TileEncoder = defaultEncoder(this.database),
  ): Promise<Tile> {
    const layer = tileLayer(layerName);
    if (!layer) {
      throw new Problem(
        'tiles.layer_unknown',
        { layer: layerName, known: TILE_LAYERS.map((l) => l.name).join(', ') },
        { pointer: '' },
      );
    }
    // The address is a file name: /tiles/hazards/3/4/5 is no tile.
    if (!y.endsWith('.mvt')) throw new Problem('route.not_found', {});
    const address = parseTileAddress(z, x, y);
    const register = this.registers.get(layer.register.slug)!;
    const list = parseListQuery(layer.register, query);
    const filters: TileFilters = {
      equals: list.equals,
      adminAreaId: list.adminAreaId,
      from: list.from,
      to: list.to,
      text: list.text,
      ...(list.asAt ? { asAt: list.asAt } : {}),
    };
    let made: Tile | undefined;
    const render: TileRenderer = async (database, ...args) => {
      const key =
        this.cache.maxBytes > 0
          ? tileCacheKey(await tileGenerations(database.db), layer, address, filters, encoder)
          : undefined;
      const cached = key === undefined ? undefined : this.cache.get(key);
      if (cached) {
        made = cached;
        return cached.bytes;
      }
      const bytes = await renderTile(database, ...args);
      made = { bytes, etag: tileEtag(bytes) };
      if (key !== undefined) this.cache.set(key, made);
      return bytes;
    };
    const bytes = await register.tile(actor, layer, address, filters, encoder, render);
    return made?.bytes === bytes ? made : { bytes, etag: tileEtag(bytes) };
  }

  /**
   * Makes the `WARM_UP_TILES` of every layer once, as the system, so that the first user's tiles
   * do not wait for what only the first tiles of a process wait for: the code compiled, the
   * statements planned, the tables' catalogue entries read. On the embedded database a server's
   * first tile took 100–150 ms and the next ones 3–30 ms (docs/benchmarks.md). Run in the
   * background once the server is up, with the encoder its tiles route uses (default: the
   * database's); what fails is passed to `onError`, never thrown. Returns the number of tiles made.
   */
  async warmUp(opts: { encoder?: TileEncoder; onError?: (err: unknown) => void } = {}): Promise<number> {
    let made = 0;
    for (const address of WARM_UP_TILES) {
      for (const layer of TILE_LAYERS) {
        try {
          await this.tile(SYSTEM_ACTOR, layer.name, address, {}, opts.encoder);
          made++;
        } catch (err) {
          opts.onError?.(err);
        }
      }
    }
    return made;
  }
}

/**
 * The tiles a server makes once after it starts (`TileService.warmUp`): the world's north-west
 * corner at zoom 6 (the zooms of clusters and simplified outlines) and at zoom 14 (every feature
 * as it is), empty for nearly any country's data, so they cost the same whatever the register
 * holds.
 */
export const WARM_UP_TILES: ReadonlyArray<[string, string, string]> = [
  ['6', '0', '0.mvt'],
  ['14', '0', '0.mvt'],
];

function assertSignedIn(actor: Actor | null): asserts actor is Actor {
  if (!actor) throw new Problem('auth.required', {}, { pointer: '' });
}
