import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemFromDatabaseError } from '../db/errors.ts';
import { Problem } from '../domain/problem.ts';
import { hasMessage, pickLocale, t } from '../i18n/catalogue.ts';

/** HTTP status of a problem code: exact codes first, then by family. */
const STATUS: Record<string, number> = {
  'outputs.output_unknown': 404,
  'record.not_found': 404,
  'route.not_found': 404,
  'record.version_conflict': 412,
  'record.precondition_required': 428,
  'record.duplicate': 409,
  'record.concurrent_change': 409,
  'report.state_conflict': 409,
  'report.warnings_unconfirmed': 409,
  'report.not_found': 404,
  'notification.not_found': 404,
  'attachment.no_thumbnail': 404,
  'planning.version_not_found': 404,
  'planning.hazard_not_ranked': 404,
  'auth.required': 401,
  'auth.invalid_credentials': 401,
  'auth.forbidden': 403,
  'auth.csrf': 403,
  'auth.rate_limited': 429,
  'public.rate_limited': 429,
  'server.timeout': 503,
  'server.starting': 503,
  'server.internal': 500,
  'request.too_large': 413,
  'request.media_type': 415,
  'request.multipart': 400,
  'ogc.collection_unknown': 404,
  'basemap.not_configured': 404,
  'fonts.unknown': 404,
  'fonts.range_invalid': 404,
  'upload.not_found': 404,
  'upload.offset': 409,
  'upload.hash': 409,
  'upload.incomplete': 409,
  'upload.attached_elsewhere': 409,
  'device.not_found': 404,
  'device.revoked': 401,
  'device.other_user': 409,
};

export function problemStatus(code: string): number {
  return STATUS[code] ?? (code.startsWith('server.') ? 500 : 400);
}

export function toProblem(err: unknown): Problem {
  if (err instanceof Problem) return err;
  const db = problemFromDatabaseError(err);
  if (db) return db;
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (
    e?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    (e?.statusCode === 400 && /JSON/i.test(e.message ?? ''))
  ) {
    return new Problem('validation.json', { message: e.message ?? '' }, { pointer: '' });
  }
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e?.statusCode === 413)
    return new Problem('request.too_large', {});
  if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e?.statusCode === 415)
    return new Problem('request.media_type', {});
  // A multipart body that cannot be parsed (no boundary, a broken part header, cut short): the
  // parser's own errors carry no status.
  if (
    /^FST_(INVALID_MULTIPART|MULTIPART)/.test(e?.code ?? '') ||
    /^(Multipart: |Malformed part header|Unexpected end of (form|multipart))/.test(e?.message ?? '')
  )
    return new Problem('request.multipart', {}, { pointer: '' });
  if (e?.statusCode === 404) return new Problem('route.not_found', {});
  return new Problem('server.internal', {});
}

/** One problem as an entry of a problem's `errors` list (or of a dry run's `problems`). */
export function problemEntry(p: Problem, locale: string) {
  return {
    code: p.code,
    detail: t(p.code, { ...p.params, ...p.where }, locale),
    pointer: p.where?.pointer,
    location: p.where,
    params: p.params,
  };
}

/**
 * RFC 9457's title: a short summary of the kind of problem that does not change from one
 * occurrence to the next (the family of the code); `detail` says what happened this time.
 */
export function problemTitle(code: string, locale: string): string {
  const key = `problem.title.${code.split('.')[0]}`;
  return hasMessage(key) ? t(key, {}, locale) : t('problem.title.request', {}, locale);
}

/** The RFC 9457 body of a problem, in the request's language. */
export function problemBody(p: Problem, locale: string, instance?: string) {
  const status = problemStatus(p.code);
  const all = [p, ...p.others];
  return {
    type: `https://safeground.org/problems/${p.code}`,
    title: problemTitle(p.code, locale),
    status,
    code: p.code,
    detail: t(p.code, { ...p.params, ...p.where }, locale),
    instance,
    pointer: p.where?.pointer,
    location: p.where,
    params: p.params,
    errors: all.map((x) => problemEntry(x, locale)),
    ...(p.data ?? {}),
  };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, err: unknown) {
  const p = toProblem(err);
  const body = problemBody(p, requestLocale(request), request.url);
  if (body.status >= 500) request.log.error({ err }, 'request failed');
  return reply.status(body.status).type('application/problem+json').send(body);
}

export function requestLocale(request: FastifyRequest): string {
  const q = (request.query as Record<string, unknown> | undefined)?.lang;
  if (typeof q === 'string') return pickLocale(q);
  return pickLocale(request.headers['accept-language']);
}
