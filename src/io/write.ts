import { geoJSONToWkt } from 'betterknown';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { sqlite } from './gpkg.ts';
import { writeShapefileZip } from './shp-write.ts';
import type { Geometry } from './types.ts';
import { envelope, toGpkgGeometry } from './wkb.ts';

/**
 * Writers of register exports. Every format carries the record `id` and the listed fields in
 * order; geometry is WGS 84 lon/lat. Tabular formats (CSV, XLSX) carry the geometry as WKT in
 * `geometry_wkt`, plus `lon`/`lat` columns for point layers.
 */

export type WriteFormat = 'geojson' | 'csv' | 'gpkg' | 'kml' | 'shp' | 'xlsx';
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

export async function writeFeatures(
  format: WriteFormat,
  features: AsyncIterable<WriteFeature> | Iterable<WriteFeature>,
  opts: WriteOptions,
): Promise<WrittenFile> {
  const rows: WriteFeature[] = [];
  for await (const f of features) rows.push(f);
  const kind = opts.geometryKind ?? null;
  switch (format) {
    case 'geojson':
      return { bytes: writeGeojson(rows, opts), mediaType: 'application/geo+json', extension: 'geojson' };
    case 'csv':
      return { bytes: writeCsv(rows, opts, kind), mediaType: 'text/csv; charset=utf-8', extension: 'csv' };
    case 'xlsx':
      return {
        bytes: await writeXlsx(rows, opts, kind),
        mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        extension: 'xlsx',
      };
    case 'kml':
      return {
        bytes: writeKml(rows, opts),
        mediaType: 'application/vnd.google-earth.kml+xml',
        extension: 'kml',
      };
    case 'shp':
      return {
        bytes: writeShapefileZip(
          opts.layerName,
          kind,
          opts.fields,
          rows.map((r) => ({ ...r, geometry: asKind(r.geometry, kind) })),
        ),
        mediaType: 'application/zip',
        extension: 'shp.zip',
      };
    case 'gpkg':
      return {
        bytes: await writeGpkg(rows, opts, kind),
        mediaType: 'application/geopackage+sqlite3',
        extension: 'gpkg',
      };
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

function writeGeojson(rows: WriteFeature[], opts: WriteOptions): Uint8Array {
  const parts: string[] = [
    `{"type":"FeatureCollection","name":${JSON.stringify(opts.layerName)},"features":[`,
  ];
  rows.forEach((f, i) => {
    parts.push(
      (i ? ',\n' : '\n') +
        JSON.stringify({
          type: 'Feature',
          id: f.id,
          geometry: f.geometry,
          properties: { id: f.id, ...pick(f, opts) },
        }),
    );
  });
  parts.push('\n]}\n');
  return enc.encode(parts.join(''));
}

/** A cell of a tabular export: JSON as text, everything else as itself; null stays empty. */
function cell(v: unknown, type: FieldType): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (type === 'json' || typeof v === 'object') return JSON.stringify(v);
  return v as string | number | boolean;
}

function tabularHeader(opts: WriteOptions, kind: 'Point' | 'MultiPolygon' | null): string[] {
  const geo = kind === 'Point' ? ['lon', 'lat', 'geometry_wkt'] : kind ? ['geometry_wkt'] : [];
  return ['id', ...opts.fields.map((f) => f.name), ...geo];
}

function tabularRow(f: WriteFeature, opts: WriteOptions, kind: 'Point' | 'MultiPolygon' | null): unknown[] {
  const row: unknown[] = [f.id, ...opts.fields.map((field) => cell(f.properties[field.name], field.type))];
  const g = asKind(f.geometry, kind);
  if (kind === 'Point') {
    const c = g?.type === 'Point' ? (g.coordinates as number[]) : [];
    row.push(c[0] ?? null, c[1] ?? null);
  }
  if (kind) row.push(g ? geoJSONToWkt(g as never) : null);
  return row;
}

function writeCsv(
  rows: WriteFeature[],
  opts: WriteOptions,
  kind: 'Point' | 'MultiPolygon' | null,
): Uint8Array {
  const records = [tabularHeader(opts, kind), ...rows.map((f) => tabularRow(f, opts, kind))];
  // The BOM makes spreadsheet programs read the file as UTF-8 (Cyrillic, Arabic).
  return enc.encode(`\uFEFF${stringify(records, { cast: { boolean: (b) => (b ? 'true' : 'false') } })}`);
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

function writeKml(rows: WriteFeature[], opts: WriteOptions): Uint8Array {
  const schemaId = `${opts.layerName.replace(/[^A-Za-z0-9_]/g, '_') || 'layer'}_schema`;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n<Document>',
    `<name>${xml(opts.layerName)}</name>`,
    `<Schema name="${xml(opts.layerName)}" id="${schemaId}">`,
    '<SimpleField name="id" type="string"/>',
    ...opts.fields.map((f) => `<SimpleField name="${xml(f.name)}" type="${KML_TYPES[f.type]}"/>`),
    '</Schema>',
    `<Folder><name>${xml(opts.layerName)}</name>`,
  ];
  for (const f of rows) {
    const data = [`<SimpleData name="id">${xml(f.id)}</SimpleData>`];
    for (const field of opts.fields) {
      const v = cell(f.properties[field.name], field.type);
      if (v !== null) data.push(`<SimpleData name="${xml(field.name)}">${xml(String(v))}</SimpleData>`);
    }
    out.push(
      `<Placemark id="${xml(f.id)}"><ExtendedData><SchemaData schemaUrl="#${schemaId}">${data.join('')}</SchemaData></ExtendedData>${
        f.geometry ? kmlGeometry(f.geometry) : ''
      }</Placemark>`,
    );
  }
  out.push('</Folder>\n</Document>\n</kml>\n');
  return enc.encode(out.join('\n'));
}

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
