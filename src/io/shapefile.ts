import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import * as shapefile from 'shapefile';
import type { Problem } from '../domain/problem.ts';
import { reprojectGeometry, type ToWgs84, toWgs84, withinLonLat } from './crs.ts';
import { inputBytes, inputName, inputSize, ProgressMeter } from './source.ts';
import { guessWindowsCodePage, isUtf8 } from './text.ts';
import { type FileInput, fault, type Geometry, type ReadOptions, type SourceFeature } from './types.ts';

/**
 * Shapefiles: a zip holding one or more `.shp` with their `.dbf`, `.prj` and `.cpg`, or a
 * `.shp` on disk next to its companions. Geometry comes from the `shapefile` package; the
 * CRS from `.prj` (WKT, through proj4); the text encoding from `.cpg`, else the dBase language
 * driver byte, else a guess from the bytes.
 */

interface ShapefileParts {
  name: string;
  shp: Uint8Array;
  dbf?: Uint8Array;
  prj?: string;
  cpg?: string;
}

export async function* readShapefile(file: FileInput, opts: ReadOptions): AsyncGenerator<SourceFeature> {
  const meter = new ProgressMeter(await inputSize(file), opts.onProgress);
  const layers = await shapefileParts(file);
  meter.bytesRead = meter.bytesTotal; // the parts are in memory from here on
  let index = 0;
  for (const layer of layers) {
    let convert: ToWgs84;
    if (opts.crs !== undefined) convert = toWgs84(opts.crs);
    else if (layer.prj !== undefined && layer.prj.trim() !== '') convert = toWgs84(layer.prj.trim());
    else {
      opts.onWarning?.(fault('io.crs.assumed', { file: `${layer.name}.shp`, crs: 'EPSG:4326' }));
      convert = null;
    }
    const encoding = dbfEncoding(layer);
    const source = await shapefile.open(layer.shp.slice(), layer.dbf?.slice(), { encoding });
    for (;;) {
      let result: {
        done: boolean;
        value: { geometry: Geometry | null; properties: Record<string, unknown> };
      };
      try {
        result = await source.read();
      } catch (e) {
        // A truncated or corrupt .shp: what was read stands, the rest is one fault.
        throw fault('io.shapefile.corrupt', {
          file: `${layer.name}.shp`,
          detail: (e as Error).message,
          features: index,
        });
      }
      if (result.done) break;
      const { geometry, properties } = result.value;
      const problems: Problem[] = [];
      const where = { row: index, field: 'geometry' };
      if (!geometry) problems.push(fault('io.geometry.null', {}, where));
      else {
        orientRings(geometry);
        if (convert) reprojectGeometry(geometry, convert);
        if (!withinLonLat(geometry)) problems.push(fault('io.coordinate.range', {}, where));
      }
      yield { index, geometry: geometry ?? null, properties: trimProperties(properties ?? {}), problems };
      index++;
      meter.feature();
    }
  }
  meter.done();
}

/**
 * Shapefile rings run clockwise around areas; GeoJSON (RFC 7946) wants outer rings
 * counter-clockwise and holes clockwise. Example: a clockwise square outer ring is reversed.
 */
export function orientRings(g: Geometry): void {
  const polygons =
    g.type === 'Polygon'
      ? [g.coordinates as number[][][]]
      : g.type === 'MultiPolygon'
        ? (g.coordinates as number[][][][])
        : [];
  for (const polygon of polygons) {
    polygon.forEach((ring, i) => {
      let twiceArea = 0;
      for (let k = 0, j = ring.length - 1; k < ring.length; j = k++)
        twiceArea += (ring[j]![0]! - ring[k]![0]!) * (ring[j]![1]! + ring[k]![1]!);
      const counterClockwise = twiceArea > 0;
      if (counterClockwise !== (i === 0)) ring.reverse();
    });
  }
}

/**
 * The `shapefile` package builds dBase dates with the local-time Date constructor; a blank or
 * `00000000` date comes out as 30 November 1899 and means "no date".
 * Example: `dbfDate(new Date(2021, 4, 4))` → `'2021-05-04'`.
 */
export function dbfDate(d: Date): string | null {
  if (Number.isNaN(d.getTime())) return null;
  if (d.getFullYear() === 1899 && d.getMonth() === 10 && d.getDate() === 30) return null;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Empty dBase text is null; dBase dates (read as Date at UTC midnight) are `YYYY-MM-DD`. */
function trimProperties(p: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === 'string' && v.trim() === '') out[k] = null;
    else if (v instanceof Date) out[k] = dbfDate(v);
    else out[k] = v;
  }
  return out;
}

async function shapefileParts(file: FileInput): Promise<ShapefileParts[]> {
  const name = inputName(file);
  if (/\.shp$/i.test(name) && 'path' in file) {
    const base = file.path.slice(0, -4);
    const opt = async (ext: string) => {
      for (const e of [ext, ext.toUpperCase()]) {
        try {
          return new Uint8Array(await readFile(`${base}.${e}`));
        } catch {}
      }
      return undefined;
    };
    const prj = await opt('prj');
    const cpg = await opt('cpg');
    const parts: ShapefileParts = { name: name.slice(0, -4), shp: await inputBytes(file) };
    const dbf = await opt('dbf');
    if (dbf) parts.dbf = dbf;
    if (prj) parts.prj = new TextDecoder().decode(prj);
    if (cpg) parts.cpg = new TextDecoder().decode(cpg);
    return [parts];
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(await inputBytes(file), {
      filter: (f) => !f.name.startsWith('__MACOSX/') && /\.(shp|dbf|prj|cpg)$/i.test(f.name),
    });
  } catch {
    throw fault('io.zip.invalid', { file: name });
  }
  const byBase = new Map<string, Record<string, Uint8Array>>();
  for (const [path, bytes] of Object.entries(entries)) {
    const dot = path.lastIndexOf('.');
    const base = path.slice(0, dot);
    const ext = path.slice(dot + 1).toLowerCase();
    const key = base.toLowerCase();
    if (!byBase.has(key)) byBase.set(key, {});
    byBase.get(key)![ext] = bytes;
    byBase.get(key)!.__name = new TextEncoder().encode(base);
  }
  const layers: ShapefileParts[] = [];
  for (const [, part] of [...byBase.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!part.shp) continue;
    const layer: ShapefileParts = { name: new TextDecoder().decode(part.__name), shp: part.shp };
    if (part.dbf) layer.dbf = part.dbf;
    if (part.prj) layer.prj = new TextDecoder().decode(part.prj);
    if (part.cpg) layer.cpg = new TextDecoder().decode(part.cpg);
    layers.push(layer);
  }
  if (layers.length === 0) throw fault('io.shapefile.missing_part', { file: name, part: '.shp' });
  return layers;
}

/** dBase language driver IDs met in practice → encodings. */
const LANGUAGE_DRIVERS: Record<number, string> = {
  1: 'ibm437',
  2: 'ibm850',
  3: 'windows-1252',
  38: 'ibm866',
  87: 'windows-1252',
  101: 'ibm866',
  201: 'windows-1251',
  200: 'windows-1250',
  202: 'windows-1254',
  203: 'windows-1253',
};

/**
 * The text encoding of a .dbf. Example: a `.cpg` holding `1251` → `windows-1251`.
 */
export function dbfEncoding(layer: { dbf?: Uint8Array; cpg?: string }): string {
  const cpg = layer.cpg?.trim().toLowerCase();
  if (cpg) {
    if (/utf-?8/.test(cpg)) return 'utf-8';
    // `ISO-8859-9`, `ISO88599`, `88595`: the part number follows 8859 (QGIS and GDAL write the first form).
    const iso = /8859[-_ ]?(\d{1,2})\b/.exec(cpg);
    if (iso) return `iso-8859-${iso[1]}`;
    const num = /(\d{3,5})/.exec(cpg);
    if (num) {
      const n = num[1]!;
      if (n.startsWith('125')) return `windows-${n}`;
      if (n === '866' || n === '437' || n === '850') return `ibm${n}`;
      if (n.startsWith('8859')) return `iso-8859-${n.slice(4) || '1'}`;
    }
    if (/^iso[-_]?8859/.test(cpg)) return cpg;
  }
  if (!layer.dbf) return 'utf-8';
  const driver = LANGUAGE_DRIVERS[layer.dbf[29] ?? 0];
  if (driver) return driver;
  const records = layer.dbf.subarray(
    Math.min(layer.dbf.length, new DataView(layer.dbf.buffer, layer.dbf.byteOffset).getUint16(8, true)),
  );
  return isUtf8(records) ? 'utf-8' : guessWindowsCodePage(records);
}
