import { geoJSONToWkt } from 'betterknown';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { ExportFormat } from '../domain/exchange.ts';
import { sqlite } from './gpkg.ts';
import { readableText, writeShapefileZip } from './shp-write.ts';

export { readableText };

import type { Geometry } from './types.ts';
import { envelope, toGpkgGeometry } from './wkb.ts';

/**
 * Writers of register exports. Every format carries the record `id` and the listed fields in
 * order; geometry is WGS 84 lon/lat. Tabular formats (CSV, XLSX) carry the geometry as WKT in
 * `geometry_wkt`, plus `lon`/`lat` columns for point layers.
 */

export type WriteFormat = ExportFormat;
export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'json';

export interface WriteFeature {
  id: string;
  geometry: Geometry | null;
  properties: Record<string, unknown>;
}

export interface WriteOptions {
  layerName: string;
  geometryKind?: 'Point' | 'MultiPolygon' | null;
  fields: Array<{ name: string; type: FieldType }>;
}

export interface WrittenFile {
  bytes: Uint8Array;
  mediaType: string;
  extension: string;
}

/** Formats written row by row, so an export of any size streams in constant memory. */
export const STREAMED_FORMATS = ['geojson', 'csv', 'kml'] as const;
export type StreamedFormat = (typeof STREAMED_FORMATS)[number];

export function isStreamedFormat(format: WriteFormat): format is StreamedFormat {
  return (STREAMED_FORMATS as readonly string[]).includes(format);
}

const MEDIA: Record<WriteFormat, { mediaType: string; extension: string }> = {
  geojson: { mediaType: 'application/geo+json', extension: 'geojson' },
  csv: { mediaType: 'text/csv; charset=utf-8', extension: 'csv' },
  kml: { mediaType: 'application/vnd.google-earth.kml+xml', extension: 'kml' },
  xlsx: { mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx' },
  shp: { mediaType: 'application/zip', extension: 'shp.zip' },
  gpkg: { mediaType: 'application/geopackage+sqlite3', extension: 'gpkg' },
};

export function formatMedia(format: WriteFormat): { mediaType: string; extension: string } {
  return MEDIA[format];
}

/** Rows to write in each chunk of a streamed file. */
const CHUNK_ROWS = 500;

async function* batches<T>(items: AsyncIterable<T> | Iterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * A text format (GeoJSON, CSV, KML) as a stream of UTF-8 chunks: header, rows in batches,
 * footer. Nothing but one batch is held in memory.
 */
export async function* streamFeatures(
  format: StreamedFormat,
  features: AsyncIterable<WriteFeature> | Iterable<WriteFeature>,
  opts: WriteOptions,
): AsyncGenerator<Uint8Array> {
  const kind = opts.geometryKind ?? null;
  const text = TEXT_WRITERS[format](opts, kind);
  yield enc.encode(text.head);
  let first = true;
  for await (const batch of batches(features, CHUNK_ROWS)) {
    yield enc.encode(text.rows(batch, first));
    first = false;
  }
  yield enc.encode(text.tail);
}

export async function writeFeatures(
  format: WriteFormat,
  features: AsyncIterable<WriteFeature> | Iterable<WriteFeature>,
  opts: WriteOptions,
): Promise<WrittenFile> {
  const media = MEDIA[format];
  if (isStreamedFormat(format)) {
    const chunks: Uint8Array[] = [];
    for await (const c of streamFeatures(format, features, opts)) chunks.push(c);
    return { bytes: Buffer.concat(chunks), ...media };
  }
  const rows: WriteFeature[] = [];
  for await (const f of features) rows.push(f);
  const kind = opts.geometryKind ?? null;
  switch (format) {
    case 'xlsx':
      return { bytes: await writeXlsx(rows, opts, kind), ...media };
    case 'shp':
      return {
        bytes: writeShapefileZip(
          opts.layerName,
          kind,
          opts.fields,
          rows.map((r) => ({ ...r, geometry: asKind(r.geometry, kind) })),
        ),
        ...media,
      };
    case 'gpkg':
      return { bytes: await writeGpkg(rows, opts, kind), ...media };
  }
}

/** A Polygon in a MultiPolygon layer is written as a one-part MultiPolygon. */
function asKind(g: Geometry | null, kind: 'Point' | 'MultiPolygon' | null): Geometry | null {
  if (g && kind === 'MultiPolygon' && g.type === 'Polygon')
    return { type: 'MultiPolygon', coordinates: [g.coordinates] };
  return g;
}

function pick(f: WriteFeature, opts: WriteOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of opts.fields) out[field.name] = f.properties[field.name] ?? null;
  return out;
}

const enc = new TextEncoder();

/** A text format in three parts: what comes before the rows, a batch of rows, what comes after. */
interface TextWriter {
  head: string;
  rows: (batch: WriteFeature[], first: boolean) => string;
  tail: string;
}

function geojsonWriter(opts: WriteOptions): TextWriter {
  return {
    head: `{"type":"FeatureCollection","name":${JSON.stringify(opts.layerName)},"features":[`,
    rows: (batch, first) =>
      batch
        .map(
          (f, i) =>
            (first && i === 0 ? '\n' : ',\n') +
            JSON.stringify({
              type: 'Feature',
              id: f.id,
              geometry: f.geometry,
              properties: { id: f.id, ...pick(f, opts) },
            }),
        )
        .join(''),
    tail: '\n]}\n',
  };
}

/** A cell of a GeoPackage: JSON as JSON text, everything else as itself; null stays empty. */
function cell(v: unknown, type: FieldType): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (type === 'json' || typeof v === 'object') return JSON.stringify(v);
  return v as string | number | boolean;
}

/** A cell of a CSV, XLSX or KML export: lists and objects as readable text; null stays empty. */
function readableCell(v: unknown, type: FieldType): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (type === 'json' || typeof v === 'object') return readableText(v);
  return v as string | number | boolean;
}

function tabularHeader(opts: WriteOptions, kind: 'Point' | 'MultiPolygon' | null): string[] {
  const geo = kind === 'Point' ? ['lon', 'lat', 'geometry_wkt'] : kind ? ['geometry_wkt'] : [];
  return ['id', ...opts.fields.map((f) => f.name), ...geo];
}

function tabularRow(f: WriteFeature, opts: WriteOptions, kind: 'Point' | 'MultiPolygon' | null): unknown[] {
  const row: unknown[] = [
    f.id,
    ...opts.fields.map((field) => readableCell(f.properties[field.name], field.type)),
  ];
  const g = asKind(f.geometry, kind);
  if (kind === 'Point') {
    const c = g?.type === 'Point' ? (g.coordinates as number[]) : [];
    row.push(c[0] ?? null, c[1] ?? null);
  }
  if (kind) row.push(g ? geoJSONToWkt(g as never) : null);
  return row;
}

const CSV_OPTIONS = { cast: { boolean: (b: boolean) => (b ? 'true' : 'false') } };

function csvWriter(opts: WriteOptions, kind: 'Point' | 'MultiPolygon' | null): TextWriter {
  return {
    // The BOM makes spreadsheet programs read the file as UTF-8 (Cyrillic, Arabic).
    head: `\uFEFF${stringify([tabularHeader(opts, kind)], CSV_OPTIONS)}`,
    rows: (batch) =>
      stringify(
        batch.map((f) => tabularRow(f, opts, kind)),
        CSV_OPTIONS,
      ),
    tail: '',
  };
}

async function writeXlsx(
  rows: WriteFeature[],
  opts: WriteOptions,
  kind: 'Point' | 'MultiPolygon' | null,
): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(opts.layerName.replace(/[\\/*?:[\]]/g, '_').slice(0, 31) || 'Sheet1');
  sheet.addRow(tabularHeader(opts, kind));
  for (const f of rows) sheet.addRow(tabularRow(f, opts, kind));
  sheet.getRow(1).font = { bold: true };
  return new Uint8Array(await book.xlsx.writeBuffer());
}

function xml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

function kmlGeometry(g: Geometry): string {
  const coords = (ps: number[][]) => ps.map((p) => `${p[0]},${p[1]}`).join(' ');
  const polygon = (rings: number[][][]) =>
    `<Polygon>${rings
      .map((r, i) =>
        i === 0
          ? `<outerBoundaryIs><LinearRing><coordinates>${coords(r)}</coordinates></LinearRing></outerBoundaryIs>`
          : `<innerBoundaryIs><LinearRing><coordinates>${coords(r)}</coordinates></LinearRing></innerBoundaryIs>`,
      )
      .join('')}</Polygon>`;
  switch (g.type) {
    case 'Point':
      return `<Point><coordinates>${coords([g.coordinates as number[]])}</coordinates></Point>`;
    case 'LineString':
      return `<LineString><coordinates>${coords(g.coordinates as number[][])}</coordinates></LineString>`;
    case 'Polygon':
      return polygon(g.coordinates as number[][][]);
    case 'MultiPolygon':
      return `<MultiGeometry>${(g.coordinates as number[][][][]).map(polygon).join('')}</MultiGeometry>`;
    case 'MultiPoint':
      return `<MultiGeometry>${(g.coordinates as number[][]).map((p) => kmlGeometry({ type: 'Point', coordinates: p })).join('')}</MultiGeometry>`;
    default:
      return '';
  }
}

const KML_TYPES: Record<FieldType, string> = {
  string: 'string',
  integer: 'int',
  number: 'double',
  boolean: 'bool',
  date: 'string',
  json: 'string',
};

function kmlWriter(opts: WriteOptions): TextWriter {
  const schemaId = `${opts.layerName.replace(/[^A-Za-z0-9_]/g, '_') || 'layer'}_schema`;
  const head = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n<Document>',
    `<name>${xml(opts.layerName)}</name>`,
    `<Schema name="${xml(opts.layerName)}" id="${schemaId}">`,
    '<SimpleField name="id" type="string"/>',
    ...opts.fields.map((f) => `<SimpleField name="${xml(f.name)}" type="${KML_TYPES[f.type]}"/>`),
    '</Schema>',
    `<Folder><name>${xml(opts.layerName)}</name>`,
  ].join('\n');
  const placemark = (f: WriteFeature) => {
    const data = [`<SimpleData name="id">${xml(f.id)}</SimpleData>`];
    for (const field of opts.fields) {
      const v = readableCell(f.properties[field.name], field.type);
      if (v !== null) data.push(`<SimpleData name="${xml(field.name)}">${xml(String(v))}</SimpleData>`);
    }
    return `\n<Placemark id="${xml(f.id)}"><ExtendedData><SchemaData schemaUrl="#${schemaId}">${data.join('')}</SchemaData></ExtendedData>${
      f.geometry ? kmlGeometry(f.geometry) : ''
    }</Placemark>`;
  };
  return {
    head,
    rows: (batch) => batch.map(placemark).join(''),
    tail: '\n</Folder>\n</Document>\n</kml>\n',
  };
}

const TEXT_WRITERS: Record<
  StreamedFormat,
  (opts: WriteOptions, kind: 'Point' | 'MultiPolygon' | null) => TextWriter
> = {
  geojson: geojsonWriter,
  csv: csvWriter,
  kml: kmlWriter,
};

const WGS84_WKT =
  'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]';

const GPKG_TYPES: Record<FieldType, string> = {
  string: 'TEXT',
  integer: 'INTEGER',
  number: 'REAL',
  boolean: 'BOOLEAN',
  date: 'DATE',
  json: 'TEXT',
};

/** GeoPackage 1.3 with one feature table (or attributes table when the register has no geometry). */
async function writeGpkg(
  rows: WriteFeature[],
  opts: WriteOptions,
  kind: 'Point' | 'MultiPolygon' | null,
): Promise<Uint8Array> {
  const SQL = await sqlite();
  const db = new SQL.Database();
  try {
    const table = opts.layerName;
    const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
    db.exec(`PRAGMA application_id = 1196444487; PRAGMA user_version = 10300;
      CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
        organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
      CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
        description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
      CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
        srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));`);
    const srs = db.prepare('INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)');
    srs.run([
      'Undefined cartesian SRS',
      -1,
      'NONE',
      -1,
      'undefined',
      'undefined cartesian coordinate reference system',
    ]);
    srs.run([
      'Undefined geographic SRS',
      0,
      'NONE',
      0,
      'undefined',
      'undefined geographic coordinate reference system',
    ]);
    srs.run([
      'WGS 84 geodetic',
      4326,
      'EPSG',
      4326,
      WGS84_WKT,
      'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid',
    ]);
    srs.free();
    const columns = [
      'fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL',
      ...(kind ? [`geom ${kind.toUpperCase()}`] : []),
      'id TEXT NOT NULL UNIQUE',
      ...opts.fields.map((f) => `${q(f.name)} ${GPKG_TYPES[f.type]}`),
    ];
    db.exec(`CREATE TABLE ${q(table)} (${columns.join(', ')})`);
    const box = [Infinity, Infinity, -Infinity, -Infinity];
    const names = [...(kind ? ['geom'] : []), 'id', ...opts.fields.map((f) => f.name)];
    const insert = db.prepare(
      `INSERT INTO ${q(table)} (${names.map(q).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
    );
    db.exec('BEGIN');
    for (const f of rows) {
      const values: Array<string | number | Uint8Array | null> = [];
      if (kind) {
        const g = asKind(f.geometry, kind);
        values.push(g ? toGpkgGeometry(g) : null);
        const e = g ? envelope(g) : null;
        if (e) {
          box[0] = Math.min(box[0]!, e[0]);
          box[1] = Math.min(box[1]!, e[1]);
          box[2] = Math.max(box[2]!, e[2]);
          box[3] = Math.max(box[3]!, e[3]);
        }
      }
      values.push(f.id);
      for (const field of opts.fields) {
        const v = cell(f.properties[field.name], field.type);
        values.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
      }
      insert.run(values);
    }
    insert.free();
    db.exec('COMMIT');
    const bounded = Number.isFinite(box[0]);
    db.run(
      'INSERT INTO gpkg_contents (table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [
        table,
        kind ? 'features' : 'attributes',
        table,
        bounded ? box[0]! : null,
        bounded ? box[1]! : null,
        bounded ? box[2]! : null,
        bounded ? box[3]! : null,
        kind ? 4326 : null,
      ],
    );
    if (kind)
      db.run('INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, 4326, 0, 0)', [
        table,
        'geom',
        kind.toUpperCase(),
      ]);
    return db.export();
  } finally {
    db.close();
  }
}
