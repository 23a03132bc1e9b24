import type { Geometry } from './types.ts';

/**
 * Well-Known Binary geometries and the GeoPackage geometry blob around them (GeoPackage 1.3
 * §2.1.3). Written by hand: the GeoPackage header is specific to the format anyway, WKB is a
 * few dozen lines, and the maintained WKT library we use (betterknown) does not do WKB.
 */

const TYPES = [
  '',
  'Point',
  'LineString',
  'Polygon',
  'MultiPoint',
  'MultiLineString',
  'MultiPolygon',
  'GeometryCollection',
];

/**
 * Parses WKB (ISO or EWKB flags for Z/M/SRID); M values are dropped, Z kept.
 * Example: bytes `01 01000000 <x> <y>` → `{ type: 'Point', coordinates: [x, y] }`.
 */
export function parseWkb(bytes: Uint8Array): Geometry {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const read = (): Geometry => {
    const little = view.getUint8(at) === 1;
    at += 1;
    let type = view.getUint32(at, little);
    at += 4;
    let hasZ = false;
    let hasM = false;
    if (type & 0x80000000) hasZ = true;
    if (type & 0x40000000) hasM = true;
    if (type & 0x20000000) at += 4; // EWKB SRID
    type &= 0x0fffffff;
    if (type >= 3000) {
      hasZ = true;
      hasM = true;
      type -= 3000;
    } else if (type >= 2000) {
      hasM = true;
      type -= 2000;
    } else if (type >= 1000) {
      hasZ = true;
      type -= 1000;
    }
    const name = TYPES[type];
    if (!name) throw new Error(`WKB geometry type ${type} not supported`);
    const u32 = () => {
      const v = view.getUint32(at, little);
      at += 4;
      return v;
    };
    const point = (): number[] => {
      const x = view.getFloat64(at, little);
      const y = view.getFloat64(at + 8, little);
      at += 16;
      const p = [x, y];
      if (hasZ) {
        p.push(view.getFloat64(at, little));
        at += 8;
      }
      if (hasM) at += 8;
      return p;
    };
    const points = () => Array.from({ length: u32() }, point);
    const rings = () => Array.from({ length: u32() }, points);
    switch (name) {
      case 'Point': {
        const p = point();
        // An empty point is NaN, NaN (GeoPackage and GEOS convention).
        return Number.isNaN(p[0]) && Number.isNaN(p[1])
          ? { type: 'Point', coordinates: [] }
          : { type: 'Point', coordinates: p };
      }
      case 'LineString':
        return { type: name, coordinates: points() };
      case 'Polygon':
        return { type: name, coordinates: rings() };
      case 'GeometryCollection':
        return { type: name, geometries: Array.from({ length: u32() }, read) };
      default: {
        const parts = Array.from({ length: u32() }, read);
        return { type: name, coordinates: parts.map((p) => p.coordinates) };
      }
    }
  };
  return read();
}

/** Little-endian ISO WKB of a GeoJSON geometry (2-D, or 3-D when the first position has z). */
export function toWkb(g: Geometry): Uint8Array {
  const chunks: number[] = [];
  const buf = new ArrayBuffer(8);
  const dv = new DataView(buf);
  const u8 = new Uint8Array(buf);
  const u32 = (v: number) => {
    dv.setUint32(0, v, true);
    for (let i = 0; i < 4; i++) chunks.push(u8[i]!);
  };
  const f64 = (v: number) => {
    dv.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) chunks.push(u8[i]!);
  };
  const hasZ = firstPosition(g)?.length === 3;
  const write = (geom: Geometry) => {
    chunks.push(1);
    const type = TYPES.indexOf(geom.type);
    if (type < 1) throw new Error(`cannot write ${geom.type} as WKB`);
    u32(type + (hasZ ? 1000 : 0));
    const pos = (p: number[]) => {
      f64(p[0]!);
      f64(p[1]!);
      if (hasZ) f64(p[2] ?? 0);
    };
    const line = (ps: number[][]) => {
      u32(ps.length);
      ps.forEach(pos);
    };
    const poly = (rs: number[][][]) => {
      u32(rs.length);
      rs.forEach(line);
    };
    const c = geom.coordinates as never;
    switch (geom.type) {
      case 'Point':
        if ((c as number[]).length === 0) {
          f64(Number.NaN);
          f64(Number.NaN);
          if (hasZ) f64(Number.NaN);
        } else pos(c);
        break;
      case 'LineString':
        line(c);
        break;
      case 'Polygon':
        poly(c);
        break;
      case 'MultiPoint':
      case 'MultiLineString':
      case 'MultiPolygon': {
        const single = geom.type.slice(5);
        const parts = c as unknown[];
        u32(parts.length);
        for (const p of parts) write({ type: single, coordinates: p });
        break;
      }
      case 'GeometryCollection':
        u32(geom.geometries!.length);
        geom.geometries!.forEach(write);
        break;
    }
  };
  write(g);
  return Uint8Array.from(chunks);
}

function firstPosition(g: Geometry): number[] | undefined {
  if (g.type === 'GeometryCollection')
    return g.geometries?.length ? firstPosition(g.geometries[0]!) : undefined;
  let c = g.coordinates as unknown;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  return Array.isArray(c) && typeof c[0] === 'number' ? (c as number[]) : undefined;
}

/**
 * Reads a GeoPackage geometry blob: `GP`, version, flags, srs_id, optional envelope, then WKB.
 * Returns null for an empty geometry (flag bit 4).
 */
export function parseGpkgGeometry(blob: Uint8Array): { srsId: number; geometry: Geometry | null } {
  if (blob[0] !== 0x47 || blob[1] !== 0x50) throw new Error('not a GeoPackage geometry (no GP magic)');
  const flags = blob[3]!;
  const little = (flags & 1) === 1;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const srsId = view.getInt32(4, little);
  const envelopeBytes = [0, 32, 48, 48, 64][(flags >> 1) & 7];
  if (envelopeBytes === undefined) throw new Error('bad GeoPackage envelope code');
  if (flags & 0x10) return { srsId, geometry: null };
  return { srsId, geometry: parseWkb(blob.subarray(8 + envelopeBytes)) };
}

/** A GeoPackage geometry blob (little-endian, with an XY envelope, or the empty flag for an empty point). */
export function toGpkgGeometry(g: Geometry, srsId = 4326): Uint8Array {
  const wkb = toWkb(g);
  const box = envelope(g);
  const empty = box === null;
  const out = new Uint8Array(8 + (empty ? 0 : 32) + wkb.length);
  const view = new DataView(out.buffer);
  out[0] = 0x47;
  out[1] = 0x50;
  out[2] = 0; // version 1
  out[3] = (empty ? 0x10 : 0x02) | 1; // envelope [minx, maxx, miny, maxy], little-endian
  view.setInt32(4, srsId, true);
  if (box) {
    view.setFloat64(8, box[0], true);
    view.setFloat64(16, box[2], true);
    view.setFloat64(24, box[1], true);
    view.setFloat64(32, box[3], true);
  }
  out.set(wkb, empty ? 8 : 40);
  return out;
}

/** [minX, minY, maxX, maxY] of a geometry, or null when it has no positions. */
export function envelope(g: Geometry): [number, number, number, number] | null {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  const walk = (c: unknown) => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number') {
      minX = Math.min(minX, c[0]);
      maxX = Math.max(maxX, c[0]);
      minY = Math.min(minY, c[1] as number);
      maxY = Math.max(maxY, c[1] as number);
    } else c.forEach(walk);
  };
  const visit = (x: Geometry) =>
    x.type === 'GeometryCollection' ? x.geometries?.forEach(visit) : walk(x.coordinates);
  visit(g);
  return Number.isFinite(minX) ? [minX, minY, maxX, maxY] : null;
}
