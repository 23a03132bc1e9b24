import type { ListQuery } from '../db/repositories/registers.ts';
import { Problem } from '../domain/problem.ts';
import type { RegisterDef } from '../domain/records.ts';
import { withOthers } from '../domain/schema-check.ts';

/**
 * The list filters of a register read from the parameters of a query string (REST lists, CSV,
 * exports, vector tiles, the CLI's `--where`): one reading, one set of problem codes.
 */

export type { ListQuery, RegisterExtent, Row } from '../db/repositories/registers.ts';

/** The filters of a list without its paging and order (exports and counts take every record). */
export type RecordFilter = Omit<ListQuery, 'sortField' | 'descending' | 'limit' | 'after'>;

export const MAX_LIST_LIMIT = 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function encodeCursor(sort: string, after: { value: unknown; id: string }): string {
  return Buffer.from(JSON.stringify({ s: sort, v: after.value, i: after.id })).toString('base64url');
}

function decodeCursor(cursor: string, sort: string): { value: unknown; id: string } {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (c.s !== sort || typeof c.i !== 'string' || !UUID.test(c.i)) throw new Error('mismatch');
    return { value: c.v, id: c.i };
  } catch {
    throw new Problem('validation.cursor', {}, { pointer: '/cursor', field: 'cursor' });
  }
}

/** Whether `value` is a calendar date written YYYY-MM-DD. */
export function isDate(value: string): boolean {
  const d = DATE.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
  return d !== undefined && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Today's date (UTC), the latest date a register can be read "as at". */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * The `asAt` parameter: a calendar date, not after today; a problem located at `pointer` otherwise.
 * Example: parseAsAt('2024-02-30') throws validation.format; parseAsAt(undefined) === undefined
 */
export function parseAsAt(value: string | undefined, pointer = '/asAt'): string | undefined {
  if (value === undefined || value === '') return undefined;
  const where = { pointer, field: 'asAt' };
  if (!isDate(value)) throw new Problem('validation.format', { field: 'asAt', value, format: 'date' }, where);
  if (value > today()) throw new Problem('validation.as_at_future', { value, today: today() }, where);
  return value;
}

/** The list filters of a query string without its paging and order (exports take every record). */
export function parseFilterQuery(def: RegisterDef, q: Record<string, string | undefined>): RecordFilter {
  const { sort: _s, sortField: _f, descending: _d, limit: _l, after: _a, ...filter } = parseListQuery(def, q);
  return filter;
}

/** Turns the query string into a repository query, with a problem per bad parameter. */
export function parseListQuery(
  def: RegisterDef,
  q: Record<string, string | undefined>,
): ListQuery & { sort: string } {
  const problems: Problem[] = [];
  const where = (field: string) => ({ pointer: `/${field}`, field });
  let bbox: ListQuery['bbox'];
  if (q.bbox) {
    const n = q.bbox.split(',').map(Number);
    if (
      n.length !== 4 ||
      n.some((x) => !Number.isFinite(x)) ||
      n[0]! > n[2]! ||
      n[1]! > n[3]! ||
      Math.abs(n[1]!) > 90 ||
      Math.abs(n[3]!) > 90
    ) {
      problems.push(new Problem('validation.bbox', { value: q.bbox }, where('bbox')));
    } else bbox = n as [number, number, number, number];
  }
  const equals: Array<[string, string]> = [];
  for (const [param, column] of Object.entries(def.filters.equals)) {
    const v = q[param];
    if (v !== undefined && v !== '') equals.push([column, v]);
  }
  const atLeast: Array<[string, number]> = [];
  for (const [param, column] of Object.entries(def.filters.atLeast ?? {})) {
    const v = q[param];
    if (v === undefined || v === '') continue;
    if (/^-?\d{1,9}$/.test(v)) atLeast.push([column, Number(v)]);
    else
      problems.push(
        new Problem('validation.format', { field: param, value: v, format: 'integer' }, where(param)),
      );
  }
  for (const p of ['from', 'to'] as const) {
    if (q[p] && !DATE.test(q[p]!))
      problems.push(new Problem('validation.format', { field: p, value: q[p], format: 'date' }, where(p)));
  }
  let asAt: string | undefined;
  try {
    asAt = parseAsAt(q.asAt);
  } catch (err) {
    problems.push(err as Problem);
  }
  if (q.adminArea && !UUID.test(q.adminArea)) {
    problems.push(
      new Problem(
        'validation.format',
        { field: 'adminArea', value: q.adminArea, format: 'uuid' },
        where('adminArea'),
      ),
    );
  }
  for (const [param, column] of Object.entries(def.filters.equals)) {
    if (column.endsWith('_id') && q[param] && !UUID.test(q[param]!)) {
      problems.push(
        new Problem('validation.format', { field: param, value: q[param], format: 'uuid' }, where(param)),
      );
    }
  }
  const sortRaw = q.sort ?? def.defaultSort;
  const descending = sortRaw.startsWith('-');
  const sortField = descending ? sortRaw.slice(1) : sortRaw;
  if (!def.sortable.includes(sortField)) {
    problems.push(
      new Problem('validation.sort', { value: sortRaw, allowed: def.sortable.join(', ') }, where('sort')),
    );
  }
  let limit = 100;
  if (q.limit !== undefined) {
    limit = Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      problems.push(
        new Problem(
          'validation.range',
          { field: 'limit', value: q.limit, rule: 'between', limit: `1–${MAX_LIST_LIMIT}` },
          where('limit'),
        ),
      );
    }
  }
  // Registers without an organisation of their own (land released, findings) take the activity's.
  const byActivity =
    q.organisation && !def.filters.equals.organisation && 'activityId' in def.fields.properties;
  if (byActivity && !UUID.test(q.organisation!)) {
    problems.push(
      new Problem(
        'validation.format',
        { field: 'organisation', value: q.organisation, format: 'uuid' },
        where('organisation'),
      ),
    );
  }
  if (problems.length) throw withOthers(problems);
  return {
    ...(asAt ? { asAt } : {}),
    ...(byActivity ? { activityOrganisationId: q.organisation } : {}),
    bbox,
    equals,
    ...(atLeast.length ? { atLeast } : {}),
    adminAreaId: q.adminArea,
    from: q.from,
    to: q.to,
    text: q.q?.trim() || undefined,
    sortField,
    descending,
    limit,
    after: q.cursor ? decodeCursor(q.cursor, sortRaw) : undefined,
    includeArchived: q.archived === 'true',
    sort: sortRaw,
  };
}

/** The column of lists and exports naming the admin area a record lies in (registers with a geometry). */
export const ADMIN_AREA_COLUMN = 'adminAreaName';
