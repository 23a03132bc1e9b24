import proj4 from 'proj4';
import { Problem } from '../domain/problem.ts';

/**
 * Coordinate reference systems a minefield record or a field team may use, and conversion
 * between them. The projection mathematics is proj4js (Poder/Engsager extended transverse
 * Mercator, accurate to well under a millimetre within a zone); this module only decides
 * which definition a code means, which axis comes first, and which datum shift is used.
 *
 * Axis order follows the EPSG authority, as PROJ's `cs2cs` does: latitude first for
 * EPSG:4326 and EPSG:4284, northing (X) first for the Pulkovo 1942 Gauss-Krüger CRSs,
 * easting first for UTM. proj4 strings supplied by a user are read easting/longitude first,
 * as PROJ reads them.
 */

/** `en`: easting/longitude first; `ne`: northing/latitude first. */
export type AxisOrder = 'en' | 'ne';

export interface CrsInfo {
  /** `EPSG:nnnn`, or the user's proj4 string (trimmed). */
  code: string;
  /** The proj4 definition used for the computation. */
  proj4: string;
  axisOrder: AxisOrder;
  kind: 'geographic' | 'projected';
  /** Central meridian of a transverse Mercator zone. */
  centralMeridianDeg?: number;
  /** UTM or Gauss-Krüger zone number (3° zones are numbered by central meridian / 3). */
  zone?: number;
  /** True when the false easting carries the zone number in front (zone 8: 8 500 000 m). */
  zonePrefixInEasting?: boolean;
}

export interface AxisOptions {
  /** Read and write easting/longitude first whatever the CRS's authority order. */
  xy?: boolean;
}

/**
 * EPSG:15865 "Pulkovo 1942 to WGS 84 (16)", pinned for every Pulkovo 1942 CRS.
 * EPSG publishes it as a coordinate-frame rotation (rx 0, ry −0.35″, rz −0.736″); PROJ's
 * `+towgs84` is position-vector, so the rotation signs flip. A wrong sign moves points
 * about 29 m in the Caucasus; the reference test against PROJ catches it.
 */
export const PULKOVO_1942_TO_WGS84_TOWGS84 = '25,-141,-78.5,0,0.35,0.736,0';
const KRASSOWSKY = `+ellps=krass +towgs84=${PULKOVO_1942_TO_WGS84_TOWGS84}`;

const WGS84_PROJ4 = '+proj=longlat +datum=WGS84 +no_defs';

function gaussKruger(code: number, zoneMeridianDeg: number, falseEastingM: number, zone: number): CrsInfo {
  // Zones 31 and 32 lie across the antimeridian; EPSG writes their meridians as −177° and −171°.
  const centralMeridianDeg = zoneMeridianDeg > 180 ? zoneMeridianDeg - 360 : zoneMeridianDeg;
  return {
    code: `EPSG:${code}`,
    proj4: `+proj=tmerc +lat_0=0 +lon_0=${centralMeridianDeg} +k=1 +x_0=${falseEastingM} +y_0=0 ${KRASSOWSKY} +units=m +no_defs`,
    axisOrder: 'ne',
    kind: 'projected',
    centralMeridianDeg,
    zone,
    zonePrefixInEasting: falseEastingM > 500_000,
  };
}

/**
 * The definition behind an EPSG code this module knows, or undefined.
 * Families (checked against `projinfo` in test/reference/pulkovo-crs-definitions.tsv):
 * - 4326 WGS 84; 32601–32660 and 32701–32760 WGS 84 / UTM north and south;
 * - 4284 Pulkovo 1942;
 * - 28404–28432 Pulkovo 1942 / Gauss-Kruger zone 4–32 (6°, false easting with zone prefix);
 * - 2492–2520 Pulkovo 1942 / Gauss-Kruger CM 9E–177E (6°, false easting 500 000);
 * - 2523–2549 Pulkovo 1942 / 3-degree Gauss-Kruger zone 7–33 (false easting with zone prefix);
 * - 2582–2599 Pulkovo 1942 / 3-degree Gauss-Kruger CM 21E–72E (false easting 500 000).
 *
 * @example epsgDefinition(28408)?.centralMeridianDeg // 45
 */
export function epsgDefinition(code: number): CrsInfo | undefined {
  if (code === 4326) {
    return { code: 'EPSG:4326', proj4: WGS84_PROJ4, axisOrder: 'ne', kind: 'geographic' };
  }
  if (code === 4284) {
    return {
      code: 'EPSG:4284',
      proj4: `+proj=longlat ${KRASSOWSKY} +no_defs`,
      axisOrder: 'ne',
      kind: 'geographic',
    };
  }
  if ((code >= 32601 && code <= 32660) || (code >= 32701 && code <= 32760)) {
    const zone = code % 100;
    const south = code >= 32701;
    return {
      code: `EPSG:${code}`,
      proj4: `+proj=utm +zone=${zone}${south ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`,
      axisOrder: 'en',
      kind: 'projected',
      centralMeridianDeg: zone * 6 - 183,
      zone,
    };
  }
  if (code >= 28404 && code <= 28432) {
    const zone = code - 28400;
    return gaussKruger(code, zone * 6 - 3, zone * 1_000_000 + 500_000, zone);
  }
  if (code >= 2492 && code <= 2520) {
    const centralMeridianDeg = 9 + 6 * (code - 2492);
    return gaussKruger(code, centralMeridianDeg, 500_000, (centralMeridianDeg + 3) / 6);
  }
  if (code >= 2523 && code <= 2549) {
    const zone = 7 + (code - 2523);
    return gaussKruger(code, zone * 3, zone * 1_000_000 + 500_000, zone);
  }
  if (code >= 2582 && code <= 2599) {
    const centralMeridianDeg = 21 + 3 * (code - 2582);
    return gaussKruger(code, centralMeridianDeg, 500_000, centralMeridianDeg / 3);
  }
  return undefined;
}

const GEOGRAPHIC_PROJ_NAMES = new Set(['longlat', 'latlong', 'lonlat', 'latlon']);

/**
 * What a CRS spec names: `EPSG:nnnn` (any case, also `urn:ogc:def:crs:EPSG::nnnn`) from
 * the families above, or a proj4 string starting with `+proj=`.
 * Anything else is `geo.crs.unknown`.
 *
 * @example resolveCrs('EPSG:28408').axisOrder // 'ne'
 */
export function resolveCrs(spec: string): CrsInfo {
  const text = spec.trim();
  const epsg = /^(?:EPSG:|urn:ogc:def:crs:EPSG::)(\d{4,5})$/i.exec(text);
  if (epsg) {
    const info = epsgDefinition(Number(epsg[1]));
    if (info) return info;
    throw new Problem('geo.crs.unknown', { crs: text });
  }
  if (text.startsWith('+proj=')) {
    let projName: string | undefined;
    try {
      projName = (proj4.Proj(text) as unknown as { projName?: string }).projName;
    } catch {
      projName = undefined;
    }
    if (!projName) throw new Problem('geo.crs.unknown', { crs: text });
    return {
      code: text,
      proj4: text,
      axisOrder: 'en',
      kind: GEOGRAPHIC_PROJ_NAMES.has(projName) ? 'geographic' : 'projected',
    };
  }
  throw new Problem('geo.crs.unknown', { crs: text });
}

/** Puts (a, b) in the CRS's order into (easting/longitude, northing/latitude). */
function toEastNorth(info: CrsInfo, a: number, b: number, opts: AxisOptions): [number, number] {
  return info.axisOrder === 'ne' && !opts.xy ? [b, a] : [a, b];
}

function fromEastNorth(info: CrsInfo, x: number, y: number, opts: AxisOptions): [number, number] {
  return info.axisOrder === 'ne' && !opts.xy ? [y, x] : [x, y];
}

function checkInput(info: CrsInfo, x: number, y: number): void {
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    throw new Problem('geo.coordinate.not_finite', { crs: info.code });
  }
  if (info.kind === 'geographic') {
    if (Math.abs(y) > 90)
      throw new Problem('geo.coordinate.out_of_range', { axis: 'lat', value: y, min: -90, max: 90 });
    if (Math.abs(x) > 180) {
      throw new Problem('geo.coordinate.out_of_range', { axis: 'lon', value: x, min: -180, max: 180 });
    }
  }
  // An easting without its zone prefix (500 000 instead of 8 500 000) is the commonest
  // slip with Gauss-Krüger records; converting it anyway would put the point thousands
  // of kilometres away without a word.
  if (info.zonePrefixInEasting && info.zone !== undefined && Math.floor(x / 1_000_000) !== info.zone) {
    throw new Problem('geo.crs.zone_prefix_mismatch', { crs: info.code, zone: info.zone, eastingM: x });
  }
}

export type PointTransformer = (a: number, b: number) => [number, number];

/**
 * A converter from one CRS to another, built once and used for many points. Input and
 * output are in each CRS's authority axis order unless `xy` is set.
 *
 * @example makeTransformer('EPSG:4326', 'EPSG:32638')(40, 45) // [500000, 4427757.2…]
 */
export function makeTransformer(from: string, to: string, opts: AxisOptions = {}): PointTransformer {
  const source = resolveCrs(from);
  const target = resolveCrs(to);
  const converter = proj4(source.proj4, target.proj4);
  return (a, b) => {
    const [x, y] = toEastNorth(source, a, b, opts);
    checkInput(source, x, y);
    const out = converter.forward([x, y]);
    const [ox, oy] = [out[0]!, out[1]!];
    if (!Number.isFinite(ox) || !Number.isFinite(oy)) {
      throw new Problem('geo.crs.transform_failed', { from: source.code, to: target.code });
    }
    return fromEastNorth(target, ox, oy, opts);
  };
}

/**
 * Converts one point; (a, b) and the result are in authority axis order unless `xy`.
 *
 * @example transformPoint('EPSG:28408', 'EPSG:4326', 4428000, 8500000) // [lat, lon] near 40°N 45°E
 */
export function transformPoint(
  from: string,
  to: string,
  a: number,
  b: number,
  opts: AxisOptions = {},
): [number, number] {
  return makeTransformer(from, to, opts)(a, b);
}

/**
 * A point in any CRS to WGS 84 longitude and latitude (always longitude first, as GeoJSON).
 *
 * @example toLonLat('EPSG:4284', 40, 45) // [44.998772…, 39.999888…]
 */
export function toLonLat(
  from: string,
  a: number,
  b: number,
  opts: AxisOptions = {},
): [lon: number, lat: number] {
  const [lat, lon] = makeTransformer(from, 'EPSG:4326', { xy: opts.xy })(a, b);
  return opts.xy ? [lat, lon] : [lon, lat];
}

/**
 * WGS 84 longitude and latitude to a point in `to`, in its authority axis order unless `xy`.
 *
 * @example fromLonLat('EPSG:32638', 45, 40) // [500000, 4427757.2…]
 */
export function fromLonLat(to: string, lon: number, lat: number, opts: AxisOptions = {}): [number, number] {
  const target = resolveCrs(to);
  const converter = proj4(WGS84_PROJ4, target.proj4);
  const wgs84: CrsInfo = { code: 'EPSG:4326', proj4: WGS84_PROJ4, axisOrder: 'en', kind: 'geographic' };
  checkInput(wgs84, lon, lat);
  const out = converter.forward([lon, lat]);
  const [x, y] = [out[0]!, out[1]!];
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    throw new Problem('geo.crs.transform_failed', { from: 'EPSG:4326', to: target.code });
  }
  return fromEastNorth(target, x, y, opts);
}

function checkLongitude(lonDeg: number): void {
  if (!Number.isFinite(lonDeg)) throw new Problem('geo.coordinate.not_finite', { crs: 'EPSG:4326' });
  if (Math.abs(lonDeg) > 180) {
    throw new Problem('geo.coordinate.out_of_range', { axis: 'lon', value: lonDeg, min: -180, max: 180 });
  }
}

/**
 * The 6° Gauss-Krüger zone holding a longitude: zone n spans 6(n−1)°…6n° east, central
 * meridian 6n−3; western longitudes continue the count (zones 31–60). A longitude on a
 * zone boundary belongs to the zone to its east, as with UTM.
 *
 * @example gkZoneForLon(45.2) // 8
 */
export function gkZoneForLon(lonDeg: number): number {
  checkLongitude(lonDeg);
  const east = lonDeg < 0 ? lonDeg + 360 : lonDeg;
  return Math.min(60, Math.floor(east / 6) + 1);
}

/**
 * The EPSG code of the Pulkovo 1942 6° Gauss-Krüger CRS (with zone prefix) for a longitude.
 * EPSG defines these for zones 4–32 only (18°E–192°E); elsewhere `geo.crs.no_gauss_kruger_zone`.
 *
 * @example gaussKrugerCrsForLon(45.2) // 'EPSG:28408'
 */
export function gaussKrugerCrsForLon(lonDeg: number): string {
  const zone = gkZoneForLon(lonDeg);
  if (zone < 4 || zone > 32) throw new Problem('geo.crs.no_gauss_kruger_zone', { lonDeg, zone });
  return `EPSG:${28400 + zone}`;
}

/**
 * The 3° Gauss-Krüger zone holding a longitude: zone n has central meridian 3n and spans
 * 3n−1.5°…3n+1.5° (a boundary belongs to the zone to its east).
 *
 * @example gk3ZoneForLon(45.2) // 15
 */
export function gk3ZoneForLon(lonDeg: number): number {
  checkLongitude(lonDeg);
  const east = lonDeg < 0 ? lonDeg + 360 : lonDeg;
  return Math.floor((east + 1.5) / 3) % 120;
}

/**
 * The EPSG code of the Pulkovo 1942 3° Gauss-Krüger CRS (with zone prefix) for a longitude;
 * EPSG:2523–2549 cover zones 7–33 (19.5°E–100.5°E).
 *
 * @example gaussKruger3CrsForLon(45.2) // 'EPSG:2531'
 */
export function gaussKruger3CrsForLon(lonDeg: number): string {
  const zone = gk3ZoneForLon(lonDeg);
  if (zone < 7 || zone > 33) throw new Problem('geo.crs.no_gauss_kruger_zone', { lonDeg, zone });
  return `EPSG:${2523 + zone - 7}`;
}
