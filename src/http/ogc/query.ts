import type { TSchema } from 'typebox';
import { Problem } from '../../domain/problem.ts';
import type { RegisterDef } from '../../domain/records.ts';
import { withOthers } from '../../domain/schema-check.ts';
import { type ListQuery, parseAsAt } from '../../services/list-query.ts';

/**
 * The query string of `/ogc/collections/{id}/items`, read into a repository query. The OGC API
 * parameters (bbox, datetime, limit, offset) and the simple property filters of OGC API -
 * Features Part 1 §7.15.5 are mapped onto the same filters the REST API uses; any other
 * parameter is refused, as Part 1 requires (/req/core/query-param-unknown).
 */

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;

export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';

/** Parameters every items request may carry besides the property filters. */
export const ITEMS_PARAMETERS = [
  'f',
  'lang',
  'limit',
  'offset',
  'bbox',
  'bbox-crs',
  'crs',
  'datetime',
  'q',
  'asAt',
] as const;

export type OgcListQuery = Omit<ListQuery, 'after'> & { offset: number };

/** A property a client may filter on by equality, and the column it compares with. */
export interface PropertyFilter {
  name: string;
  column: string;
  /** The JSON Schema of the values (from the register's TypeBox schema), without null. */
  schema: Record<string, unknown>;
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The schema without its `null` alternative: `anyOf [X, null]` → X. */
export function nonNull(schema: TSchema | Record<string, unknown>): Record<string, unknown> {
  const s = schema as Record<string, unknown>;
  const anyOf = s.anyOf as Record<string, unknown>[] | undefined;
  if (Array.isArray(anyOf)) {
    const rest = anyOf.filter((x) => x.type !== 'null');
    if (rest.length === 1) return { ...rest[0], ...(s.description ? { description: s.description } : {}) };
  }
  return s;
}

/** True for schemas of one scalar value (string, number, integer, boolean, or an enum of strings). */
function isScalar(schema: Record<string, unknown>): boolean {
  if (Array.isArray(schema.enum)) return true;
  return ['string', 'integer', 'boolean'].includes(schema.type as string);
}

/**
 * The property filters of a register: its REST equality filters (`status`, `kind`,
 * `organisation` …) and every writable scalar field by its own name (`type`, `name`,
 * `depthCm` …), plus `code`. Free text, JSON, point and personal-data fields are not filters.
 *
 * Example: for hazards, `status` → column `status`, `organisation` → `organisation_id`,
 * `dateOfInformation` → `date_of_information`.
 */
export function propertyFilters(def: RegisterDef): PropertyFilter[] {
  const fields: Record<string, TSchema> = { ...def.fields.properties };
  if (def.readOnly.code) fields.code = def.readOnly.code;
  const skip = new Set([
    ...(def.jsonFields ?? []),
    ...(def.pointFields ?? []),
    ...(def.protectedFields ?? []),
  ]);
  const byColumn = new Map<string, Record<string, unknown>>();
  for (const [name, schema] of Object.entries(fields)) byColumn.set(snake(name), nonNull(schema));

  const out = new Map<string, PropertyFilter>();
  for (const [param, column] of Object.entries(def.filters.equals)) {
    const schema = byColumn.get(column);
    if (schema && isScalar(schema)) out.set(param, { name: param, column, schema });
  }
  for (const [name, schema] of Object.entries(fields)) {
    if (skip.has(name) || out.has(name)) continue;
    const s = nonNull(schema);
    if (isScalar(s)) out.set(name, { name, column: snake(name), schema: s });
  }
  return [...out.values()];
}

/** Reads `minLon,minLat,maxLon,maxLat` (or the 6-number form with heights, which are ignored). */
export function parseBbox(value: string): [number, number, number, number] {
  const n = value.split(',').map((x) => (x.trim() === '' ? Number.NaN : Number(x)));
  const ok = n.length === 4 || n.length === 6;
  const [w, s, e, north] = n.length === 6 ? [n[0]!, n[1]!, n[3]!, n[4]!] : [n[0]!, n[1]!, n[2]!, n[3]!];
  if (
    !ok ||
    n.some((x) => !Number.isFinite(x)) ||
    s > north ||
    w > e ||
    Math.abs(s) > 90 ||
    Math.abs(north) > 90 ||
    Math.abs(w) > 180 ||
    Math.abs(e) > 180
  ) {
    throw new Problem('ogc.bbox_invalid', { value }, { pointer: '/bbox', field: 'bbox' });
  }
  return [w, s, e, north];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 date-time, and the shortened forms GDAL's OAPIF driver sends (`2024-02-02T`,
// `2024-02-02T10Z`, `2024-02-02T10:30Z`) when it turns a date comparison into `datetime`.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](?:(\d{2})(?::(\d{2})(?::(\d{2})(\.\d+)?)?)?([Zz]|[+-]\d{2}:\d{2}))?$/;

/**
 * The calendar date of an RFC 3339 date or date-time, as written (records carry dates, not
 * instants, so the date the client wrote is the one compared). Undefined when malformed.
 *
 * Example: `2024-05-02T23:30:00+03:00` → `2024-05-02`.
 */
export function calendarDate(value: string): string | undefined {
  const m = DATE.exec(value) ?? DATE_TIME.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return undefined;
  if (Number(m[4] ?? 0) > 23 || Number(m[5] ?? 0) > 59 || Number(m[6] ?? 0) > 60) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/**
 * Reads the `datetime` parameter (an instant, or an interval `a/b`, `../b`, `a/..`, `a/`, `/b`)
 * into inclusive first and last dates. A record's date stands for the whole day, so a day
 * intersects the interval when it lies between the dates of its ends.
 *
 * Example: `2024-01-01T00:00:00Z/..` → `{ from: '2024-01-01' }`.
 */
export function parseDatetime(value: string): { from?: string; to?: string } {
  const bad = () =>
    new Problem('ogc.datetime_invalid', { value }, { pointer: '/datetime', field: 'datetime' });
  const parts = value.split('/');
  if (parts.length === 1) {
    const d = calendarDate(value);
    if (!d) throw bad();
    return { from: d, to: d };
  }
  if (parts.length !== 2) throw bad();
  const ends = parts.map((p) => (p === '..' || p === '' ? undefined : (calendarDate(p) ?? null)));
  if (ends.includes(null)) throw bad();
  const [from, to] = ends as [string | undefined, string | undefined];
  if (from === undefined && to === undefined) throw bad();
  if (from && to && from > to) throw bad();
  return { from, to };
}

function integerParam(
  value: string | undefined,
  code: 'ogc.limit_invalid' | 'ogc.offset_invalid',
  field: string,
  min: number,
) {
  if (value === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw new Problem(code, { value, min }, { pointer: `/${field}`, field });
  return n;
}

/**
 * Checks a property filter value against its field's schema, so a typo in a code list value
 * is reported instead of silently matching nothing. Returns the value to compare with.
 */
function filterValue(f: PropertyFilter, value: string): string {
  const where = { pointer: `/${f.name}`, field: f.name };
  const s = f.schema;
  if (Array.isArray(s.enum) && !s.enum.includes(value)) {
    throw new Problem(
      'validation.enum',
      { field: f.name, value, allowed: (s.enum as string[]).join(', ') },
      where,
    );
  }
  if (s.type === 'integer' && !/^-?\d+$/.test(value)) {
    throw new Problem('validation.type', { field: f.name, expected: 'integer', got: value }, where);
  }
  if (s.type === 'boolean' && value !== 'true' && value !== 'false') {
    throw new Problem('validation.type', { field: f.name, expected: 'boolean', got: value }, where);
  }
  if (s.format === 'uuid') {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
      throw new Problem('validation.format', { field: f.name, value, format: 'uuid' }, where);
    }
    return value.toLowerCase();
  }
  if (s.format === 'date' && !DATE.test(value)) {
    throw new Problem('validation.format', { field: f.name, value, format: 'date' }, where);
  }
  return value;
}

/**
 * The repository query of an items request. Problems: `ogc.parameter_unknown`,
 * `ogc.bbox_invalid`, `ogc.datetime_invalid`, `ogc.datetime_unsupported` (register without a
 * date), `ogc.limit_invalid`, `ogc.offset_invalid`, `ogc.crs_unsupported`, and the
 * `validation.*` codes for property filter values. Every fault is reported, the first as the
 * main problem.
 */
export function parseItemsQuery(def: RegisterDef, query: Record<string, unknown>): OgcListQuery {
  const filters = propertyFilters(def);
  const problems: Problem[] = [];
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (e instanceof Problem) {
        problems.push(e);
        return undefined;
      }
      throw e;
    }
  };
  const q: Record<string, string> = {};
  for (const [name, raw] of Object.entries(query)) {
    // A repeated parameter arrives as an array; the API defines each one once.
    const value = Array.isArray(raw) ? String(raw[raw.length - 1]) : String(raw ?? '');
    if (!(ITEMS_PARAMETERS as readonly string[]).includes(name) && !filters.some((f) => f.name === name)) {
      const known = [...ITEMS_PARAMETERS, ...filters.map((f) => f.name)].join(', ');
      problems.push(
        new Problem('ogc.parameter_unknown', { name, known }, { pointer: `/${name}`, field: name }),
      );
      continue;
    }
    q[name] = value;
  }
  attempt(() => checkFormat(q.f));
  for (const p of ['crs', 'bbox-crs'] as const) {
    if (q[p] !== undefined && q[p] !== CRS84) {
      problems.push(
        new Problem(
          'ogc.crs_unsupported',
          { name: p, value: q[p], supported: CRS84 },
          { pointer: `/${p}`, field: p },
        ),
      );
    }
  }
  const bbox = q.bbox !== undefined ? attempt(() => parseBbox(q.bbox!)) : undefined;
  let dates: { from?: string; to?: string } = {};
  if (q.datetime !== undefined) {
    if (!def.filters.date) {
      problems.push(
        new Problem(
          'ogc.datetime_unsupported',
          { collection: def.slug },
          { pointer: '/datetime', field: 'datetime' },
        ),
      );
    } else dates = attempt(() => parseDatetime(q.datetime!)) ?? {};
  }
  const limitRaw = attempt(() => integerParam(q.limit, 'ogc.limit_invalid', 'limit', 1));
  // Part 1 §7.15.4: a limit above the maximum is not an error; the maximum is used instead.
  const limit = Math.min(limitRaw ?? DEFAULT_LIMIT, MAX_LIMIT);
  const offset = attempt(() => integerParam(q.offset, 'ogc.offset_invalid', 'offset', 0)) ?? 0;
  const equals: Array<[string, string]> = [];
  for (const f of filters) {
    if (q[f.name] === undefined) continue;
    const v = attempt(() => filterValue(f, q[f.name]!));
    if (v !== undefined) equals.push([f.column, v]);
  }
  const asAt = attempt(() => parseAsAt(q.asAt));
  if (problems.length) throw withOthers(problems);
  return {
    ...(asAt ? { asAt } : {}),
    bbox,
    equals,
    from: dates.from,
    to: dates.to,
    text: q.q?.trim() || undefined,
    sortField: def.defaultSort,
    descending: false,
    limit,
    offset,
    includeArchived: false,
  };
}

/** Only JSON is served; `f=json` (or `geojson`) is accepted for clients that always send it. */
export function checkFormat(f: string | undefined): void {
  if (f === undefined || ['json', 'geojson', 'application/json', 'application/geo+json'].includes(f)) return;
  throw new Problem('ogc.format_unsupported', { value: f }, { pointer: '/f', field: 'f' });
}

/** Parameters of the other OGC endpoints: only `f` and `lang`. */
export function checkPlainQuery(query: Record<string, unknown>, also: readonly string[] = []): void {
  for (const name of Object.keys(query)) {
    if (name !== 'f' && name !== 'lang' && !also.includes(name)) {
      throw new Problem(
        'ogc.parameter_unknown',
        { name, known: ['f', 'lang', ...also].join(', ') },
        { pointer: `/${name}`, field: name },
      );
    }
  }
  checkFormat(typeof query.f === 'string' ? query.f : undefined);
}

/** The query of one feature: `f`, `lang` and `asAt` (the feature as it stood at the end of that day). */
export function parseItemQuery(query: Record<string, unknown>): { asAt?: string } {
  checkPlainQuery(query, ['asAt']);
  const asAt = parseAsAt(typeof query.asAt === 'string' ? query.asAt : undefined);
  return asAt ? { asAt } : {};
}
