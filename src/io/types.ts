import { Problem, type ProblemLocation, type ProblemParams } from '../domain/problem.ts';

/**
 * One feature or row as read from a file, before mapping and validation. Readers never throw
 * for a bad row: the row comes out with its `problems`, so the importer can report it with
 * its place in the file. Only faults that spoil the whole file (not a zip, JSON that cannot
 * be split into features) are thrown as a Problem.
 */
export interface SourceFeature {
  /** 0-based feature or row index in the file (data rows only, the header is not counted). */
  index: number;
  /** 1-based line of a CSV row, counting the header; 1-based sheet row for XLSX. */
  row?: number;
  /** GeoJSON geometry in WGS 84 longitude, latitude after CRS conversion, or null. */
  geometry: Geometry | null;
  properties: Record<string, unknown>;
  /** Identifier in the source system when the format has one (GeoJSON `id`, Kobo `_uuid`, gpkg fid). */
  externalId?: string;
  /** Reading faults of this feature, each located with `where: { row, field }`. */
  problems: Problem[];
}

/** A GeoJSON geometry object. Topology is not checked here (src/geo/validate.ts does that). */
export interface Geometry {
  type: string;
  coordinates?: unknown;
  geometries?: Geometry[];
}

export type Format =
  | 'geojson'
  | 'geojsonseq'
  | 'csv'
  | 'kml'
  | 'kmz'
  | 'shp'
  | 'gpkg'
  | 'xlsx'
  | 'kobo-json'
  | 'kobo-csv';
export const FORMATS: readonly Format[] = [
  'geojson',
  'geojsonseq',
  'csv',
  'kml',
  'kmz',
  'shp',
  'gpkg',
  'xlsx',
  'kobo-json',
  'kobo-csv',
];

/** Which columns of a table (CSV, XLSX, Kobo CSV) hold the geometry, and how the text is read. */
export interface TableOptions {
  lat?: string;
  lon?: string;
  wkt?: string;
  mgrs?: string;
  /** A column of ODK/Kobo geopoint ("lat lon alt acc") or geoshape ("lat lon alt acc;…") strings. */
  geopoint?: string;
  delimiter?: string;
  encoding?: string;
}

export interface ReadProgress {
  bytesRead: number;
  bytesTotal: number;
  features: number;
}

export interface ReadOptions {
  format?: Format;
  /** Overrides the CRS of the file (.prj, gpkg srs, GeoJSON crs): an EPSG code or a proj4/WKT definition. */
  crs?: string;
  csv?: TableOptions;
  /**
   * `required`: a table without any geometry column is refused (`io.csv.columns`) and empty
   * geometry cells are `io.geometry.null`. `optional` (default): a table without geometry
   * columns gives features without geometry and no problem.
   */
  geometry?: 'required' | 'optional';
  onProgress?: (p: ReadProgress) => void;
  /** File-level notices that do not spoil any feature, e.g. `io.crs.assumed` for a shapefile without .prj. */
  onWarning?: (p: Problem) => void;
  /** Longest single line, field or JSON feature accepted, in bytes (default 50 MB). */
  maxLineBytes?: number;
}

export type FileInput = { path: string } | { bytes: Uint8Array; filename: string };

export const DEFAULT_MAX_LINE_BYTES = 50 * 1024 * 1024;

/** Shorthand for a located problem. Example: `fault('io.wkt.parse', { value: 'POINT(' }, { row: 3, field: 'wkt' })`. */
export function fault(code: string, params: ProblemParams = {}, where?: ProblemLocation): Problem {
  return new Problem(code, params, where);
}

/** Where a feature's fault is: the CSV/XLSX line when there is one, else the 0-based feature index. */
export function featureWhere(index: number, row: number | undefined, field?: string): ProblemLocation {
  const where: ProblemLocation = { row: row ?? index };
  if (field !== undefined) where.field = field;
  return where;
}
