import type { Geometry } from './types.ts';

/**
 * A GeometryCollection (a KML MultiGeometry, or GeoJSON written by tools that do not merge
 * parts) whose members are all polygons (or all points, or all lines) is the corresponding
 * Multi* geometry, which registers store.
 * Example: collection of two Polygons → MultiPolygon with two polygons.
 */
export function normaliseCollection(g: Geometry): Geometry {
  if (g.type !== 'GeometryCollection' || !g.geometries?.length) return g;
  const parts = g.geometries.map(normaliseCollection);
  const kinds = new Set(parts.map((p) => p.type.replace(/^Multi/, '')));
  if (kinds.size !== 1) return { type: 'GeometryCollection', geometries: parts };
  const kind = [...kinds][0]!;
  if (kind === 'GeometryCollection') return g;
  const coordinates: unknown[] = [];
  for (const p of parts) {
    if (p.type.startsWith('Multi')) coordinates.push(...(p.coordinates as unknown[]));
    else coordinates.push(p.coordinates);
  }
  return { type: `Multi${kind}`, coordinates };
}
