import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import type { Problem } from '../domain/problem.ts';
import { reprojectGeometry, type ToWgs84, toWgs84, withinLonLat } from './crs.ts';
import { inputBytes, inputSize, ProgressMeter } from './source.ts';
import { type FileInput, fault, type ReadOptions, type SourceFeature } from './types.ts';
import { parseGpkgGeometry } from './wkb.ts';

/**
 * GeoPackage through sql.js (SQLite compiled to WebAssembly: no native module to build on
 * field laptops). sql.js needs the whole file in memory. Every table listed as `features` in
 * gpkg_contents is read, in table-name order; the CRS of each comes from gpkg_spatial_ref_sys.
 * The primary key is the feature's external id, prefixed by the table name (`zones:3`) when the
 * file has several feature tables.
 */

let sqlJs: Promise<SqlJsStatic> | undefined;
export function sqlite(): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs();
  return sqlJs;
}

export async function* readGpkg(file: FileInput, opts: ReadOptions): AsyncGenerator<SourceFeature> {
  const meter = new ProgressMeter(await inputSize(file), opts.onProgress);
  const SQL = await sqlite();
  let db: Database;
  try {
    db = new SQL.Database(await inputBytes(file));
    db.exec('SELECT count(*) FROM sqlite_master');
  } catch {
    throw fault('io.gpkg.invalid', { detail: 'not an SQLite database' });
  }
  try {
    let layers: Array<{ table: string; column: string; srsId: number }>;
    try {
      layers = rows(
        db,
        `SELECT c.table_name AS "table", g.column_name AS "column", g.srs_id AS "srsId"
           FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
          WHERE c.data_type = 'features' ORDER BY c.table_name`,
      ) as typeof layers;
    } catch {
      throw fault('io.gpkg.invalid', { detail: 'no gpkg_contents / gpkg_geometry_columns' });
    }
    if (layers.length === 0) throw fault('io.gpkg.invalid', { detail: 'no feature table' });
    meter.bytesRead = meter.bytesTotal;
    let index = 0;
    for (const layer of layers) {
      const convert = opts.crs !== undefined ? toWgs84(opts.crs) : srsConverter(db, layer.srsId);
      const pk = primaryKey(db, layer.table);
      const stmt = db.prepare(`SELECT * FROM ${quoteId(layer.table)}`);
      try {
        while (stmt.step()) {
          const row = stmt.getAsObject();
          const problems: Problem[] = [];
          const where = { row: index, field: layer.column };
          const blob = row[layer.column];
          let geometry = null;
          if (blob instanceof Uint8Array && blob.length > 0) {
            try {
              geometry = parseGpkgGeometry(blob).geometry;
            } catch (e) {
              problems.push(fault('io.geometry.invalid', { type: (e as Error).message }, where));
            }
          }
          if (!geometry && problems.length === 0) problems.push(fault('io.geometry.null', {}, where));
          if (geometry) {
            if (convert) reprojectGeometry(geometry, convert);
            if (!withinLonLat(geometry)) problems.push(fault('io.coordinate.range', {}, where));
          }
          const properties: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(row)) if (k !== layer.column && k !== pk) properties[k] = v;
          const feature: SourceFeature = { index, geometry, properties, problems };
          // Each table numbers its rows from 1: with several layers the fid alone would repeat.
          if (pk && row[pk] !== null && row[pk] !== undefined)
            feature.externalId = layers.length > 1 ? `${layer.table}:${row[pk]}` : String(row[pk]);
          yield feature;
          index++;
          meter.feature();
        }
      } finally {
        stmt.free();
      }
    }
    meter.done();
  } finally {
    db.close();
  }
}

function rows(db: Database, sql: string, params: (string | number)[] = []): Record<string, unknown>[] {
  const stmt = db.prepare(sql, params);
  const out: Record<string, unknown>[] = [];
  try {
    while (stmt.step()) out.push(stmt.getAsObject());
  } finally {
    stmt.free();
  }
  return out;
}

function quoteId(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function primaryKey(db: Database, table: string): string | undefined {
  const cols = rows(db, `PRAGMA table_info(${quoteId(table)})`);
  return cols.find((c) => c.pk === 1)?.name as string | undefined;
}

/** srs_id → converter: EPSG code when proj4 knows it, else the WKT definition. 4326 and "undefined geographic" (0) need none. */
function srsConverter(db: Database, srsId: number): ToWgs84 {
  if (srsId === 4326 || srsId === 0 || srsId === -1) return null;
  const srs = rows(
    db,
    'SELECT organization, organization_coordsys_id AS code, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?',
    [srsId],
  )[0];
  if (!srs) throw fault('io.crs.unknown', { crs: `srs_id ${srsId}` });
  if (String(srs.organization).toUpperCase() === 'EPSG') {
    if (Number(srs.code) === 4326) return null;
    try {
      return toWgs84(`EPSG:${srs.code}`);
    } catch {
      // fall back to the definition below
    }
  }
  return toWgs84(String(srs.definition ?? ''));
}
