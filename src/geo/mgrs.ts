import proj4 from 'proj4';
import { Problem } from '../domain/problem.ts';

/**
 * MGRS (Military Grid Reference System) to and from WGS 84, including the polar UPS areas
 * and the Norway and Svalbard zone exceptions.
 *
 * Written here rather than taken from the `mgrs` npm package: that package has no polar
 * (UPS) support and uses a short transverse Mercator series that misses the NGA GEOTRANS
 * reference at 1 m in about one case in seven. The projections themselves are proj4js
 * (extended transverse Mercator for UTM, polar stereographic for UPS, both agreeing with
 * PROJ to well under a millimetre); this module does the zone choice and the lettering, as
 * NGA's GEOTRANS 3 does.
 *
 * A reference names the square that contains the point: digits are truncated, not rounded,
 * as the MGRS standard, GEOTRANS 3.9 and GeographicLib do. Decoding returns the south-west
 * corner of that square (the GEOTRANS convention) and its centre.
 */

export type MgrsPrecisionM = 1 | 10 | 100 | 1000 | 10000 | 100000;
export const MGRS_PRECISIONS_M: readonly MgrsPrecisionM[] = [1, 10, 100, 1000, 10000, 100000];

/** A position on the UTM or UPS grid that MGRS letters: the full easting and northing in metres. */
export interface MgrsGridPosition {
  system: 'utm' | 'ups';
  /** UTM zone 1–60; absent for UPS. */
  zone?: number;
  /** UTM latitude band C–X, or the UPS letter A/B (south) or Y/Z (north). */
  band: string;
  hemisphere: 'N' | 'S';
  eastingM: number;
  northingM: number;
}

export interface DecodedMgrs {
  /** South-west corner of the referenced square (GEOTRANS convention). */
  lat: number;
  lon: number;
  /** Side of the referenced square in metres. */
  precisionM: MgrsPrecisionM;
  /** Centre of the referenced square. */
  centre: { lat: number; lon: number };
}

const WGS84 = '+proj=longlat +datum=WGS84 +no_defs';
/** Latitude bands of 8° from 80°S; X is 12° (72°N–84°N). I and O are never used. */
const BANDS = 'CDEFGHJKLMNPQRSTUVWX';
/** 100 km column letters of the three UTM zone sets (zone 1, 2, 3, then repeating). */
const UTM_COLUMNS = ['ABCDEFGH', 'JKLMNPQR', 'STUVWXYZ'];
/** 100 km row letters, repeating every 2 000 km; even zones start five letters on. */
const UTM_ROWS = 'ABCDEFGHJKLMNPQRSTUV';
/** UPS columns west (A, Y) and east (B, Z) of the 0°/180° meridian, and rows. */
const UPS_COLUMNS_WEST = 'JKLPQRSTUXYZ';
const UPS_COLUMNS_EAST = 'ABCFGHJKLPQR';
const UPS_ROWS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
/** Grid origin of the UPS lettering per hemisphere, in metres. */
const UPS_ORIGIN = {
  N: { westEastingM: 800_000, northingM: 1_300_000 },
  S: { westEastingM: 800_000, northingM: 800_000 },
} as const;

function utmProj(zone: number, hemisphere: 'N' | 'S'): string {
  return `+proj=utm +zone=${zone}${hemisphere === 'S' ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`;
}

function upsProj(hemisphere: 'N' | 'S'): string {
  return `+proj=stere +lat_0=${hemisphere === 'N' ? 90 : -90} +lon_0=0 +k=0.994 +x_0=2000000 +y_0=2000000 +datum=WGS84 +units=m +no_defs`;
}

function checkLatLon(lat: number, lon: number): void {
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) {
    throw new Problem('geo.coordinate.not_finite', { crs: 'EPSG:4326' });
  }
  if (Math.abs(lat) > 90)
    throw new Problem('geo.coordinate.out_of_range', { axis: 'lat', value: lat, min: -90, max: 90 });
  if (Math.abs(lon) > 180) {
    throw new Problem('geo.coordinate.out_of_range', { axis: 'lon', value: lon, min: -180, max: 180 });
  }
}

/**
 * The UTM zone MGRS uses for a point: 6° zones from 180°W, with zone 32 widened over
 * south-west Norway (56°–64°N, 3°–12°E) and zones 31, 33, 35, 37 widened over Svalbard
 * (72°–84°N), where 32X, 34X and 36X do not exist. Longitude 180° counts as −180° (zone 1).
 *
 * @example mgrsUtmZone(60, 5) // 32
 */
export function mgrsUtmZone(lat: number, lon: number): number {
  const lon180 = lon >= 180 ? lon - 360 : lon;
  let zone = Math.floor((lon180 + 180) / 6) + 1;
  if (lat >= 56 && lat < 64 && lon180 >= 3 && lon180 < 12) zone = 32;
  if (lat >= 72 && lon180 >= 0 && lon180 < 42) {
    if (lon180 < 9) zone = 31;
    else if (lon180 < 21) zone = 33;
    else if (lon180 < 33) zone = 35;
    else zone = 37;
  }
  return zone;
}

/**
 * The MGRS latitude band of a latitude within 80°S–84°N.
 *
 * @example latitudeBand(40.2) // 'T'
 */
export function latitudeBand(lat: number): string {
  if (lat >= 72) return 'X';
  return BANDS[Math.floor((lat + 80) / 8)]!;
}

/**
 * The grid position of a WGS 84 point: UTM from 80°S to 84°N inclusive, UPS beyond (as GEOTRANS).
 *
 * @example mgrsGridPosition(40, 45) // { system: 'utm', zone: 38, band: 'T', eastingM: 500000, northingM: 4427757.2… }
 */
export function mgrsGridPosition(lat: number, lon: number): MgrsGridPosition {
  checkLatLon(lat, lon);
  const hemisphere = lat < 0 ? 'S' : 'N';
  if (lat < -80 || lat > 84) {
    const [eastingM, northingM] = proj4(WGS84, upsProj(hemisphere)).forward([lon, lat]) as [number, number];
    const west = eastingM < 2_000_000;
    const band = hemisphere === 'N' ? (west ? 'Y' : 'Z') : west ? 'A' : 'B';
    return { system: 'ups', band, hemisphere, eastingM, northingM };
  }
  const zone = mgrsUtmZone(lat, lon);
  const [eastingM, northingM] = proj4(WGS84, utmProj(zone, hemisphere)).forward([lon, lat]) as [
    number,
    number,
  ];
  return { system: 'utm', zone, band: latitudeBand(lat), hemisphere, eastingM, northingM };
}

function checkPrecision(precisionM: number): asserts precisionM is MgrsPrecisionM {
  if (!(MGRS_PRECISIONS_M as readonly number[]).includes(precisionM)) {
    throw new Problem('geo.mgrs.invalid_precision', { precisionM: String(precisionM) });
  }
}

/**
 * The MGRS reference of a grid position at a precision, digits truncated to the square
 * that holds the position.
 *
 * @example formatMgrs({ system: 'utm', zone: 38, band: 'T', hemisphere: 'N', eastingM: 500000.4, northingM: 4427757.2 }, 1) // '38TNK0000027757'
 */
export function formatMgrs(position: MgrsGridPosition, precisionM: number = 1): string {
  checkPrecision(precisionM);
  // Snap to the micrometre first: a corner decoded from a reference comes back from the
  // projection as 499999.99999999994 and must not fall into the square to its west.
  const eastingM = Math.round(position.eastingM * 1e6) / 1e6;
  const northingM = Math.round(position.northingM * 1e6) / 1e6;
  let letters: string;
  if (position.system === 'ups') {
    const origin = UPS_ORIGIN[position.hemisphere];
    const west = eastingM < 2_000_000;
    const columns = west ? UPS_COLUMNS_WEST : UPS_COLUMNS_EAST;
    const column = columns[Math.floor((eastingM - (west ? origin.westEastingM : 2_000_000)) / 100_000)];
    const row = UPS_ROWS[Math.floor((northingM - origin.northingM) / 100_000)];
    if (column === undefined || row === undefined) throw new Problem('geo.mgrs.outside_grid', {});
    letters = `${position.band}${column}${row}`;
  } else {
    const zone = position.zone!;
    const column = UTM_COLUMNS[(zone - 1) % 3]![Math.floor(eastingM / 100_000) - 1];
    const rowIndex = (Math.floor(northingM / 100_000) + (zone % 2 === 0 ? 5 : 0)) % 20;
    if (column === undefined || rowIndex < 0) throw new Problem('geo.mgrs.outside_grid', {});
    letters = `${String(zone).padStart(2, '0')}${position.band}${column}${UTM_ROWS[rowIndex]}`;
  }
  const digits = 5 - Math.round(Math.log10(precisionM));
  const within = (m: number) =>
    String(Math.floor((m - Math.floor(m / 100_000) * 100_000) / precisionM)).padStart(digits, '0');
  return digits === 0 ? letters : `${letters}${within(eastingM)}${within(northingM)}`;
}

/**
 * MGRS reference of a WGS 84 point; `precisionM` is the side of the square (1 m to 100 km).
 *
 * @example toMgrs(40, 45) // '38TNK0000027757'
 * @example toMgrs(40, 45, 1000) // '38TNK0027'
 */
export function toMgrs(lat: number, lon: number, precisionM: number = 1): string {
  checkPrecision(precisionM);
  return formatMgrs(mgrsGridPosition(lat, lon), precisionM);
}

const UTM_PATTERN = /^(\d{1,2})([C-HJ-NP-X])([A-HJ-NP-Z])([A-HJ-NP-V])(\d*)$/;
const UPS_PATTERN = /^([ABYZ])([A-HJ-NP-Z])([A-HJ-NP-Z])(\d*)$/;

function invalid(mgrs: string, reason: string): Problem {
  return new Problem('geo.mgrs.invalid', { mgrs, reason });
}

/** Easting and northing offsets within the 100 km square, and the square's side. */
function readDigits(mgrs: string, digits: string): { eM: number; nM: number; precisionM: MgrsPrecisionM } {
  if (digits.length % 2 !== 0 || digits.length > 10) throw invalid(mgrs, 'digits');
  const half = digits.length / 2;
  const precisionM = (10 ** (5 - half)) as MgrsPrecisionM;
  const eM = half === 0 ? 0 : Number(digits.slice(0, half)) * precisionM;
  const nM = half === 0 ? 0 : Number(digits.slice(half)) * precisionM;
  return { eM, nM, precisionM };
}

/** Latitude limits of a UTM band, with half a degree of slack for squares that cross the band edge. */
function bandLimits(band: string): [number, number] {
  const south = -80 + 8 * BANDS.indexOf(band);
  return [south - 0.5, (band === 'X' ? 84 : south + 8) + 0.5];
}

/**
 * The grid position of an MGRS reference's south-west corner and its precision.
 * Spaces are ignored and letters may be lower case.
 *
 * @example parseMgrs('38T NK 00000 27757') // { position: { system: 'utm', zone: 38, …, eastingM: 500000, northingM: 4427757 }, precisionM: 1 }
 */
export function parseMgrs(mgrs: string): { position: MgrsGridPosition; precisionM: MgrsPrecisionM } {
  const text = mgrs.replace(/\s+/g, '').toUpperCase();
  const ups = UPS_PATTERN.exec(text);
  if (ups) {
    const [, band, column, row, digits] = ups as unknown as [string, string, string, string, string];
    const hemisphere = band === 'Y' || band === 'Z' ? 'N' : 'S';
    const west = band === 'A' || band === 'Y';
    const origin = UPS_ORIGIN[hemisphere];
    const columnIndex = (west ? UPS_COLUMNS_WEST : UPS_COLUMNS_EAST).indexOf(column);
    const rowIndex = UPS_ROWS.indexOf(row);
    if (columnIndex < 0) throw invalid(mgrs, 'column');
    if (rowIndex < 0 || (hemisphere === 'N' && rowIndex >= 14)) throw invalid(mgrs, 'row');
    const { eM, nM, precisionM } = readDigits(mgrs, digits);
    return {
      position: {
        system: 'ups',
        band,
        hemisphere,
        eastingM: (west ? origin.westEastingM : 2_000_000) + columnIndex * 100_000 + eM,
        northingM: origin.northingM + rowIndex * 100_000 + nM,
      },
      precisionM,
    };
  }
  const utm = UTM_PATTERN.exec(text);
  if (!utm) throw invalid(mgrs, 'format');
  const [, zoneText, band, column, row, digits] = utm as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const zone = Number(zoneText);
  if (zone < 1 || zone > 60) throw invalid(mgrs, 'zone');
  if (band === 'X' && (zone === 32 || zone === 34 || zone === 36)) throw invalid(mgrs, 'zone');
  const columnIndex = UTM_COLUMNS[(zone - 1) % 3]!.indexOf(column);
  if (columnIndex < 0) throw invalid(mgrs, 'column');
  const { eM, nM, precisionM } = readDigits(mgrs, digits);
  const hemisphere = band >= 'N' ? 'N' : 'S';
  const eastingM = (columnIndex + 1) * 100_000 + eM;
  // The row letter fixes the northing modulo 2 000 km; the band says which cycle.
  const rowNorthingM = ((UTM_ROWS.indexOf(row) - (zone % 2 === 0 ? 5 : 0) + 20) % 20) * 100_000 + nM;
  const [southDeg, northDeg] = bandLimits(band);
  const inverse = proj4(WGS84, utmProj(zone, hemisphere));
  for (let northingM = rowNorthingM; northingM <= 10_000_000; northingM += 2_000_000) {
    const lat = (inverse.inverse([eastingM + precisionM / 2, northingM + precisionM / 2]) as number[])[1]!;
    if (lat >= southDeg && lat <= northDeg) {
      return { position: { system: 'utm', zone, band, hemisphere, eastingM, northingM }, precisionM };
    }
  }
  throw invalid(mgrs, 'row');
}

function gridToLatLon(
  position: MgrsGridPosition,
  eastingM: number,
  northingM: number,
): { lat: number; lon: number } {
  const proj =
    position.system === 'ups' ? upsProj(position.hemisphere) : utmProj(position.zone!, position.hemisphere);
  const [lon, lat] = proj4(WGS84, proj).inverse([eastingM, northingM]) as [number, number];
  return { lat, lon };
}

/**
 * A WGS 84 position for an MGRS reference: the south-west corner of the square it names
 * (as GEOTRANS returns), the square's centre, and its side in metres.
 *
 * @example fromMgrs('38TNK0027') // { lat: 39.99318, lon: 45, precisionM: 1000, centre: { lat: 39.99768, lon: 45.00586 } }
 */
export function fromMgrs(mgrs: string): DecodedMgrs {
  const { position, precisionM } = parseMgrs(mgrs);
  const corner = gridToLatLon(position, position.eastingM, position.northingM);
  const centre = gridToLatLon(
    position,
    position.eastingM + precisionM / 2,
    position.northingM + precisionM / 2,
  );
  if (![corner.lat, corner.lon, centre.lat, centre.lon].every(Number.isFinite))
    throw invalid(mgrs, 'position');
  return { lat: corner.lat, lon: corner.lon, precisionM, centre };
}
