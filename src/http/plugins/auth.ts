import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/connect.ts';
import { Problem } from '../../domain/problem.ts';
import type { Actor } from '../../services/actor.ts';
import { actorOf, authenticate, SESSION_HOURS } from '../../services/auth.ts';

export const SESSION_COOKIE = 'sg_session';
export const CSRF_COOKIE = 'sg_csrf';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route signs the request in itself (with `authenticateRequest`) when it needs to: a
     * progress poll answered from memory must not wait for the database an import holds.
     */
    deferAuth?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
    authKind: 'cookie' | 'bearer' | null;
    locale: string;
  }
}

/** The bearer token or session cookie a request carries, and which of the two it is. */
export function requestToken(request: FastifyRequest): { token: string; kind: 'cookie' | 'bearer' } | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return { token: header.slice(7).trim(), kind: 'bearer' };
  const cookie = request.cookies?.[SESSION_COOKIE];
  return cookie ? { token: cookie, kind: 'cookie' } : null;
}

/** Puts the user of the request's token or session cookie on the request (a stale cookie is no session). */
export async function authenticateRequest(
  database: Database,
  request: FastifyRequest,
  opts: { sessionCacheMs?: number } = {},
): Promise<void> {
  const sent = requestToken(request);
  if (!sent) return;
  const found = await authenticate(database, sent.token, { cacheMs: opts.sessionCacheMs });
  if (!found) {
    if (sent.kind === 'bearer') throw new Problem('auth.invalid_token', {}, { pointer: '' });
    return;
  }
  request.actor = actorOf(found.user);
  request.authKind = sent.kind;
  request.locale = request.headers['accept-language'] ? request.locale : found.user.locale;
}

/** Reads the bearer token or the session cookie and puts the signed-in user on the request. */
export async function authPlugin(
  app: FastifyInstance,
  opts: { database: Database; sessionCacheMs?: number },
) {
  app.decorateRequest('actor', null);
  app.decorateRequest('authKind', null);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.deferAuth) return;
    await authenticateRequest(opts.database, request, { sessionCacheMs: opts.sessionCacheMs });
  });
  // Cookie-authenticated writes must echo the CSRF cookie in a header (double submit):
  // a page on another site can make the browser send the cookie but cannot read it.
  app.addHook('preHandler', async (request) => {
    if (request.authKind !== 'cookie') return;
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return;
    const cookie = request.cookies?.[CSRF_COOKIE] ?? '';
    const sent = String(request.headers[CSRF_HEADER] ?? '');
    if (
      !cookie ||
      cookie.length !== sent.length ||
      !timingSafeEqual(Buffer.from(cookie), Buffer.from(sent))
    ) {
      throw new Problem('auth.csrf', {}, { pointer: '' });
    }
  });
}

export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw new Problem('auth.required', {}, { pointer: '' });
  return request.actor;
}

export function setSessionCookies(request: FastifyRequest, reply: FastifyReply, token: string, csrf: string) {
  const secure = request.protocol === 'https';
  const maxAge = SESSION_HOURS * 3600;
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge });
  reply.setCookie(CSRF_COOKIE, csrf, { httpOnly: false, sameSite: 'strict', secure, path: '/', maxAge });
}

export function clearSessionCookies(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  reply.clearCookie(CSRF_COOKIE, { path: '/' });
}
