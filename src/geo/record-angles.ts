import type { AngleUnit } from '../domain/minefield-record.ts';
import { Problem, type ProblemLocation } from '../domain/problem.ts';

/**
 * Angle units and notations found in minefield records.
 *
 * - `deg`: degrees, 360 to the circle (decimal `93.5`, or `93°30'` / `93°30'15"`).
 * - `mil6000`: mils of 6000 to the circle (Soviet and Warsaw Pact artillery/engineer mil).
 * - `mil6400`: mils of 6400 to the circle (NATO mil).
 * - `soviet`: mils of 6000 written in the Soviet "large-small division" notation, where
 *   "15-50" means 15 large divisions (of 100 mils) and 50 small ones: 1550 mils = 93°.
 *
 * A mil value may be written as a number (`1550`) or in the "15-50" notation in any mil
 * unit, so that a record read under the other mil circle (a hypothesis) keeps its figures.
 */
export type { AngleUnit } from '../domain/minefield-record.ts';
export type MilCircle = 6000 | 6400;

/** Units per full circle of an angle unit, optionally read under another mil circle. */
export function unitsPerCircle(unit: AngleUnit, milCircle?: MilCircle): number {
  if (unit === 'deg') return 360;
  if (milCircle) return milCircle;
  return unit === 'mil6400' ? 6400 : 6000;
}

/**
 * Mils written in the Soviet notation, large and small divisions separated by a dash.
 *
 * @example parseSovietMils('15-50') // 1550
 * @example parseSovietMils('0-05') // 5
 */
export function parseSovietMils(text: string): number | undefined {
  // An en dash, a minus sign or a dot turn up in typed-up records for the same dash.
  const m = /^\s*(\d{1,2})\s*[-–—−.]\s*(\d{2})\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number(m[2]);
}

/**
 * Mils in the Soviet notation, the way a record writes them.
 *
 * @example formatSovietMils(1550) // '15-50'
 */
export function formatSovietMils(mils: number): string {
  const whole = Math.round(mils);
  return `${Math.floor(whole / 100)}-${String(whole % 100).padStart(2, '0')}`;
}

/**
 * Degrees from a sexagesimal text such as `93°30'15"`, `93 30 15` or a decimal `93.5`.
 *
 * @example parseDegrees(`93°30'`) // 93.5
 */
export function parseDegrees(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^[+]?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const m = /^(\d{1,3})\s*[°\s]\s*(?:(\d{1,2}(?:\.\d+)?)\s*['′]?\s*(?:(\d{1,2}(?:\.\d+)?)\s*["″]?)?)?$/.exec(
    trimmed,
  );
  if (!m) return undefined;
  const minutes = m[2] === undefined ? 0 : Number(m[2]);
  const seconds = m[3] === undefined ? 0 : Number(m[3]);
  if (minutes >= 60 || seconds >= 60) return undefined;
  return Number(m[1]) + minutes / 60 + seconds / 3600;
}

/**
 * The figure of an angle in its own unit (degrees or mils), from a number or a text in
 * the unit's notation; `undefined` when the text is not readable.
 *
 * @example readAngleFigure('15-50', 'soviet') // 1550
 */
export function readAngleFigure(raw: number | string, unit: AngleUnit): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (unit === 'deg') return parseDegrees(raw);
  const soviet = parseSovietMils(raw);
  if (soviet !== undefined) return soviet;
  const trimmed = raw.trim();
  return /^[+-]?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : undefined;
}

/**
 * Converts mils to degrees for a given circle.
 *
 * @example milsToDeg(1550, 6000) // 93
 */
export function milsToDeg(mils: number, circle: MilCircle): number {
  return (mils * 360) / circle;
}

/**
 * Converts degrees to mils for a given circle.
 *
 * @example degToMils(90, 6400) // 1600
 */
export function degToMils(deg: number, circle: MilCircle): number {
  return (deg * circle) / 360;
}

/**
 * A bearing or angle of a record in degrees. The figure must lie within its unit's circle
 * (0 to 360°, 0 to 6000 or 6400 mils; the full circle itself is accepted as north, since
 * records write "60-00"). A text that cannot be read is `record.angle_unreadable`; a figure
 * outside the circle is `record.angle_out_of_range`, both located at `where` (the leg).
 *
 * @example angleToDeg('15-50', 'soviet') // 93
 * @example angleToDeg('15-50', 'soviet', 6400) // 87.1875
 */
export function angleToDeg(
  raw: number | string,
  unit: AngleUnit,
  milCircle?: MilCircle,
  where?: ProblemLocation & { leg?: number },
): number {
  const figure = readAngleFigure(raw, unit);
  const { leg, ...location } = where ?? {};
  if (figure === undefined) {
    throw new Problem('record.angle_unreadable', { value: String(raw), unit, leg }, location);
  }
  const circle = unitsPerCircle(unit, milCircle);
  if (figure < 0 || figure > circle) {
    throw new Problem(
      'record.angle_out_of_range',
      { value: String(raw), unit: unit === 'deg' ? 'deg' : `mil${circle}`, max: circle, leg },
      location,
    );
  }
  return (figure * 360) / circle;
}

/**
 * An azimuth brought into [0, 360).
 *
 * @example normaliseAzimuthDeg(-3) // 357
 */
export function normaliseAzimuthDeg(deg: number): number {
  const r = deg % 360;
  return r < 0 ? r + 360 : r === 0 ? 0 : r;
}
