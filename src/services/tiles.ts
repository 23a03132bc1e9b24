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
  tileLayer,
} from '../db/repositories/tiles.ts';
import { Problem } from '../domain/problem.ts';
import { clipBox, clipPolygons, encodeTile, pointInBox, type TileFeature } from '../io/mvt.ts';
import type { Actor } from './actor.ts';
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

/**
 * The vector tiles of the registers' map layers. Every tile is read through its register's one
 * read path (RegisterService.tile: `record.read`), with the list API's filters.
 */
export class TileService {
  constructor(
    private readonly database: Database,
    private readonly registers: ReadonlyMap<string, RegisterService>,
  ) {}

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
   * One tile's bytes (empty when no feature falls in it); `y` carries the `.mvt` suffix. Example:
   * `await tiles.tile(actor, 'hazards', ['3', '4', '5.mvt'], { status: 'open' })`.
   */
  async tile(
    actor: Actor,
    layerName: string,
    [z, x, y]: [string, string, string],
    query: Record<string, string | undefined>,
    encoder: TileEncoder = defaultEncoder(this.database),
  ): Promise<Uint8Array> {
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
    };
    return register.tile(actor, layer, address, filters, encoder);
  }
}

function assertSignedIn(actor: Actor | null): asserts actor is Actor {
  if (!actor) throw new Problem('auth.required', {}, { pointer: '' });
}
