import type { MultiPolygon, Polygon, Position } from 'geojson';
import { type CoordinateErrorCode, formatLatLon, parsePosition } from './coords.ts';

/**
 * Polygons as text in the data-entry form: one corner per line, rings separated by a blank
 * line and closed for the user. A ring that lies inside another typed ring is a hole in it
 * (a ring inside a hole is an island: a polygon of its own), so a polygon with holes is typed
 * as its outer ring followed by its holes, and written back the same way.
 */
export type AreaGeometry = Polygon | MultiPolygon;

function unclosed(ring: Position[]): Position[] {
  const closed =
    ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1];
  return closed ? ring.slice(0, -1) : ring;
}

/** Every ring of every polygon (outer ring first, then its holes), each without its closing vertex. */
export function polygonRings(g: AreaGeometry | null): Position[][][] {
  if (!g) return [];
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.map((p) => p.map(unclosed));
}

export function geometryToText(g: AreaGeometry | null): string {
  return polygonRings(g)
    .flat()
    .map((ring) => ring.map(([lon, lat]) => formatLatLon(lon, lat)).join('\n'))
    .join('\n\n');
}

/** The text line (1-based) of each vertex of `geometryToText(g)`, by polygon and ring. */
export function textLines(g: AreaGeometry | null): number[][][] {
  let next = 1;
  return polygonRings(g).map((rings) =>
    rings.map((ring) => {
      const lines = ring.map((_, i) => next + i);
      next += ring.length + 1;
      return lines;
    }),
  );
}

export interface ParsedArea {
  geometry: AreaGeometry | null;
  /** Line numbers (1-based) of each vertex, by polygon and ring, so faults can name the line. */
  lines: number[][][];
  errors: { line: number; code: CoordinateErrorCode | 'coords.too_few' }[];
}

/** Whether a point lies inside a ring (even-odd rule; the ring need not be closed). */
function pointInRing([x, y]: Position, ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Ring `a` lies inside ring `b` when none of its corners is outside it (corners on its edge aside). */
function ringInside(a: Position[], b: Position[]): boolean {
  const shared = (p: Position) => b.some((q) => q[0] === p[0] && q[1] === p[1]);
  const own = a.filter((p) => !shared(p));
  return own.length > 0 && own.every((p) => pointInRing(p, b));
}

/**
 * Polygons typed one vertex per line, rings separated by a blank line; rings are closed for
 * the user, and a ring inside another is its hole.
 */
export function parseArea(text: string): ParsedArea {
  const rings: Position[][] = [];
  const ringLines: number[][] = [];
  const errors: ParsedArea['errors'] = [];
  let ring: Position[] = [];
  let lines: number[] = [];
  const flush = () => {
    if (ring.length === 0) return;
    if (ring.length < 3) errors.push({ line: lines[0], code: 'coords.too_few' });
    rings.push(ring);
    ringLines.push(lines);
    ring = [];
    lines = [];
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) {
      flush();
      return;
    }
    const r = parsePosition(raw);
    if (r.ok) {
      ring.push(r.position);
      lines.push(i + 1);
    } else errors.push({ line: i + 1, code: r.code });
  });
  flush();
  // A typed closing vertex repeats the first; it is dropped here and added back below.
  const open = rings.map(unclosed);
  // Each ring's containers; an even number makes it an outer ring, an odd number a hole of the
  // innermost outer ring around it.
  const containers = open.map((r, i) => open.flatMap((o, j) => (j !== i && ringInside(r, o) ? [j] : [])));
  const isOuter = (i: number) => containers[i].length % 2 === 0;
  // Each outer ring with its holes; a hole belongs to the innermost outer ring around it. A ring
  // inside others that no outer ring owns (rings that overlap) stays a polygon of its own, for the
  // server's validation to name, rather than vanish.
  const members = new Map<number, number[]>();
  open.forEach((_, i) => {
    if (isOuter(i)) members.set(i, [i]);
  });
  open.forEach((_, i) => {
    if (isOuter(i)) return;
    const owner = containers[i].find((j) => containers[j].length === containers[i].length - 1);
    const polygon = owner === undefined ? undefined : members.get(owner);
    if (polygon) polygon.push(i);
    else members.set(i, [i]);
  });
  const polygons = [...members.values()];
  const byPolygon = polygons.map((members) => members.map((i) => ringLines[i]));
  if (rings.length === 0 || errors.length > 0) return { geometry: null, lines: byPolygon, errors };
  const coordinates = polygons.map((members) => members.map((i) => [...open[i], open[i][0]]));
  const geometry: AreaGeometry =
    coordinates.length === 1
      ? { type: 'Polygon', coordinates: coordinates[0] }
      : { type: 'MultiPolygon', coordinates };
  return { geometry, lines: byPolygon, errors };
}
