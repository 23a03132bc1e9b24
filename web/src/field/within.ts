import type { Position as GeoPosition, MultiPolygon, Polygon } from 'geojson';
import { difference } from 'polyclip-ts';
import { convexHull } from '../../../src/geo/record-uncertainty.ts';

/**
 * "Inside the hazard" on the device, measured as the server measures it
 * (src/db/repositories/rules.ts, used by src/services/register-hooks/land-release.ts and the
 * `finding.outside_hazard` warning of src/services/reports.ts), so that the device refuses what
 * the server refuses and nothing more:
 *
 * - a land-release polygon is outside when the area of it that lies outside the hazard grown by
 *   the tolerance (`ST_Difference(p, ST_Buffer(hazard, 1 m))`) exceeds 0.01 m²; the problem
 *   names that area and the farthest of its corners from the hazard, as the server's does;
 * - a finding is outside when it lies farther than the tolerance from the hazard (0 inside).
 *
 * The whole polygon is compared, not its corners: an edge that leaves a concave hazard between
 * two corners inside it, a polygon over a hole of the hazard, or one that spans two parts of a
 * multi-polygon hazard are all outside. The difference and the union of the tolerance strips are
 * computed by polyclip-ts (the Martinez-Rueda sweep the server's own minefield-record buffers use,
 * src/geo/record-uncertainty.ts, whose convex hull builds the strips) on a local plane in metres.
 * The database's buffer is a polygon of 32 segments a circle; the strips here use 16, so a
 * corner of the tolerance may differ by 2 cm.
 * @turf/boolean-within was not used: it has no tolerance, and for a polygon in a polygon it
 * tests the vertices only (the fault this module exists to avoid).
 */

/** Land released may stick out of its hazard by this much (LAND_RELEASE_TOLERANCE_M on the server). */
export const RELEASE_TOLERANCE_M = 1;
/** More than this outside the hazard is the server's `land_release.outside_hazard`. */
export const RELEASE_OUTSIDE_M2 = 0.01;
/** A finding farther than this from its hazard is a warning (the server's default `findingOutsideHazardM`). */
export const FINDING_TOLERANCE_M = 50;

/** Coordinates are snapped to a millimetre: the sweep fails on vertices that differ by a few ulps. */
const GRID = 1000;
/** Segments of a whole circle in a tolerance strip (PostGIS: 32; 16 leave out at most 2 cm of a 1 m strip). */
const CIRCLE_SEGMENTS = 16;

/** WGS 84. */
const A = 6_378_137;
const E2 = 0.006_694_379_990_14;
const RAD = Math.PI / 180;

/**
 * A local plane in metres round an origin: north by the meridian's radius of curvature at the
 * origin, east by each point's own parallel (a sinusoidal projection on the ellipsoid's radii),
 * so areas are kept and lengths near the origin are exact to far below a millimetre per metre
 * over a few kilometres. Cheap: no geodesic per vertex, which matters for a hazard of hundreds of
 * vertices checked as a polygon is drawn.
 */
interface LocalPlane {
  toLocal(lon: number, lat: number): Xy;
}
export function localPlane(lon0: number, lat0: number): LocalPlane {
  const s0 = Math.sin(lat0 * RAD);
  const m = (A * (1 - E2)) / (1 - E2 * s0 * s0) ** 1.5;
  return {
    toLocal(lon, lat) {
      const s = Math.sin(lat * RAD);
      const n = A / Math.sqrt(1 - E2 * s * s);
      return [(lon - lon0) * RAD * n * Math.cos(lat * RAD), (lat - lat0) * RAD * m];
    },
  };
}

type Xy = [number, number];
type Pair = [number, number];

function polygonsOf(area: Polygon | MultiPolygon): GeoPosition[][][] {
  return area.type === 'Polygon' ? [area.coordinates] : area.coordinates;
}

function snap(v: number): number {
  return Math.round(v * GRID) / GRID;
}

function localRing(plane: LocalPlane, ring: GeoPosition[]): Pair[] {
  const out: Pair[] = [];
  for (const p of ring) {
    const [x, y] = plane.toLocal(p[0]!, p[1]!);
    const q: Pair = [snap(x), snap(y)];
    const last = out[out.length - 1];
    if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
  }
  if (out.length > 1) {
    const [f, l] = [out[0]!, out[out.length - 1]!];
    if (f[0] !== l[0] || f[1] !== l[1]) out.push([f[0], f[1]]);
  }
  return out;
}

function ringArea(ring: Pair[]): number {
  let s = 0;
  for (let i = 1; i < ring.length; i++) s += ring[i - 1]![0] * ring[i]![1] - ring[i]![0] * ring[i - 1]![1];
  return s / 2;
}

/** Area of a polyclip result (outer rings and holes), m². */
function areaOf(g: Pair[][][]): number {
  let a = 0;
  for (const poly of g)
    for (const [i, ring] of poly.entries())
      a += i === 0 ? Math.abs(ringArea(ring)) : -Math.abs(ringArea(ring));
  return a;
}

function inRing(p: Xy, ring: Pair[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function segmentDistance(p: Xy, a: Pair, b: Pair): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/** Metres from a local point to an area (0 inside it). */
function distanceToArea(p: Xy, area: Pair[][][]): number {
  for (const [shell, ...holes] of area)
    if (shell && inRing(p, shell) && !holes.some((h) => inRing(p, h))) return 0;
  let best = Number.POSITIVE_INFINITY;
  for (const poly of area)
    for (const ring of poly)
      for (let i = 1; i < ring.length; i++) best = Math.min(best, segmentDistance(p, ring[i - 1]!, ring[i]!));
  return best;
}

function localArea(plane: LocalPlane, area: Polygon | MultiPolygon): Pair[][][] {
  return polygonsOf(area).map((rings) => rings.map((r) => localRing(plane, r)));
}

/** The strip of `r` metres round one edge: the convex hull of the circles at its two ends. */
function strip(a: Pair, b: Pair, r: number): Pair[] {
  const points: Xy[] = [];
  for (const [cx, cy] of [a, b])
    for (let i = 0; i < CIRCLE_SEGMENTS; i++) {
      const t = (2 * Math.PI * i) / CIRCLE_SEGMENTS;
      points.push([snap(cx + r * Math.cos(t)), snap(cy + r * Math.sin(t))]);
    }
  const hull = convexHull(points);
  return [...hull, hull[0]!];
}

type Box = [number, number, number, number];
function boxOf(g: Pair[][][]): Box {
  const b: Box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const poly of g)
    for (const ring of poly)
      for (const [x, y] of ring) {
        b[0] = Math.min(b[0], x);
        b[1] = Math.min(b[1], y);
        b[2] = Math.max(b[2], x);
        b[3] = Math.max(b[3], y);
      }
  return b;
}

export interface ReleaseFit {
  /** Area of the polygon outside the hazard grown by the tolerance, m². */
  outsideM2: number;
  /** Farthest corner of the polygon from the hazard, m (0 when every corner is inside it). */
  farthestM: number;
}

/**
 * How a land-release polygon lies in its hazard, as the server measures it; `null` when the
 * comparison cannot be made (a polygon the geometry checks already refuse).
 *
 * @example releaseFit(square, concaveHazard).outsideM2 > RELEASE_OUTSIDE_M2 // outside
 */
export function releaseFit(
  polygon: Polygon,
  hazard: Polygon | MultiPolygon,
  toleranceM = RELEASE_TOLERANCE_M,
): ReleaseFit | null {
  // The form checks at every keystroke; the comparison is made again only when a shape changes.
  const key = `${toleranceM}|${JSON.stringify(polygon.coordinates)}|${JSON.stringify(hazard.coordinates)}`;
  if (fits.has(key)) return fits.get(key) ?? null;
  const fit = measureRelease(polygon, hazard, toleranceM);
  if (fits.size >= 32) fits.delete(fits.keys().next().value as string);
  fits.set(key, fit);
  return fit;
}

const fits = new Map<string, ReleaseFit | null>();

function measureRelease(
  polygon: Polygon,
  hazard: Polygon | MultiPolygon,
  toleranceM: number,
): ReleaseFit | null {
  const first = polygon.coordinates[0]?.[0];
  if (!first) return null;
  const plane = localPlane(first[0]!, first[1]!);
  const p = localArea(plane, polygon);
  const h = localArea(plane, hazard);
  if (p[0]!.some((r) => r.length < 4) || h.some((poly) => poly[0]!.length < 4)) return null;
  let farthestM = 0;
  for (const [x, y] of p[0]![0]!) farthestM = Math.max(farthestM, distanceToArea([x, y], h));
  try {
    const out = difference(p, h);
    if (areaOf(out) <= RELEASE_OUTSIDE_M2) return { outsideM2: 0, farthestM };
    // Only the hazard's edges near a piece that sticks out can take it back within the tolerance.
    const near: Pair[][][] = [];
    const boxes = out.map((piece) => boxOf([piece]));
    for (const poly of h)
      for (const ring of poly)
        for (let i = 1; i < ring.length; i++) {
          const a = ring[i - 1]!;
          const b = ring[i]!;
          const hit = boxes.some(
            ([x0, y0, x1, y1]) =>
              Math.max(a[0], b[0]) + toleranceM >= x0 &&
              Math.min(a[0], b[0]) - toleranceM <= x1 &&
              Math.max(a[1], b[1]) + toleranceM >= y0 &&
              Math.min(a[1], b[1]) - toleranceM <= y1,
          );
          if (hit) near.push([strip(a, b, toleranceM)]);
        }
    const rest = near.length > 0 ? difference(out, ...near) : out;
    return { outsideM2: Math.max(0, areaOf(rest)), farthestM };
  } catch {
    return null;
  }
}

/** Metres from a point to an area (0 inside), on the local plane round the point. */
export function distanceToHazardM(point: GeoPosition, hazard: Polygon | MultiPolygon): number {
  const plane = localPlane(point[0]!, point[1]!);
  return distanceToArea([0, 0], localArea(plane, hazard));
}
