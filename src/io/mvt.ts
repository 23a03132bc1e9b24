import vtpbf from 'vt-pbf';

/**
 * The JS vector-tile encoder, used where PostGIS cannot encode (PGlite has no protobuf). Its
 * input is the database's rows with geometry already in tile units and snapped to the integer
 * grid (see db/repositories/tiles.ts); here we do what ST_AsMVTGeom does after that: clip to
 * the buffered tile, keep polygons' rings in the MVT winding, and encode with vt-pbf.
 *
 * Clipping is Sutherland–Hodgman against the axis-aligned buffer box, as geojson-vt does:
 * a concave polygon cut by the box can keep a zero-width edge along the box side where
 * PostGIS's wagyu would split it in two; both fill the same pixels.
 */

export type TileValue = string | number | boolean;
export type TileProperties = Record<string, TileValue>;
export type Ring = Array<[number, number]>;

export type TileFeature =
  | { type: 'point'; point: [number, number]; properties: TileProperties }
  /** Polygons as lists of rings, the first of each the exterior, the others its holes. */
  | { type: 'polygon'; polygons: Ring[][]; properties: TileProperties };

export interface ClipBox {
  min: number;
  max: number;
}

/** The box ST_AsMVTGeom clips to: the tile widened by the buffer on every side. */
export function clipBox(extent: number, buffer: number): ClipBox {
  return { min: -buffer, max: extent + buffer };
}

/**
 * Whether a point in tile units survives clipping (the box includes its edges, as PostGIS's does).
 * @example pointInBox([4160, 0], clipBox(4096, 64)) // → true
 */
export function pointInBox([x, y]: [number, number], box: ClipBox): boolean {
  return x >= box.min && x <= box.max && y >= box.min && y <= box.max;
}

/**
 * Twice the signed area by the surveyor's formula, in tile units (y down). The MVT spec
 * defines an exterior ring as one with a positive value (clockwise on screen).
 * @example ringArea2([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]) // → 200
 */
export function ringArea2(ring: Ring): number {
  let sum = 0;
  const n = ring.length;
  if (!n) return 0;
  let prev = ring[n - 1]!;
  for (let i = 0; i < n; i++) {
    const cur = ring[i]!;
    sum += prev[0] * cur[1] - cur[0] * prev[1];
    prev = cur;
  }
  return sum;
}

type Axis = 0 | 1;

// One Sutherland–Hodgman pass: keeps the part of a closed ring on the inner side of `coord = edge`.
function clipAgainst(ring: Ring, axis: Axis, edge: number, keepBelow: boolean): Ring {
  const out: Ring = [];
  const inside = (p: [number, number]) => (keepBelow ? p[axis] <= edge : p[axis] >= edge);
  for (let i = 0, n = ring.length; i < n; i++) {
    const cur = ring[i]!;
    const prev = ring[(i + n - 1) % n]!;
    const curIn = inside(cur);
    const prevIn = inside(prev);
    if (curIn !== prevIn) {
      const t = (edge - prev[axis]) / (cur[axis] - prev[axis]);
      const other: Axis = axis === 0 ? 1 : 0;
      const p: [number, number] = [0, 0];
      p[axis] = edge;
      p[other] = prev[other] + t * (cur[other] - prev[other]);
      out.push(p);
    }
    if (curIn) out.push(cur);
  }
  return out;
}

/**
 * Clips a ring (closed or not) to the box, rounds to the integer grid, drops repeated points;
 * returns a closed ring, or null when nothing with an area is left.
 * @example clipRing([[-100, 0], [100, 0], [100, 100], [-100, 100]], { min: -64, max: 4160 })
 *   // → [[-64, 0], [100, 0], [100, 100], [-64, 100], [-64, 0]]
 */
export function clipRing(ring: Ring, box: ClipBox): Ring | null {
  const n = ring.length > 1 && sameXY(ring[0]!, ring[ring.length - 1]!) ? ring.length - 1 : ring.length;
  let inside = true;
  for (let i = 0; i < n && inside; i++) {
    const [x, y] = ring[i]!;
    inside = x >= box.min && x <= box.max && y >= box.min && y <= box.max;
  }
  let pts = ring;
  let count = n;
  if (!inside) {
    pts = clipAgainst(ring.slice(0, n), 0, box.min, false);
    pts = clipAgainst(pts, 0, box.max, true);
    pts = clipAgainst(pts, 1, box.min, false);
    pts = clipAgainst(pts, 1, box.max, true);
    count = pts.length;
  }
  // Rounded to the grid (the database's points are whole already and are kept as they are).
  const rounded: Ring = [];
  for (let i = 0; i < count; i++) {
    const p = pts[i]!;
    const x = Math.round(p[0]);
    const y = Math.round(p[1]);
    const last = rounded[rounded.length - 1];
    if (last && last[0] === x && last[1] === y) continue;
    rounded.push(x === p[0] && y === p[1] ? p : [x, y]);
  }
  while (rounded.length > 1 && sameXY(rounded[0]!, rounded[rounded.length - 1]!)) rounded.pop();
  const ringOut = dropCollinear(rounded);
  if (ringOut.length < 3) return null;
  ringOut.push([ringOut[0]![0], ringOut[0]![1]]);
  // PostGIS drops rings of less than one square unit (a half-unit triangle is the smallest
  // non-empty one); so do we, for the same features on both paths.
  return Math.abs(ringArea2(ringOut)) < 2 ? null : ringOut;
}

/**
 * Drops vertices on a straight line through their neighbours (spikes included), around the
 * whole ring, in place: ST_Simplify(…, 0) keeps a ring's first point even when it is collinear,
 * wagyu does not.
 * @example dropCollinear([[0, 0], [5, 0], [10, 0], [10, 10]]) // → [[0, 0], [10, 0], [10, 10]]
 */
function dropCollinear(pts: Ring): Ring {
  let changed = true;
  while (changed && pts.length >= 3) {
    changed = false;
    for (let i = 0; i < pts.length && pts.length >= 3; i++) {
      const a = pts[(i + pts.length - 1) % pts.length]!;
      const b = pts[i]!;
      const c = pts[(i + 1) % pts.length]!;
      if ((b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]) === 0) {
        pts.splice(i, 1);
        i--;
        changed = true;
      }
    }
  }
  return pts;
}

function sameXY(a: [number, number], b: [number, number]): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/** A ring turned so that its signed area has the wanted sign (exteriors positive, holes negative). */
function oriented(ring: Ring, positive: boolean): Ring {
  return ringArea2(ring) > 0 === positive ? ring : ring.slice().reverse();
}

/**
 * Clips GeoJSON-shaped polygon coordinates (Polygon or MultiPolygon, in tile units) to the box
 * and orients the rings as MVT wants. Returns null when nothing is left.
 */
export function clipPolygons(
  geometry: { type: string; coordinates: unknown },
  box: ClipBox,
): Ring[][] | null {
  const polygons =
    geometry.type === 'Polygon'
      ? [geometry.coordinates as Ring[]]
      : geometry.type === 'MultiPolygon'
        ? (geometry.coordinates as Ring[][])
        : [];
  const out: Ring[][] = [];
  for (const rings of polygons) {
    const [outer, ...holes] = rings;
    if (!outer) continue;
    const exterior = clipRing(outer, box);
    if (!exterior) continue;
    const polygon: Ring[] = [oriented(exterior, true)];
    for (const hole of holes) {
      const clipped = clipRing(hole, box);
      if (clipped) polygon.push(oriented(clipped, false));
    }
    out.push(polygon);
  }
  return out.length ? out : null;
}

/**
 * Encodes one layer as a Mapbox Vector Tile (spec 2.1). Empty input gives empty bytes, as
 * ST_AsMVT gives for a tile without features.
 */
export function encodeTile(layerName: string, features: TileFeature[], extent: number): Uint8Array {
  if (!features.length) return new Uint8Array(0);
  const vtFeatures = features.map((f) =>
    f.type === 'point'
      ? { type: 1, geometry: [f.point], tags: f.properties }
      : { type: 3, geometry: f.polygons.flat(), tags: f.properties },
  );
  return vtpbf.fromGeojsonVt({ [layerName]: { features: vtFeatures } }, { version: 2, extent });
}
