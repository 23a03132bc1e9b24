import { Problem } from '../domain/problem.ts';

/**
 * The one place where database errors become problems. PostgreSQL (pg) and PGlite both expose
 * the SQLSTATE as `code`, and `constraint`/`column` where the server says them.
 */
export function problemFromDatabaseError(err: unknown): Problem | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as {
    code?: unknown;
    constraint?: string;
    column?: string;
    detail?: string;
    message?: string;
    hint?: string;
  };
  if (typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return undefined;
  const constraint = e.constraint ?? /constraint "([^"]+)"/.exec(e.message ?? '')?.[1] ?? '';
  switch (e.code) {
    case '23505':
      return new Problem('record.duplicate', { constraint, detail: e.detail ?? '' }, { pointer: '' });
    case '23503':
      return new Problem('record.reference_not_found', { field: constraint, id: '' }, { pointer: '' });
    case '23502':
      return new Problem(
        'validation.required',
        { field: e.column ?? '' },
        { pointer: e.column ? `/${e.column}` : '' },
      );
    case '23514':
      return new Problem('record.check_violation', { constraint }, { pointer: '' });
    case '40001':
    case '40P01':
      return new Problem('record.concurrent_change', {}, { pointer: '' });
    case '22P02':
    case '22007':
    case '22008':
      return new Problem('validation.format', { field: '', value: '', format: e.code }, { pointer: '' });
    case 'XX000':
      // GEOS/PostGIS internal errors: geometry should have been caught before; say so clearly.
      return new Problem(
        'geometry.database_rejected',
        { message: (e.message ?? '').slice(0, 200) },
        { pointer: '/geometry' },
      );
    case 'P0001':
      if (e.hint && /^[a-z_]+\.[a-z_.]+$/.test(e.hint))
        return new Problem(e.hint, { message: e.message ?? '' }, { pointer: '' });
      return new Problem('record.rule_violation', { message: e.message ?? '' }, { pointer: '' });
    case '57014':
      return new Problem('server.timeout', {}, { pointer: '' });
    default:
      return undefined;
  }
}
