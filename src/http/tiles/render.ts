import { createHash } from 'node:crypto';
import type { Database } from '../../db/connect.ts';
import {
  mvtTile,
  TILE_BUFFER,
  TILE_EXTENT,
  type TileAddress,
  type TileFilters,
  type TileLayer,
  type TileQuery,
  tileFeatures,
} from '../../db/repositories/tiles.ts';
import { Problem } from '../../domain/problem.ts';
import { clipBox, clipPolygons, encodeTile, pointInBox, type TileFeature } from './encode.ts';

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
