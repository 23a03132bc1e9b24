import type { MultiPolygon, Polygon, Position } from 'geojson';
import { type CoordinateErrorCode, formatLatLon, parsePosition } from './coords.ts';

/**
 * Polygons as text in the data-entry form: one corner per line, polygons separated by a
 * blank line, rings closed for the user. Only outer rings are edited as text.
 */
export type AreaGeometry = Polygon | MultiPolygon;

/** Outer rings of every polygon (holes are not edited here), each without its closing vertex. */
export function outerRings(g: AreaGeometry | null): Position[][] {
  if (!g) return [];
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.map((p) => {
    const ring = p[0] ?? [];
    const closed =
      ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1];
    return closed ? ring.slice(0, -1) : ring;
  });
}

export function geometryToText(g: AreaGeometry | null): string {
  return outerRings(g)
    .map((ring) => ring.map(([lon, lat]) => formatLatLon(lon, lat)).join('\n'))
    .join('\n\n');
}

export interface ParsedArea {
  geometry: AreaGeometry | null;
  /** Line numbers (1-based) of each vertex, by polygon, so faults can name the line. */
  lines: number[][];
  errors: { line: number; code: CoordinateErrorCode | 'coords.too_few' }[];
}

/** Polygons typed one vertex per line, separated by a blank line; rings are closed for the user. */
export function parseArea(text: string): ParsedArea {
  const rings: Position[][] = [];
  const lines: number[][] = [];
  const errors: ParsedArea['errors'] = [];
  let ring: Position[] = [];
  let ringLines: number[] = [];
  const flush = () => {
    if (ring.length === 0) return;
    if (ring.length < 3) errors.push({ line: ringLines[0], code: 'coords.too_few' });
    rings.push(ring);
    lines.push(ringLines);
    ring = [];
    ringLines = [];
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) {
      flush();
      return;
    }
    const r = parsePosition(raw);
    if (r.ok) {
      ring.push(r.position);
      ringLines.push(i + 1);
    } else errors.push({ line: i + 1, code: r.code });
  });
  flush();
  if (rings.length === 0 || errors.length > 0) return { geometry: null, lines, errors };
  const closed = rings.map((r) => {
    const first = r[0];
    const last = r[r.length - 1];
    return first[0] === last[0] && first[1] === last[1] ? r : [...r, first];
  });
  // A typed closing vertex repeats the first; it must not be counted as its own line.
  const geometry: AreaGeometry =
    closed.length === 1
      ? { type: 'Polygon', coordinates: [closed[0]] }
      : { type: 'MultiPolygon', coordinates: closed.map((r) => [r]) };
  return { geometry, lines, errors };
}
