/**
 * The GeoJSON geometries Safeground stores (RFC 7946, WGS 84 longitude/latitude in degrees,
 * optional height). Narrower than `@types/geojson` on purpose: a position is exactly two or
 * three numbers, which is what the validator guarantees and the database columns hold.
 */
export type Position = [number, number] | [number, number, number];

export interface Point {
  type: 'Point';
  coordinates: Position;
}

export interface MultiPoint {
  type: 'MultiPoint';
  coordinates: Position[];
}

export interface LineString {
  type: 'LineString';
  coordinates: Position[];
}

export interface MultiLineString {
  type: 'MultiLineString';
  coordinates: Position[][];
}

/** Rings: the first is the outer ring (shell), the others are holes; each ring is closed. */
export interface Polygon {
  type: 'Polygon';
  coordinates: Position[][];
}

export interface MultiPolygon {
  type: 'MultiPolygon';
  coordinates: Position[][][];
}

export type Geometry = Point | MultiPoint | LineString | MultiLineString | Polygon | MultiPolygon;

export type GeometryType = Geometry['type'];

export const GEOMETRY_TYPES: readonly GeometryType[] = [
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
];

/** True when `name` is one of the geometry types above, e.g. `isGeometryType('Polygon') === true`. */
export function isGeometryType(name: unknown): name is GeometryType {
  return typeof name === 'string' && (GEOMETRY_TYPES as readonly string[]).includes(name);
}

/** Nesting depth of positions in `coordinates` for a type, e.g. `positionDepth('Polygon') === 2`. */
export function positionDepth(type: GeometryType): number {
  switch (type) {
    case 'Point':
      return 0;
    case 'MultiPoint':
    case 'LineString':
      return 1;
    case 'MultiLineString':
    case 'Polygon':
      return 2;
    case 'MultiPolygon':
      return 3;
  }
}
