import proj4 from 'proj4';
import { fault } from './types.ts';

/**
 * Coordinate reference systems of imported files, turned into a function to WGS 84 lon/lat.
 * proj4 parses proj strings and WKT (.prj files, gpkg_spatial_ref_sys definitions) and knows
 * WGS 84, NAD83, Web Mercator and the WGS 84 UTM zones by EPSG code; a few more codes met in
 * mine-action data are defined below. Axis order is always x = easting/longitude first, as in
 * shapefiles, GeoPackages and GeoJSON, whatever the EPSG authority says for geographic CRSs.
 */

const EXTRA_DEFS: Record<string, string> = {
  // MAGNA-SIRGAS (Colombia), geographic and the national CTM12 projection.
  'EPSG:4686': '+proj=longlat +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +no_defs',
  'EPSG:9377':
    '+proj=tmerc +lat_0=4 +lon_0=-73 +k=0.9992 +x_0=5000000 +y_0=2000000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  'EPSG:3116':
    '+proj=tmerc +lat_0=4.59620041666667 +lon_0=-74.0775079166667 +k=1 +x_0=1000000 +y_0=1000000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  // ETRS89 and Pulkovo 1942 geographic; Pulkovo Gauss-Krüger zones belong to src/geo.
  'EPSG:4258': '+proj=longlat +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +no_defs',
  'EPSG:4284': '+proj=longlat +ellps=krass +towgs84=23.57,-140.95,-79.8,0,0.35,0.79,-0.22 +no_defs',
};
for (const [code, def] of Object.entries(EXTRA_DEFS)) if (!proj4.defs(code)) proj4.defs(code, def);

/** GeoJSON 2008 `crs` names that mean plain WGS 84 longitude, latitude. */
const WGS84_NAMES =
  /^(urn:ogc:def:crs:ogc:1\.3:crs84|urn:ogc:def:crs:epsg::4326|epsg:4326|crs84|wgs84|wgs 84)$/i;

export type ToWgs84 = ((xy: number[]) => number[]) | null;

/**
 * The converter from `crs` to WGS 84 lon/lat, or null when `crs` already is WGS 84 lon/lat.
 * Throws `io.crs.unknown` when proj4 cannot understand it.
 * Example: `toWgs84('EPSG:32618')!([500000, 1000000])` → `[-75, 9.0466]`.
 */
export function toWgs84(crs: string | undefined): ToWgs84 {
  if (crs === undefined || crs.trim() === '') return null;
  const name = normaliseCrsName(crs.trim());
  if (WGS84_NAMES.test(name)) return null;
  let converter: proj4.Converter;
  try {
    converter = proj4(name, 'EPSG:4326');
    // proj4 defers some failures to the first transform: probe once.
    const probe = converter.forward([0, 0]);
    if (!Array.isArray(probe)) throw new Error('no result');
  } catch {
    throw fault('io.crs.unknown', { crs: crs.length > 200 ? `${crs.slice(0, 200)}…` : crs });
  }
  return (xy) => {
    const out = converter.forward([xy[0]!, xy[1]!]);
    return xy.length > 2 ? [out[0]!, out[1]!, ...xy.slice(2)] : [out[0]!, out[1]!];
  };
}

/** `urn:ogc:def:crs:EPSG::32618`, `EPSG:32618`, `32618` → `EPSG:32618`; other strings unchanged. */
export function normaliseCrsName(crs: string): string {
  const urn = /^urn:ogc:def:crs:epsg:[^:]*:(\d+)$/i.exec(crs);
  if (urn) return `EPSG:${urn[1]}`;
  const code = /^(?:epsg:)?(\d{4,6})$/i.exec(crs);
  if (code) return `EPSG:${code[1]}`;
  return crs;
}

/** Applies `convert` to every position of a GeoJSON geometry, in place, and returns it. */
export function reprojectGeometry<G extends { type: string; coordinates?: unknown; geometries?: unknown[] }>(
  geometry: G,
  convert: (xy: number[]) => number[],
): G {
  const walk = (c: unknown): unknown => {
    if (!Array.isArray(c)) return c;
    if (typeof c[0] === 'number') return convert(c as number[]);
    return c.map(walk);
  };
  if (geometry.type === 'GeometryCollection' && Array.isArray(geometry.geometries)) {
    for (const g of geometry.geometries) reprojectGeometry(g as G, convert);
  } else if (geometry.coordinates !== undefined) {
    geometry.coordinates = walk(geometry.coordinates);
  }
  return geometry;
}

/** True when every position lies within longitude ±180 and latitude ±90 (a cheap sign of a wrong CRS). */
export function withinLonLat(geometry: {
  type: string;
  coordinates?: unknown;
  geometries?: unknown[];
}): boolean {
  const check = (c: unknown): boolean => {
    if (!Array.isArray(c)) return true;
    if (typeof c[0] === 'number') {
      const [x, y] = c as number[];
      return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x!) <= 180 && Math.abs(y!) <= 90;
    }
    return c.every(check);
  };
  if (geometry.type === 'GeometryCollection') {
    return (geometry.geometries ?? []).every((g) => withinLonLat(g as { type: string }));
  }
  return check(geometry.coordinates);
}
