/**
 * The code-list mapping of Colombia's open landmine/UXO event data (Descontamina, one GeoJSON
 * FeatureCollection of points per year, 1990–2019) onto Safeground's registers.
 * docs/colombia-events.md explains and justifies each choice; this file is the executable form.
 *
 * A feature's properties: TIPO_EVENTO (code 1–8), DEPARTAMENTO, MUNICIPIO, TIPO_AREA
 * (Rural/Urbana), AÑO (year). Nothing else: no day, no device model, no count, no victims.
 */
import { geodesicDirect } from '../geo/geodesic.ts';
import type { MultiPolygon, Point } from '../geo/geojson.ts';
import { Problem } from './problem.ts';
import type { DeviceCategory } from './vocabularies.ts';

/** Prefix of every external id this import writes; a second run skips ids already stored. */
export const EXTERNAL_ID_PREFIX = 'co-events:';

/**
 * Colombia's extent with its Caribbean islands (San Andrés, Providencia) and Malpelo:
 * mainland about 79.0–66.85° W, 4.23° S–12.46° N; islands out to 81.75° W, 13.4° N.
 */
export const COLOMBIA_BBOX = { minLonDeg: -82, minLatDeg: -4.3, maxLonDeg: -66.8, maxLatDeg: 13.6 } as const;

/**
 * A suspected minefield is reported as a point with no perimeter. It becomes a SHA whose
 * polygon is a circle of this radius around the point, so that it shows and counts as an
 * area; the description says the perimeter is unknown.
 */
export const SUSPECTED_MINEFIELD_RADIUS_M = 50;
const CIRCLE_VERTICES = 32;

/** Events at one coordinate, in one municipality, from this many on, sit on a shared reference point. */
export const SHARED_POINT_MIN_EVENTS = 5;

type EventKind =
  | { register: 'accidents'; deviceCategory: DeviceCategory; label: string }
  | { register: 'findings'; category: DeviceCategory; label: string }
  | { register: 'hazards'; deviceCategories: DeviceCategory[]; label: string };

/** TIPO_EVENTO → register and device category. The labels are the source's terms, in English. */
export const EVENT_TYPES: Readonly<Record<string, EventKind>> = {
  '1': { register: 'accidents', deviceCategory: 'AP', label: 'accident by anti-personnel mine' },
  '2': { register: 'accidents', deviceCategory: 'other_erw', label: 'accident by unexploded ordnance' },
  '3': { register: 'findings', category: 'other_erw', label: 'stored arsenal' },
  '4': { register: 'findings', category: 'AP', label: 'military demining' },
  '5': { register: 'findings', category: 'unknown', label: 'seizure' },
  '6': { register: 'findings', category: 'other_erw', label: 'incident with unexploded ordnance' },
  '7': { register: 'findings', category: 'improvised_mine', label: 'mine factory' },
  '8': { register: 'hazards', deviceCategories: ['AP'], label: 'suspected minefield' },
};

export interface EventRef {
  /** File name without folder and extension, e.g. `2005`. */
  fileStem: string;
  /** 0-based index of the feature in the file's `features`. */
  index: number;
}

export interface AccidentFromEvent {
  register: 'accidents';
  externalId: string;
  occurredOn: string;
  datePrecision: 'year';
  pointPrecision: 'settlement' | 'admin_area' | 'within_1km' | 'unknown';
  deviceCategory: DeviceCategory;
  demining: 'unknown';
  geometry: Point;
  description: string;
}

export interface FindingFromEvent {
  register: 'findings';
  externalId: string;
  category: DeviceCategory;
  quantity: 1;
  condition: 'unknown';
  disposition: 'unknown';
  foundOn: string;
  geometry: Point;
}

export interface HazardFromEvent {
  register: 'hazards';
  externalId: string;
  type: 'SHA';
  status: 'open';
  geometry: MultiPolygon;
  deviceCategories: DeviceCategory[];
  evidence: Array<{ type: 'other'; description: string; location: Point }>;
  dateOfInformation: string;
  description: string;
}

export type RecordFromEvent = AccidentFromEvent | FindingFromEvent | HazardFromEvent;

/**
 * The external id of a feature: file stem and index, stable as long as the file is unchanged.
 * Example: `eventExternalId({ fileStem: '2005', index: 17 })` → `'co-events:2005:17'`.
 */
export function eventExternalId(ref: EventRef): string {
  return `${EXTERNAL_ID_PREFIX}${ref.fileStem}:${ref.index}`;
}

/**
 * Key of the place an event is reported at, for counting events that share a coordinate.
 * Example: `sharedPointKey({ properties: { MUNICIPIO: 'TAME' }, geometry: { type: 'Point', coordinates: [-71.73, 6.46] } })`
 * → `'TAME|-71.73|6.46'`; undefined for a feature without a point.
 */
export function sharedPointKey(feature: unknown): string | undefined {
  const point = pointOf(feature);
  if (!point) return undefined;
  const props = propertiesOf(feature);
  return `${text(props.MUNICIPIO)}|${point[0]}|${point[1]}`;
}

/**
 * How precisely an event's coordinates place it, from what the data itself shows (the source
 * states no accuracy): a coordinate shared by many events of one municipality is a reference
 * point of a settlement (typically the municipal seat); one written with one decimal or none
 * is good to about ±5.5 km (admin area), with two decimals to about ±550 m (within 1 km).
 * Finer coordinates carry no stated accuracy: unknown.
 * Example: `pointPrecisionOf(-75.1, 6.2, 1)` → `'admin_area'`.
 */
export function pointPrecisionOf(
  lonDeg: number,
  latDeg: number,
  eventsAtPoint: number,
): AccidentFromEvent['pointPrecision'] {
  if (eventsAtPoint >= SHARED_POINT_MIN_EVENTS) return 'settlement';
  const decimals = Math.max(decimalPlaces(lonDeg), decimalPlaces(latDeg));
  if (decimals <= 1) return 'admin_area';
  if (decimals === 2) return 'within_1km';
  return 'unknown';
}

/** Digits after the decimal point in the shortest form of a number. Example: `decimalPlaces(-75.25)` → 2. */
export function decimalPlaces(x: number): number {
  const s = String(x);
  if (s.includes('e')) return 0;
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/**
 * A polygon approximating a circle on the ellipsoid: `vertices` points at `radiusM` from the
 * centre along geodesics, counter-clockwise, closed.
 * Example: `circlePolygon(-75, 6, 50).coordinates[0][0].length` → 33.
 */
export function circlePolygon(
  lonDeg: number,
  latDeg: number,
  radiusM: number,
  vertices = CIRCLE_VERTICES,
): MultiPolygon {
  const ring: [number, number][] = [];
  // Azimuths go clockwise from north; walking them backwards gives a counter-clockwise ring.
  for (let i = 0; i < vertices; i++) {
    const p = geodesicDirect(latDeg, lonDeg, 360 - (i * 360) / vertices, radiusM);
    ring.push([round7(p.lonDeg), round7(p.latDeg)]);
  }
  ring.push([ring[0]![0], ring[0]![1]]);
  return { type: 'MultiPolygon', coordinates: [[ring]] };
}

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

export type MapOutcome = { ok: true; record: RecordFromEvent } | { ok: false; problem: Problem };

/**
 * Maps one feature to the record it becomes, or to the problem that rejects it (no point
 * geometry, outside Colombia, unknown TIPO_EVENTO, missing year). `eventsAtPoint` is how
 * many events of the run share its place (see sharedPointKey), for the point precision.
 * Example: a feature `{ TIPO_EVENTO: '1', AÑO: '2005', … }` at (-75.15, 7.07) → an accident on
 * 2005-01-01 with date precision 'year' and device category AP.
 */
export function mapColombiaEvent(feature: unknown, ref: EventRef, eventsAtPoint = 1): MapOutcome {
  const where = { row: ref.index };
  if (feature === null || typeof feature !== 'object' || (feature as { type?: unknown }).type !== 'Feature') {
    return reject('import.events.not_a_feature', { file: ref.fileStem, index: ref.index }, where);
  }
  const props = propertiesOf(feature);
  const point = pointOf(feature);
  if (!point)
    return reject(
      'import.events.no_geometry',
      { file: ref.fileStem, index: ref.index },
      { ...where, field: 'geometry' },
    );
  const [lonDeg, latDeg] = point;
  if (!insideColombia(lonDeg, latDeg)) {
    return reject(
      'import.events.outside_colombia',
      { file: ref.fileStem, index: ref.index, lon: lonDeg, lat: latDeg },
      { ...where, field: 'geometry' },
    );
  }
  const typeCode = text(props.TIPO_EVENTO);
  const kind = EVENT_TYPES[typeCode];
  if (!kind) {
    return reject(
      'import.events.unknown_type',
      { file: ref.fileStem, index: ref.index, value: typeCode },
      { ...where, field: 'TIPO_EVENTO' },
    );
  }
  const yearText = text(props.AÑO);
  const year = /^\d{4}$/.test(yearText) ? Number(yearText) : Number.NaN;
  if (!(year >= 1900 && year <= 2100)) {
    return reject(
      'import.events.missing_year',
      { file: ref.fileStem, index: ref.index, value: yearText },
      { ...where, field: 'AÑO' },
    );
  }
  const firstOfYear = `${yearText}-01-01`;
  const externalId = eventExternalId(ref);
  const geometry: Point = { type: 'Point', coordinates: [lonDeg, latDeg] };
  const place = placeText(props);
  const source = `Source: Colombian landmine/UXO events open data (Descontamina), ${ref.fileStem}.json feature ${ref.index}.`;
  switch (kind.register) {
    case 'accidents':
      return {
        ok: true,
        record: {
          register: 'accidents',
          externalId,
          occurredOn: firstOfYear,
          datePrecision: 'year',
          pointPrecision: pointPrecisionOf(lonDeg, latDeg, eventsAtPoint),
          deviceCategory: kind.deviceCategory,
          demining: 'unknown',
          geometry,
          description: `${capitalise(kind.label)} in ${place}, ${yearText}. ${source}`,
        },
      };
    case 'findings':
      return {
        ok: true,
        record: {
          register: 'findings',
          externalId,
          category: kind.category,
          quantity: 1,
          condition: 'unknown',
          disposition: 'unknown',
          foundOn: firstOfYear,
          geometry,
        },
      };
    case 'hazards':
      return {
        ok: true,
        record: {
          register: 'hazards',
          externalId,
          type: 'SHA',
          status: 'open',
          geometry: circlePolygon(lonDeg, latDeg, SUSPECTED_MINEFIELD_RADIUS_M),
          deviceCategories: [...kind.deviceCategories],
          evidence: [
            {
              type: 'other',
              description: `Reported ${kind.label} (TIPO_EVENTO ${typeCode})`,
              location: geometry,
            },
          ],
          dateOfInformation: firstOfYear,
          description:
            `${capitalise(kind.label)} reported in ${place}, ${yearText}. The perimeter is unknown: the polygon is a ` +
            `${SUSPECTED_MINEFIELD_RADIUS_M} m circle around the reported point. ${source}`,
        },
      };
  }
}

export function insideColombia(lonDeg: number, latDeg: number): boolean {
  const b = COLOMBIA_BBOX;
  return lonDeg >= b.minLonDeg && lonDeg <= b.maxLonDeg && latDeg >= b.minLatDeg && latDeg <= b.maxLatDeg;
}

function reject(
  code: string,
  params: Record<string, string | number>,
  where: { row: number; field?: string },
): MapOutcome {
  return { ok: false, problem: new Problem(code, params, where) };
}

function propertiesOf(feature: unknown): Record<string, unknown> {
  const p = (feature as { properties?: unknown } | null)?.properties;
  return p !== null && typeof p === 'object' ? (p as Record<string, unknown>) : {};
}

function pointOf(feature: unknown): [number, number] | undefined {
  const g = (feature as { geometry?: unknown } | null)?.geometry as
    | { type?: unknown; coordinates?: unknown }
    | null
    | undefined;
  if (g?.type !== 'Point' || !Array.isArray(g.coordinates)) return undefined;
  const [lon, lat] = g.coordinates as unknown[];
  if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat))
    return undefined;
  return [lon, lat];
}

function text(v: unknown): string {
  return v === undefined || v === null ? '' : String(v).trim();
}

/** "ANORÍ, ANTIOQUIA (rural area)"; parts the feature lacks are left out. */
function placeText(props: Record<string, unknown>): string {
  const names =
    [text(props.MUNICIPIO), text(props.DEPARTAMENTO)].filter(Boolean).join(', ') || 'an unnamed place';
  const area = text(props.TIPO_AREA).toLowerCase();
  const areaText = area.startsWith('rural')
    ? ' (rural area)'
    : area.startsWith('urban')
      ? ' (urban area)'
      : '';
  return names + areaText;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
