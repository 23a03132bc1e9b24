import { Problem } from '../domain/problem.ts';
import { normaliseColumn } from './tabular.ts';
import { fault, featureWhere, type SourceFeature, type TableOptions } from './types.ts';

/**
 * A mapping file says which source field feeds each of our fields and how source code lists
 * translate to ours (docs/import-export.md has worked examples):
 *
 * ```json
 * { "fields": { "category": { "from": "tipo", "codes": { "Mina antipersonal": "AP" } },
 *               "foundOn": { "from": "fecha", "transform": "date" }, "modelText": "modelo" },
 *   "externalId": "_uuid", "constants": { "disposition": "unknown" }, "crs": "EPSG:32618" }
 * ```
 */

export type Transform = 'date' | 'int' | 'number' | 'lower' | 'upper' | 'trim' | 'year-to-date';
export const TRANSFORMS: readonly Transform[] = [
  'date',
  'int',
  'number',
  'lower',
  'upper',
  'trim',
  'year-to-date',
];

export interface FieldMapping {
  from: string;
  codes?: Record<string, string>;
  default?: unknown;
  transform?: Transform;
  /** Separator of multi-valued cells (Kobo select_multiple uses a space): the field becomes a list. */
  split?: string;
}

export interface Mapping {
  fields: Record<string, string | FieldMapping>;
  externalId?: string;
  constants?: Record<string, unknown>;
  crs?: string;
  csv?: TableOptions;
}

/** `io.mapping.invalid` for a mapping file that cannot be read or is not JSON. */
export function mappingUnreadable(err: unknown): Problem {
  return new Problem(
    'io.mapping.invalid',
    { detail: err instanceof Error ? err.message : String(err), pointer: '' },
    { pointer: '' },
  );
}

/** A mapping file's text, parsed and validated; text that is not JSON is `io.mapping.invalid` too. */
export function parseMapping(text: string): Mapping {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw mappingUnreadable(err);
  }
  return loadMapping(json);
}

/** Validates a parsed mapping file; throws `io.mapping.invalid` with the JSON pointer of the first fault. */
export function loadMapping(json: unknown): Mapping {
  const invalid = (pointer: string, detail: string): never => {
    throw fault('io.mapping.invalid', { detail, pointer }, { pointer });
  };
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(json)) invalid('', 'object expected');
  const m = json as Record<string, unknown>;
  for (const key of Object.keys(m)) {
    if (!['fields', 'externalId', 'constants', 'crs', 'csv', '$schema', 'description'].includes(key))
      invalid(`/${key}`, 'unknown member');
  }
  if (!isObject(m.fields)) invalid('/fields', 'object expected');
  for (const [ours, spec] of Object.entries(m.fields as Record<string, unknown>)) {
    const at = `/fields/${escapePointer(ours)}`;
    if (typeof spec === 'string') {
      if (spec === '') invalid(at, 'source field name expected');
      continue;
    }
    if (!isObject(spec)) invalid(at, 'string or object expected');
    const s = spec as Record<string, unknown>;
    for (const key of Object.keys(s)) {
      if (!['from', 'codes', 'default', 'transform', 'split'].includes(key))
        invalid(`${at}/${key}`, 'unknown member');
    }
    if (typeof s.from !== 'string' || s.from === '') invalid(`${at}/from`, 'source field name expected');
    if (s.codes !== undefined) {
      if (!isObject(s.codes)) invalid(`${at}/codes`, 'object expected');
      for (const [k, v] of Object.entries(s.codes as Record<string, unknown>)) {
        if (typeof v !== 'string') invalid(`${at}/codes/${escapePointer(k)}`, 'string expected');
      }
    }
    if (s.transform !== undefined && !TRANSFORMS.includes(s.transform as Transform)) {
      invalid(`${at}/transform`, `one of ${TRANSFORMS.join(', ')}`);
    }
    if (s.split !== undefined && typeof s.split !== 'string') invalid(`${at}/split`, 'string expected');
  }
  if (m.externalId !== undefined && typeof m.externalId !== 'string')
    invalid('/externalId', 'string expected');
  if (m.constants !== undefined && !isObject(m.constants)) invalid('/constants', 'object expected');
  if (m.crs !== undefined && typeof m.crs !== 'string') invalid('/crs', 'string expected');
  if (m.csv !== undefined) {
    if (!isObject(m.csv)) invalid('/csv', 'object expected');
    for (const [k, v] of Object.entries(m.csv as Record<string, unknown>)) {
      if (!['lat', 'lon', 'wkt', 'mgrs', 'geopoint', 'delimiter', 'encoding'].includes(k))
        invalid(`/csv/${k}`, 'unknown member');
      if (typeof v !== 'string') invalid(`/csv/${k}`, 'string expected');
    }
  }
  return m as unknown as Mapping;
}

function escapePointer(s: string): string {
  return s.replaceAll('~', '~0').replaceAll('/', '~1');
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/**
 * A source property by name: exact, else the one whose last `group/` segment and spelling
 * (case, accents) match, as Kobo exports prefix fields with their groups.
 */
function lookup(properties: Record<string, unknown>, name: string): unknown {
  if (name in properties) return properties[name];
  const wanted = normaliseColumn(name);
  const keys = Object.keys(properties).filter((k) => normaliseColumn(k) === wanted);
  return keys.length === 1 ? properties[keys[0]!] : undefined;
}

/**
 * Our properties from a source feature. Without a mapping the source properties pass as they
 * are. Unknown codes are `io.mapping.unknown_code`, failed transforms `io.mapping.transform`,
 * each located at the feature's row and our field.
 * Example: with `{ fields: { category: { from: 'TIPO', codes: { '1': 'AP' } } } }`, a feature
 * with `TIPO: '1'` → `{ category: 'AP' }`.
 */
export function applyMapping(
  feature: SourceFeature,
  mapping: Mapping | undefined,
): { properties: Record<string, unknown>; problems: Problem[] } {
  if (!mapping) return { properties: { ...feature.properties }, problems: [] };
  const properties: Record<string, unknown> = { ...(mapping.constants ?? {}) };
  const problems: Problem[] = [];
  for (const [ours, raw] of Object.entries(mapping.fields)) {
    const spec: FieldMapping = typeof raw === 'string' ? { from: raw } : raw;
    const where = featureWhere(feature.index, feature.row, ours);
    let value = lookup(feature.properties, spec.from);
    if (isBlank(value)) {
      if (spec.default !== undefined) properties[ours] = spec.default;
      else if (!(ours in properties)) properties[ours] = null;
      continue;
    }
    const one = (v: unknown): unknown => {
      let out: unknown = v;
      if (spec.codes) {
        const code = codeFor(spec.codes, v);
        if (code === undefined) {
          problems.push(fault('io.mapping.unknown_code', { field: ours, value: String(v) }, where));
          return undefined;
        }
        out = code;
      }
      if (spec.transform) {
        const t = transform(out, spec.transform);
        if (t === undefined) {
          problems.push(
            fault(
              'io.mapping.transform',
              { field: ours, value: String(out), transform: spec.transform },
              where,
            ),
          );
          return undefined;
        }
        out = t;
      }
      return out;
    };
    if (spec.split !== undefined) {
      const parts = Array.isArray(value)
        ? value
        : String(value)
            .split(spec.split === ' ' ? /\s+/ : spec.split)
            .map((s) => s.trim())
            .filter((s) => s !== '');
      const mapped = parts.map(one).filter((v) => v !== undefined);
      properties[ours] = [...new Set(mapped)];
      continue;
    }
    value = one(value);
    if (value !== undefined) properties[ours] = value;
  }
  // The source system's identifier, kept so a re-run of the same import updates rather than duplicates.
  const externalId = mapping.externalId ? lookup(feature.properties, mapping.externalId) : feature.externalId;
  if (!isBlank(externalId)) properties.externalId = String(externalId);
  return { properties, problems };
}

/** Code list lookup: exact, then trimmed and case- and accent-insensitive. */
function codeFor(codes: Record<string, string>, value: unknown): string | undefined {
  const s = String(value);
  if (s in codes) return codes[s];
  const norm = (x: string) => x.trim().normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const wanted = norm(s);
  for (const [k, v] of Object.entries(codes)) if (norm(k) === wanted) return v;
  return undefined;
}

/**
 * One transform; undefined when the value cannot be transformed.
 * Examples: `transform('15/03/2019', 'date')` → `'2019-03-15'`; `transform('1990', 'year-to-date')` → `'1990-01-01'`.
 */
export function transform(value: unknown, kind: Transform): unknown {
  const s = typeof value === 'string' ? value.trim() : value;
  switch (kind) {
    case 'trim':
      return typeof s === 'string' ? s : s;
    case 'lower':
      return String(s).toLowerCase();
    case 'upper':
      return String(s).toUpperCase();
    case 'number': {
      const n = typeof s === 'number' ? s : Number(String(s).replace(/\s/g, '').replace(',', '.'));
      return Number.isFinite(n) ? n : undefined;
    }
    case 'int': {
      const n = typeof s === 'number' ? s : Number(String(s).replace(/\s/g, '').replace(',', '.'));
      return Number.isInteger(n) ? n : undefined;
    }
    case 'year-to-date': {
      const y = Number(String(s).slice(0, 4));
      return /^\d{4}$/.test(String(s).slice(0, 4)) && y > 1000 ? `${String(s).slice(0, 4)}-01-01` : undefined;
    }
    case 'date':
      return toIsoDate(s);
  }
}

/**
 * Dates as found in field data: ISO (with or without time), day/month/year with `/`, `.` or
 * `-` (day first, as in most of the world), and Excel serial day numbers.
 * Example: `toIsoDate('3.7.2021')` → `'2021-07-03'`; `toIsoDate(44197)` → `'2021-01-01'`.
 */
export function toIsoDate(v: unknown): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString().slice(0, 10);
  if (typeof v === 'number') {
    if (v < 1 || v > 2958465) return undefined;
    // Excel day 25569 is 1970-01-01 (Excel counts a 29 February 1900 that never was).
    return new Date(Math.round((v - 25569) * 86400000)).toISOString().slice(0, 10);
  }
  const s = String(v).trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(s);
  const dayFirst = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  let y: number;
  let mo: number;
  let d: number;
  if (iso) [y, mo, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (dayFirst) [d, mo, y] = [Number(dayFirst[1]), Number(dayFirst[2]), Number(dayFirst[3])];
  else if (/^\d+(\.\d+)?$/.test(s)) return toIsoDate(Number(s));
  else return undefined;
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return undefined;
  return date.toISOString().slice(0, 10);
}
