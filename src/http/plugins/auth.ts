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
  interface FastifyRequest {
    actor: Actor | null;
    authKind: 'cookie' | 'bearer' | null;
    locale: string;
  }
}

/** Reads the bearer token or the session cookie and puts the signed-in user on the request. */
export async function authPlugin(app: FastifyInstance, opts: { database: Database }) {
  app.decorateRequest('actor', null);
  app.decorateRequest('authKind', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    let token: string | undefined;
    let kind: 'cookie' | 'bearer' | null = null;
    if (header?.startsWith('Bearer ')) {
      token = header.slice(7).trim();
      kind = 'bearer';
    } else if (request.cookies?.[SESSION_COOKIE]) {
      token = request.cookies[SESSION_COOKIE];
      kind = 'cookie';
    }
    if (!token) return;
    const found = await authenticate(opts.database, token);
    if (!found) {
      if (kind === 'bearer') throw new Problem('auth.invalid_token', {}, { pointer: '' });
      return; // a stale cookie is simply no session
    }
    request.actor = actorOf(found.user);
    request.authKind = kind;
    request.locale = request.headers['accept-language'] ? request.locale : found.user.locale;
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
