import { wktToGeoJSON } from 'betterknown';
import proj4 from 'proj4';
import type { Problem } from '../domain/problem.ts';
import { fromMgrs } from '../geo/mgrs.ts';
import { reprojectGeometry, type ToWgs84, withinLonLat } from './crs.ts';
import { fault, featureWhere, type Geometry, type SourceFeature, type TableOptions } from './types.ts';

/**
 * Rows of tables (CSV, XLSX, KoboToolbox/ODK submissions) into features: which columns hold
 * the geometry, and how their cells become GeoJSON. Shared by every tabular reader.
 */

export type GeometryPlan =
  | { kind: 'latlon'; lat: string; lon: string }
  | { kind: 'wkt'; column: string }
  | { kind: 'mgrs'; column: string }
  | { kind: 'geopoint'; column: string }
  /** KoboToolbox JSON `_geolocation`: `[lat, lon]`. */
  | { kind: 'latlon-array'; column: string }
  | { kind: 'none' };

/**
 * Kobo's `_geolocation`: an array in JSON exports, the same array as text (`[40.1, 44.5]`) in
 * CSV exports. Example: `latLonArray('[40.1, 44.5]')` → `[40.1, 44.5]`; `latLonArray('x')` → undefined.
 */
function latLonArray(cell: unknown): unknown[] | undefined {
  if (Array.isArray(cell)) return cell;
  if (typeof cell !== 'string' || !/^\s*\[.*\]\s*$/s.test(cell)) return undefined;
  try {
    const parsed = JSON.parse(cell) as unknown;
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Normalises a column name for matching: last `group/` segment, no accents, case or punctuation. */
export function normaliseColumn(name: string): string {
  const last = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  return last
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

// Common names, after normaliseColumn, in English, Spanish, French, Portuguese, Russian, Arabic.
const LAT_NAMES = [
  'lat',
  'latitude',
  'latitud',
  'latdd',
  'latdec',
  'y',
  'ycoord',
  'coordy',
  'coordenaday',
  'широта',
  'خطالعرض',
  'northing',
  'norte',
];
const LON_NAMES = [
  'lon',
  'lng',
  'long',
  'longitude',
  'longitud',
  'londd',
  'londec',
  'x',
  'xcoord',
  'coordx',
  'coordenadax',
  'долгота',
  'خطالطول',
  'easting',
  'este',
];
const LAT_SUFFIXES = ['latitude', 'latitud', 'широта'];
const LON_SUFFIXES = ['longitude', 'longitud', 'долгота'];
const WKT_NAMES = [
  'wkt',
  'geometrywkt',
  'geomwkt',
  'wktgeom',
  'geometry',
  'geom',
  'thegeom',
  'shape',
  'geometria',
  'геометрия',
];
const MGRS_NAMES = ['mgrs', 'mgrscoordinate', 'mgrscoordinates', 'mgrsgrid', 'gridref', 'usng'];
const GEOLOCATION_NAMES = ['geolocation'];

/** Finds a column by exact normalised name, in the order the candidate names are listed. */
function findColumn(columns: string[], names: string[], suffixes: string[] = []): string | undefined {
  const normalised = columns.map(normaliseColumn);
  for (const name of names) {
    const at = normalised.indexOf(name);
    if (at >= 0) return columns[at];
  }
  for (const suffix of suffixes) {
    const at = normalised.findIndex((n) => n.endsWith(suffix));
    if (at >= 0) return columns[at];
  }
  return undefined;
}

const GEOPOINT = /^\s*-?\d+(\.\d+)?\s+-?\d+(\.\d+)?(\s+-?\d+(\.\d+)?){0,2}\s*$/;

/** True for an ODK geopoint ("lat lon alt acc") or geoshape/geotrace ("…;…") string. */
export function looksLikeGeopoint(value: unknown): boolean {
  if (typeof value !== 'string' || value.trim() === '') return false;
  return value
    .split(';')
    .filter((p) => p.trim() !== '')
    .every((p) => GEOPOINT.test(p));
}

/**
 * Chooses the geometry columns of a table. Explicit options win; then, for Kobo/ODK exports,
 * geoshape then geopoint cells found in `sample`; then well-known column names; then, for other
 * tables, geopoint-looking cells. Returns the plan and, when an explicit column is missing,
 * the name that was not found.
 * Example: `planGeometry(['id', 'Latitud', 'Longitud'], {}, undefined, false)` → latlon Latitud/Longitud.
 */
export function planGeometry(
  columns: string[],
  options: TableOptions,
  sample: Record<string, unknown> | undefined,
  koboFirst: boolean,
): { plan: GeometryPlan; missing?: string } {
  const has = (c: string | undefined) => c !== undefined && columns.includes(c);
  if (options.wkt)
    return has(options.wkt) ? { plan: { kind: 'wkt', column: options.wkt } } : none(options.wkt);
  if (options.mgrs)
    return has(options.mgrs) ? { plan: { kind: 'mgrs', column: options.mgrs } } : none(options.mgrs);
  if (options.geopoint) {
    return has(options.geopoint)
      ? { plan: { kind: 'geopoint', column: options.geopoint } }
      : none(options.geopoint);
  }
  if (options.lat || options.lon) {
    const lat = options.lat ?? findColumn(columns, LAT_NAMES, LAT_SUFFIXES);
    const lon = options.lon ?? findColumn(columns, LON_NAMES, LON_SUFFIXES);
    if (!has(lat)) return none(lat ?? 'lat');
    if (!has(lon)) return none(lon ?? 'lon');
    return { plan: { kind: 'latlon', lat: lat!, lon: lon! } };
  }
  const sniffed = sample ? sniffGeopoint(columns, sample) : undefined;
  if (koboFirst && sniffed) return { plan: sniffed };
  const geolocation = findColumn(columns, GEOLOCATION_NAMES);
  if (geolocation && sample && Array.isArray(latLonArray(sample[geolocation])))
    return { plan: { kind: 'latlon-array', column: geolocation } };
  const lat = findColumn(columns, LAT_NAMES, LAT_SUFFIXES);
  const lon = findColumn(columns, LON_NAMES, LON_SUFFIXES);
  if (lat && lon) return { plan: { kind: 'latlon', lat, lon } };
  const wkt = findColumn(columns, WKT_NAMES);
  if (wkt) return { plan: { kind: 'wkt', column: wkt } };
  const mgrs = findColumn(columns, MGRS_NAMES);
  if (mgrs) return { plan: { kind: 'mgrs', column: mgrs } };
  if (sniffed) return { plan: sniffed };
  return { plan: { kind: 'none' } };

  function none(missing: string): { plan: GeometryPlan; missing: string } {
    return { plan: { kind: 'none' }, missing };
  }
}

/** A geoshape column is preferred to a geopoint one: areas are what hazard surveys record. */
function sniffGeopoint(columns: string[], sample: Record<string, unknown>): GeometryPlan | undefined {
  let point: string | undefined;
  for (const c of columns) {
    const v = sample[c];
    if (!looksLikeGeopoint(v)) continue;
    if ((v as string).includes(';')) return { kind: 'geopoint', column: c };
    point ??= c;
  }
  return point === undefined ? undefined : { kind: 'geopoint', column: point };
}

/** Columns that a plan reads, for messages. */
export function planColumns(plan: GeometryPlan): string[] {
  switch (plan.kind) {
    case 'latlon':
      return [plan.lat, plan.lon];
    case 'none':
      return [];
    default:
      return [plan.column];
  }
}

const DMS =
  /^([NSEWСЮВЗ])?\s*(-?\d+(?:[.,]\d+)?)\s*[°º˚d:\s]\s*(?:(\d+(?:[.,]\d+)?)\s*['′’m:\s]?\s*)?(?:(\d+(?:[.,]\d+)?)\s*(?:["″”]|'')?\s*)?([NSEWСЮВЗ])?$/i;

/**
 * Reads one coordinate cell: decimal degrees with a point or comma, or degrees-minutes-seconds
 * with a hemisphere letter. Returns NaN when it cannot.
 * Example: `parseCoordinate('4°35\'56.6"N')` → 4.599055…; `parseCoordinate('-74,08')` → -74.08.
 */
export function parseCoordinate(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return Number.NaN;
  const s = value.trim();
  if (s === '') return Number.NaN;
  if (/^[-+]?\d+([.,]\d+)?([eE][-+]?\d+)?$/.test(s)) return Number(s.replace(',', '.'));
  const m = DMS.exec(s);
  if (!m) return Number.NaN;
  const num = (x: string | undefined) => (x === undefined ? 0 : Number(x.replace(',', '.')));
  const deg = num(m[2]);
  const minutes = num(m[3]);
  const seconds = num(m[4]);
  if (minutes >= 60 || seconds >= 60) return Number.NaN;
  let v = Math.abs(deg) + minutes / 60 + seconds / 3600;
  const hemisphere = (m[1] ?? m[5] ?? '').toUpperCase();
  if (deg < 0 || hemisphere === 'S' || hemisphere === 'W' || hemisphere === 'Ю' || hemisphere === 'З') v = -v;
  return v;
}

/**
 * Reads an ODK/Kobo geopoint ("lat lon alt acc") as a Point, or a geoshape/geotrace
 * ("lat lon alt acc;…") as a Polygon when its first and last points coincide, else a LineString.
 * Altitude and accuracy are dropped: registers hold 2-D positions.
 * Example: `parseGeopoint('4.6 -74.08 2600 5')` → `{ type: 'Point', coordinates: [-74.08, 4.6] }`.
 */
export function parseGeopoint(value: string): Geometry | null {
  const points = value
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const [lat, lon] = p.split(/\s+/).map(Number);
      return [lon!, lat!];
    });
  if (points.some(([x, y]) => !Number.isFinite(x) || !Number.isFinite(y))) return null;
  if (points.length === 0) return null;
  if (points.length === 1) return { type: 'Point', coordinates: points[0] };
  const first = points[0]!;
  const last = points[points.length - 1]!;
  if (points.length >= 4 && first[0] === last[0] && first[1] === last[1])
    return { type: 'Polygon', coordinates: [points] };
  return { type: 'LineString', coordinates: points };
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/**
 * Builds the geometry of one row according to the plan, in WGS 84, with the faults found.
 * `convert` is the CRS conversion of the table's coordinates (lat/lon, WKT), null for WGS 84.
 */
export function rowGeometry(
  values: Record<string, unknown>,
  plan: GeometryPlan,
  convert: ToWgs84,
  where: (field?: string) => { row: number; field?: string },
): { geometry: Geometry | null; problems: Problem[] } {
  const problems: Problem[] = [];
  let geometry: Geometry | null = null;
  let field: string | undefined;
  switch (plan.kind) {
    case 'none':
      return { geometry: null, problems };
    case 'latlon': {
      const rawLat = values[plan.lat];
      const rawLon = values[plan.lon];
      if (isBlank(rawLat) && isBlank(rawLon)) break;
      const lat = parseCoordinate(rawLat);
      const lon = parseCoordinate(rawLon);
      if (!Number.isFinite(lat))
        problems.push(fault('io.coordinate.parse', { value: String(rawLat ?? '') }, where(plan.lat)));
      if (!Number.isFinite(lon))
        problems.push(fault('io.coordinate.parse', { value: String(rawLon ?? '') }, where(plan.lon)));
      if (problems.length) return { geometry: null, problems };
      geometry = { type: 'Point', coordinates: [lon, lat] };
      field = plan.lat;
      break;
    }
    case 'latlon-array': {
      const cell = values[plan.column];
      const v = latLonArray(cell);
      if (v === undefined && typeof cell === 'string' && cell.trim() !== '') {
        problems.push(fault('io.coordinate.parse', { value: cell }, where(plan.column)));
        return { geometry: null, problems };
      }
      if (!Array.isArray(v) || v.every(isBlank)) break;
      const [lat, lon] = v.map(parseCoordinate);
      if (!Number.isFinite(lat) || !Number.isFinite(lon)) {
        problems.push(fault('io.coordinate.parse', { value: JSON.stringify(v) }, where(plan.column)));
        return { geometry: null, problems };
      }
      geometry = { type: 'Point', coordinates: [lon!, lat!] };
      field = plan.column;
      break;
    }
    case 'wkt': {
      const v = values[plan.column];
      if (isBlank(v)) break;
      try {
        geometry = wktToGeoJSON(String(v).trim(), {
          proj: (from, to, xy) => projectEwkt(from, to, xy),
        }) as Geometry | null;
      } catch (e) {
        problems.push(
          fault(
            'io.wkt.parse',
            { value: shorten(String(v)), detail: (e as Error).message },
            where(plan.column),
          ),
        );
        return { geometry: null, problems };
      }
      field = plan.column;
      break;
    }
    case 'mgrs': {
      const v = values[plan.column];
      if (isBlank(v)) break;
      try {
        // The centre of the square the reference names.
        const { centre } = fromMgrs(String(v));
        geometry = { type: 'Point', coordinates: [centre.lon, centre.lat] };
      } catch {
        problems.push(fault('io.mgrs.parse', { value: shorten(String(v)) }, where(plan.column)));
      }
      // MGRS is always WGS 84: no CRS conversion.
      return geometry ? { geometry, problems } : { geometry: null, problems };
    }
    case 'geopoint': {
      const v = values[plan.column];
      if (isBlank(v)) break;
      geometry = looksLikeGeopoint(v) ? parseGeopoint(String(v)) : null;
      if (!geometry) {
        problems.push(fault('io.coordinate.parse', { value: shorten(String(v)) }, where(plan.column)));
        return { geometry: null, problems };
      }
      // Geopoints are always WGS 84 (the device's GNSS).
      if (!withinLonLat(geometry)) problems.push(fault('io.coordinate.range', {}, where(plan.column)));
      return { geometry, problems };
    }
  }
  if (geometry === null) {
    problems.push(fault('io.geometry.null', {}, where(planColumns(plan)[0])));
    return { geometry: null, problems };
  }
  if (convert) reprojectGeometry(geometry, convert);
  if (!withinLonLat(geometry)) problems.push(fault('io.coordinate.range', {}, where(field)));
  return { geometry, problems };
}

/** EWKT `SRID=…;` with another CRS than WGS 84: converted with proj4 like the rest. */
function projectEwkt(from: string, to: string, xy: number[]): number[] {
  return projFn(from, to)(xy);
}
const projCache = new Map<string, (xy: number[]) => number[]>();
function projFn(from: string, to: string): (xy: number[]) => number[] {
  const k = `${from}|${to}`;
  let f = projCache.get(k);
  if (!f) {
    const c = proj4(from, to);
    f = (xy) => c.forward([xy[0]!, xy[1]!]);
    projCache.set(k, f);
  }
  return f;
}

export function shorten(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** A table row as a feature: geometry per plan, empty cells as null, `externalId` from its column. */
export function rowToFeature(
  values: Record<string, unknown>,
  index: number,
  row: number | undefined,
  plan: GeometryPlan,
  convert: ToWgs84,
  externalIdColumn: string | undefined,
  extraProblems: Problem[] = [],
): SourceFeature {
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) properties[k] = typeof v === 'string' && v === '' ? null : v;
  const { geometry, problems } = rowGeometry(
    values,
    plan,
    convert,
    (field) => featureWhere(index, row, field) as { row: number },
  );
  const feature: SourceFeature = { index, geometry, properties, problems: [...extraProblems, ...problems] };
  if (row !== undefined) feature.row = row;
  if (externalIdColumn) {
    const id = values[externalIdColumn];
    if (!isBlank(id)) feature.externalId = String(id);
  }
  return feature;
}

/** Kobo/ODK identifier columns, best first. */
export const KOBO_ID_COLUMNS = ['_uuid', 'meta/instanceID', 'instanceID', '_id'];

export function koboIdColumn(columns: string[]): string | undefined {
  return KOBO_ID_COLUMNS.find((c) => columns.includes(c));
}
