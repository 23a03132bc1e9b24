import { zipSync } from 'fflate';
import type { Geometry } from './types.ts';

/**
 * A zipped ESRI shapefile (.shp, .shx, .dbf, .prj in WGS 84, .cpg saying UTF-8). Written by
 * hand rather than with @mapbox/shp-write: that package writes dBase text byte by byte from
 * UTF-16 code units (Cyrillic and Arabic come out corrupted), has no null shapes, rounds every
 * number to 3 decimals and does not orient polygon rings as the format requires.
 */

export interface ShpField {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'json';
}

export const WGS84_PRJ =
  'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';

/**
 * dBase field names are at most 10 ASCII characters: a unique short name per field.
 * Example: `shapefileFieldNames(['dateOfInformation', 'dateOfBirth'])` → `['dateOfInfo', 'dateOfIn_2']`.
 */
export function shapefileFieldNames(names: string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    let base =
      name
        .normalize('NFD')
        .replace(/[^A-Za-z0-9_]/g, '')
        .slice(0, 10) || 'field';
    let candidate = base;
    for (let n = 2; used.has(candidate.toLowerCase()); n++) {
      const suffix = `_${n}`;
      base = base.slice(0, 10 - suffix.length);
      candidate = base + suffix;
    }
    used.add(candidate.toLowerCase());
    return candidate;
  });
}

/**
 * A list or object field as people read it in a spreadsheet, KML or a shapefile (JSON stays in
 * GeoJSON and GeoPackage): list items joined with "; ", objects as "key: value" pairs joined
 * with ", ", a point as its GeoJSON. Examples: `['AP', 'AV']` → `'AP; AV'`;
 * `[{ description: 'Gap', severity: 'minor' }]` → `'description: Gap, severity: minor'`;
 * `{ female: { '18+': 3 } }` → `'female: 18+: 3'`.
 */
export function readableText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(readableText).join('; ');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // A point (a benchmark) stays GeoJSON, which the importers read back.
    if (o.type === 'Point' && Array.isArray(o.coordinates)) return JSON.stringify(o);
    return Object.entries(o)
      .filter(([, x]) => x !== null && x !== undefined)
      .map(([k, x]) => `${k}: ${readableText(x)}`)
      .join(', ');
  }
  return String(v);
}

const SHAPE = { Null: 0, Point: 1, Polygon: 5 } as const;

interface DbfColumn {
  name: string;
  type: 'C' | 'N' | 'L' | 'D';
  length: number;
  decimals: number;
  format: (v: unknown) => string;
}

export function writeShapefileZip(
  layerName: string,
  geometryKind: 'Point' | 'MultiPolygon' | null,
  fields: ShpField[],
  rows: Array<{ id: string; geometry: Geometry | null; properties: Record<string, unknown> }>,
): Uint8Array {
  const shapeType =
    geometryKind === 'Point' ? SHAPE.Point : geometryKind === 'MultiPolygon' ? SHAPE.Polygon : SHAPE.Null;
  const contents = rows.map((r) => shapeContent(r.geometry, shapeType));
  const shp = shpFile(shapeType, contents);
  const shx = shxFile(shapeType, contents, shp.box);
  const base = layerName.replace(/[^\p{L}\p{N}_-]/gu, '_') || 'layer';
  const longText: string[][] = [];
  const { bytes: dbf, columns } = dbfFile(fields, rows, longText);
  const enc = new TextEncoder();
  const files: Record<string, Uint8Array> = {
    [`${base}.shp`]: shp.bytes,
    [`${base}.shx`]: shx,
    [`${base}.dbf`]: dbf,
    [`${base}.prj`]: enc.encode(WGS84_PRJ),
    [`${base}.cpg`]: enc.encode('UTF-8'),
    // dBase names are cut to 10 characters: the sidecar gives each column's full field name.
    [`${base}.fields.csv`]: enc.encode(
      csvLines([
        ['column', 'field', 'type', 'width'],
        ...columns.map((c, i) => [c.name, i === 0 ? 'id' : fields[i - 1]!.name, c.type, String(c.length)]),
      ]),
    ),
  };
  // Text longer than a dBase column holds (254 bytes) is cut with "…" in the .dbf, never
  // silently: the whole text of each such value is in the long-text sidecar.
  if (longText.length)
    files[`${base}.long-text.csv`] = enc.encode(csvLines([['id', 'column', 'field', 'text'], ...longText]));
  return zipSync(files);
}

/** Content of one shape record (without the 8-byte record header), in the file's shape type. */
function shapeContent(g: Geometry | null, shapeType: number): { bytes: Uint8Array; box: number[] | null } {
  const polygons = g ? polygonsOf(g) : [];
  const point =
    g?.type === 'Point' && (g.coordinates as number[]).length >= 2 ? (g.coordinates as number[]) : null;
  if (shapeType === SHAPE.Point && point) {
    const b = new DataView(new ArrayBuffer(20));
    b.setInt32(0, SHAPE.Point, true);
    b.setFloat64(4, point[0]!, true);
    b.setFloat64(12, point[1]!, true);
    return { bytes: new Uint8Array(b.buffer), box: [point[0]!, point[1]!, point[0]!, point[1]!] };
  }
  if (shapeType === SHAPE.Polygon && polygons.length) {
    // Shapefile rings: outer clockwise, holes counter-clockwise (GeoJSON is the opposite).
    const rings: number[][][] = [];
    for (const poly of polygons) {
      poly.forEach((ring, i) => {
        const clockwise = signedArea(ring) < 0;
        rings.push(clockwise === (i === 0) ? ring : [...ring].reverse());
      });
    }
    const numPoints = rings.reduce((n, r) => n + r.length, 0);
    const size = 44 + 4 * rings.length + 16 * numPoints;
    const b = new DataView(new ArrayBuffer(size));
    const box = [Infinity, Infinity, -Infinity, -Infinity];
    for (const r of rings)
      for (const [x, y] of r) {
        box[0] = Math.min(box[0]!, x!);
        box[1] = Math.min(box[1]!, y!);
        box[2] = Math.max(box[2]!, x!);
        box[3] = Math.max(box[3]!, y!);
      }
    b.setInt32(0, SHAPE.Polygon, true);
    for (let i = 0; i < 4; i++) b.setFloat64(4 + 8 * i, box[i]!, true);
    b.setInt32(36, rings.length, true);
    b.setInt32(40, numPoints, true);
    let at = 44;
    let start = 0;
    for (const r of rings) {
      b.setInt32(at, start, true);
      at += 4;
      start += r.length;
    }
    for (const r of rings)
      for (const p of r) {
        b.setFloat64(at, p[0]!, true);
        b.setFloat64(at + 8, p[1]!, true);
        at += 16;
      }
    return { bytes: new Uint8Array(b.buffer), box };
  }
  const b = new DataView(new ArrayBuffer(4));
  b.setInt32(0, SHAPE.Null, true);
  return { bytes: new Uint8Array(b.buffer), box: null };
}

function polygonsOf(g: Geometry): number[][][][] {
  if (g.type === 'Polygon') return [g.coordinates as number[][][]];
  if (g.type === 'MultiPolygon') return g.coordinates as number[][][][];
  return [];
}

/** Twice the signed area of a ring (shoelace); positive when counter-clockwise. */
function signedArea(ring: number[][]): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++)
    s += (ring[j]![0]! - ring[i]![0]!) * (ring[j]![1]! + ring[i]![1]!);
  return s;
}

function header(view: DataView, shapeType: number, fileBytes: number, box: number[]) {
  view.setInt32(0, 9994, false);
  view.setInt32(24, fileBytes / 2, false);
  view.setInt32(28, 1000, true);
  view.setInt32(32, shapeType, true);
  for (let i = 0; i < 4; i++) view.setFloat64(36 + 8 * i, box[i]!, true);
}

function shpFile(shapeType: number, contents: Array<{ bytes: Uint8Array; box: number[] | null }>) {
  const size = 100 + contents.reduce((n, c) => n + 8 + c.bytes.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const c of contents)
    if (c.box) {
      box[0] = Math.min(box[0]!, c.box[0]!);
      box[1] = Math.min(box[1]!, c.box[1]!);
      box[2] = Math.max(box[2]!, c.box[2]!);
      box[3] = Math.max(box[3]!, c.box[3]!);
    }
  const fileBox = Number.isFinite(box[0]) ? box : [0, 0, 0, 0];
  header(view, shapeType, size, fileBox);
  let at = 100;
  contents.forEach((c, i) => {
    view.setInt32(at, i + 1, false);
    view.setInt32(at + 4, c.bytes.length / 2, false);
    out.set(c.bytes, at + 8);
    at += 8 + c.bytes.length;
  });
  return { bytes: out, box: fileBox };
}

function shxFile(shapeType: number, contents: Array<{ bytes: Uint8Array }>, box: number[]): Uint8Array {
  const size = 100 + 8 * contents.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  header(view, shapeType, size, box);
  let offset = 100;
  contents.forEach((c, i) => {
    view.setInt32(100 + 8 * i, offset / 2, false);
    view.setInt32(104 + 8 * i, c.bytes.length / 2, false);
    offset += 8 + c.bytes.length;
  });
  return out;
}

const enc = new TextEncoder();

/** Cuts UTF-8 text to at most `max` bytes without splitting a character. */
function utf8Cut(s: string, max: number): Uint8Array {
  const b = enc.encode(s);
  if (b.length <= max) return b;
  let end = max;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

/** CSV lines (RFC 4180 quoting) with a BOM, for the sidecars. */
function csvLines(rows: string[][]): string {
  const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  return `\uFEFF${rows.map((r) => r.map(q).join(',')).join('\r\n')}\r\n`;
}

/** The longest text a dBase character column holds, in bytes. */
const DBF_TEXT_MAX = 254;
const CUT_MARK = '…';

function dbfColumns(
  fields: ShpField[],
  rows: Array<{ id: string; properties: Record<string, unknown> }>,
): DbfColumn[] {
  const names = shapefileFieldNames(['id', ...fields.map((f) => f.name)]);
  const text = (v: unknown) => readableText(v);
  const columns: DbfColumn[] = [{ name: names[0]!, type: 'C', length: 36, decimals: 0, format: text }];
  fields.forEach((f, i) => {
    const name = names[i + 1]!;
    const values = rows.map((r) => r.properties[f.name]);
    switch (f.type) {
      case 'integer': {
        const width = Math.max(
          1,
          ...values.map((v) => (v === null || v === undefined ? 0 : String(Math.trunc(Number(v))).length)),
        );
        columns.push({
          name,
          type: 'N',
          length: Math.min(Math.max(width, 10), 20),
          decimals: 0,
          format: (v) => (v == null ? '' : String(Math.trunc(Number(v)))),
        });
        break;
      }
      case 'number':
        columns.push({
          name,
          type: 'N',
          length: 24,
          decimals: 15,
          format: (v) => (v == null ? '' : String(Number(v))),
        });
        break;
      case 'boolean':
        columns.push({
          name,
          type: 'L',
          length: 1,
          decimals: 0,
          format: (v) => (v === true ? 'T' : v === false ? 'F' : '?'),
        });
        break;
      case 'date':
        columns.push({
          name,
          type: 'D',
          length: 8,
          decimals: 0,
          format: (v) => (v == null ? '' : String(v).slice(0, 10).replaceAll('-', '')),
        });
        break;
      default: {
        const width = Math.max(1, ...values.map((v) => enc.encode(text(v)).length));
        columns.push({ name, type: 'C', length: Math.min(width, DBF_TEXT_MAX), decimals: 0, format: text });
      }
    }
  });
  return columns;
}

function dbfFile(
  fields: ShpField[],
  rows: Array<{ id: string; properties: Record<string, unknown> }>,
  longText: string[][],
): { bytes: Uint8Array; columns: DbfColumn[] } {
  const columns = dbfColumns(fields, rows);
  const headerBytes = 32 + 32 * columns.length + 1;
  const recordBytes = 1 + columns.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(headerBytes + recordBytes * rows.length + 1);
  const view = new DataView(out.buffer);
  const now = new Date();
  out[0] = 0x03;
  out[1] = now.getUTCFullYear() - 1900;
  out[2] = now.getUTCMonth() + 1;
  out[3] = now.getUTCDate();
  view.setUint32(4, rows.length, true);
  view.setUint16(8, headerBytes, true);
  view.setUint16(10, recordBytes, true);
  columns.forEach((c, i) => {
    const at = 32 + 32 * i;
    out.set(enc.encode(c.name), at);
    out[at + 11] = c.type.charCodeAt(0);
    out[at + 16] = c.length;
    out[at + 17] = c.decimals;
  });
  out[headerBytes - 1] = 0x0d;
  let at = headerBytes;
  for (const r of rows) {
    out[at++] = 0x20;
    for (let k = 0; k < columns.length; k++) {
      const c = columns[k]!;
      const value = k === 0 ? r.id : r.properties[fields[k - 1]!.name];
      const formatted = c.format(value);
      let bytes = utf8Cut(formatted, c.length);
      if (c.type === 'C' && bytes.length < enc.encode(formatted).length) {
        bytes = enc.encode(new TextDecoder().decode(utf8Cut(formatted, c.length - 3)) + CUT_MARK);
        longText.push([r.id, c.name, k === 0 ? 'id' : fields[k - 1]!.name, formatted]);
      }
      out.fill(0x20, at, at + c.length);
      // Numbers are right-aligned, text left-aligned.
      out.set(bytes, c.type === 'N' ? at + c.length - bytes.length : at);
      at += c.length;
    }
  }
  out[at] = 0x1a;
  return { bytes: out, columns };
}
