import proj4 from 'proj4';
import { fromMgrs, toMgrs as mgrsOf } from '../../../src/geo/mgrs.ts';

/**
 * Reading coordinates people type or paste into a form: decimal degrees, degrees-minutes-
 * seconds, UTM and MGRS, one position per line. Results are WGS 84 [longitude, latitude].
 * Conversions are done by src/geo/mgrs.ts and `proj4`; only the recognition of the notations is ours.
 */
export type LonLat = [number, number];

export type CoordinateErrorCode =
  | 'coords.unrecognised'
  | 'coords.latitude_range'
  | 'coords.longitude_range'
  | 'coords.minutes_range'
  | 'coords.utm_zone';

export type ParsedPosition =
  | { ok: true; position: LonLat; notation: 'dd' | 'dms' | 'utm' | 'mgrs' }
  | { ok: false; code: CoordinateErrorCode };

const MGRS_RE = /^(\d{1,2})\s*([C-HJ-NP-X])\s*([A-HJ-NP-Z]{2})\s*(\d+)\s*(\d*)$/i;
// UTM with a latitude band letter (as on maps and GPS receivers): "38T 500000 4400000".
const UTM_RE =
  /^(\d{1,2})\s*([C-HJ-NP-X])\s+(\d+(?:\.\d+)?)\s*(?:m\s*)?E?\s*[,;\s]\s*(\d+(?:\.\d+)?)\s*(?:m\s*)?N?$/i;

function normalise(text: string): string {
  return text
    .trim()
    .replace(/[′’‘`]/g, "'")
    .replace(/[″“”]/g, '"')
    .replace(/''/g, '"')
    .replace(/\s+/g, ' ');
}

/** Position of an MGRS reference, e.g. "38TLL 12345 67890" → [lon, lat] (centre of the cell). */
export function parseMgrs(text: string): LonLat | null {
  const m = MGRS_RE.exec(text.replace(/\s+/g, ''));
  if (!m) return null;
  const digits = `${m[4]}${m[5]}`;
  if (digits.length % 2 !== 0 || digits.length > 10) return null;
  try {
    const { centre } = fromMgrs(`${m[1]}${m[2].toUpperCase()}${m[3].toUpperCase()}${digits}`);
    return [centre.lon, centre.lat];
  } catch {
    return null;
  }
}

/**
 * UTM zone, band letter, easting, northing → [lon, lat]; bands C–M are south of the equator.
 * Example: parseUtm("38T 447000 4447000") ≈ [44.37, 40.17].
 */
export function parseUtm(text: string): LonLat | null | 'zone' {
  const m = UTM_RE.exec(text);
  if (!m) return null;
  const zone = Number(m[1]);
  if (zone < 1 || zone > 60) return 'zone';
  const south = m[2].toUpperCase() < 'N';
  const def = `+proj=utm +zone=${zone}${south ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`;
  const [lon, lat] = proj4(def, 'EPSG:4326', [Number(m[3]), Number(m[4])]);
  return [lon, lat];
}

interface Angle {
  value: number;
  hemisphere: 'N' | 'S' | 'E' | 'W' | null;
  notation: 'dd' | 'dms';
  badMinutes: boolean;
}

/** One angle: "40.5", "-40.5", "40°30'N", "N 40 30 15.5", "40d30m15s". */
function parseAngle(part: string): Angle | null {
  let s = part.trim();
  let hemisphere: Angle['hemisphere'] = null;
  const lead = /^([NSEW])\s*/i.exec(s);
  const trail = /\s*([NSEW])$/i.exec(s);
  if (lead) {
    hemisphere = lead[1].toUpperCase() as Angle['hemisphere'];
    s = s.slice(lead[0].length);
  } else if (trail) {
    hemisphere = trail[1].toUpperCase() as Angle['hemisphere'];
    s = s.slice(0, s.length - trail[0].length);
  }
  if (!/^[-+]?[\d.\s°d'm"s:]+$/i.test(s)) return null;
  const negative = s.startsWith('-');
  const numbers = s.match(/\d+(?:\.\d+)?/g);
  if (!numbers || numbers.length > 3) return null;
  const [d, m = '0', sec = '0'] = numbers;
  const minutes = Number(m);
  const seconds = Number(sec);
  const value = Number(d) + minutes / 60 + seconds / 3600;
  return {
    value: negative ? -value : value,
    hemisphere,
    notation: numbers.length === 1 ? 'dd' : 'dms',
    badMinutes: minutes >= 60 || seconds >= 60,
  };
}

/** Splits a line into its two angles: at a comma/semicolon, after a hemisphere letter, or by token count. */
function splitPair(s: string): [string, string] | null {
  const sep = s.split(/\s*[,;]\s*/);
  if (sep.length === 2) return [sep[0], sep[1]];
  const trailing = /^(.*?[0-9."'°]\s*[NS])\s+(.+[EW])$/i.exec(s);
  if (trailing) return [trailing[1], trailing[2]];
  const leading = /^([NSEW]\s*[^NSEW]+?)\s+([NSEW].+)$/i.exec(s);
  if (leading) return [leading[1], leading[2]];
  const tokens = s.split(' ');
  if (tokens.length % 2 === 0 && tokens.length <= 6) {
    const h = tokens.length / 2;
    return [tokens.slice(0, h).join(' '), tokens.slice(h).join(' ')];
  }
  return null;
}

/**
 * Reads one position. Without hemisphere letters the order is latitude, longitude (as
 * printed on maps and GPS screens). Example: parsePosition("40°10'30\"N 44°30'E") →
 * { ok, position: [44.5, 40.175] }.
 */
export function parsePosition(input: string): ParsedPosition {
  const s = normalise(input);
  if (!s) return { ok: false, code: 'coords.unrecognised' };
  const mgrs = parseMgrs(s);
  if (mgrs) return { ok: true, position: mgrs, notation: 'mgrs' };
  const utm = parseUtm(s);
  if (utm === 'zone') return { ok: false, code: 'coords.utm_zone' };
  if (utm) return { ok: true, position: utm, notation: 'utm' };
  const pair = splitPair(s);
  if (!pair) return { ok: false, code: 'coords.unrecognised' };
  const a = parseAngle(pair[0]);
  const b = parseAngle(pair[1]);
  if (!a || !b) return { ok: false, code: 'coords.unrecognised' };
  if (a.badMinutes || b.badMinutes) return { ok: false, code: 'coords.minutes_range' };
  let lat: Angle = a;
  let lon: Angle = b;
  if (a.hemisphere === 'E' || a.hemisphere === 'W' || b.hemisphere === 'N' || b.hemisphere === 'S') {
    lat = b;
    lon = a;
  }
  const latV = lat.hemisphere === 'S' ? -Math.abs(lat.value) : lat.value;
  const lonV = lon.hemisphere === 'W' ? -Math.abs(lon.value) : lon.value;
  if (Math.abs(latV) > 90) return { ok: false, code: 'coords.latitude_range' };
  if (Math.abs(lonV) > 180) return { ok: false, code: 'coords.longitude_range' };
  return {
    ok: true,
    position: [lonV, latV],
    notation: a.notation === 'dms' || b.notation === 'dms' ? 'dms' : 'dd',
  };
}

export interface ParsedLines {
  positions: LonLat[];
  /** Faults by line number (1-based), in input order. */
  errors: { line: number; code: CoordinateErrorCode }[];
}

/** Reads a list of positions, one per non-empty line. */
export function parsePositions(text: string): ParsedLines {
  const positions: LonLat[] = [];
  const errors: ParsedLines['errors'] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return;
    const r = parsePosition(raw);
    if (r.ok) positions.push(r.position);
    else errors.push({ line: i + 1, code: r.code });
  });
  return { positions, errors };
}

/** MGRS reference at 1 m precision, or null outside the MGRS latitude limits (polar areas use UPS). */
export function toMgrs(lon: number, lat: number): string | null {
  if (lat < -80 || lat > 84) return null;
  try {
    const m = mgrsOf(lat, lon, 1);
    return m.replace(/^(\d{1,2}[A-Z])([A-Z]{2})(\d{5})(\d{5})$/, '$1 $2 $3 $4');
  } catch {
    return null;
  }
}

/** Decimal degrees with hemisphere-free signs, 6 decimals (≈ 0.1 m): "40.123457, 44.500000". */
export function formatLatLon(lon: number, lat: number): string {
  return `${lat.toFixed(6)}, ${lon.toFixed(6)}`;
}
