import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { LOCALES } from '../../i18n/catalogue.ts';
import { Problem } from '../../domain/problem.ts';
import type { Database } from '../../db/connect.ts';
import { setUserLocale, userById } from '../../db/repositories/users.ts';
import { login, logout, publicUser } from '../../services/auth.ts';
import { clearSessionCookies, requireActor, SESSION_COOKIE, setSessionCookies } from '../plugins/auth.ts';
import { ProblemSchema } from '../schemas.ts';

const UserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  role: Type.String(),
  organisationId: Type.Union([Type.String(), Type.Null()]),
  locale: Type.String(),
});

export async function authRoutes(app: FastifyInstance, opts: { database: Database }) {
  const tags = ['auth'];
  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags,
        summary: 'Sign in; returns a bearer token and sets the session cookie',
        body: Type.Object({ email: Type.String(), password: Type.String() }),
        response: {
          200: Type.Object({ token: Type.String(), csrfToken: Type.String(), expiresAt: Type.String(), user: UserSchema }),
          401: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as { email?: unknown; password?: unknown };
      const { token, expiresAt, user } = await login(opts.database, body.email, body.password);
      const csrfToken = randomBytes(24).toString('base64url');
      setSessionCookies(request, reply, token, csrfToken);
      return { token, csrfToken, expiresAt: expiresAt.toISOString(), user: publicUser(user) };
    },
  );

  app.post('/api/v1/auth/logout', { schema: { tags, summary: 'Sign out (revokes this session or token)' } }, async (request, reply) => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : request.cookies?.[SESSION_COOKIE];
    if (token) await logout(opts.database, token);
    clearSessionCookies(reply);
    return reply.status(204).send();
  });

  app.get('/api/v1/auth/me', { schema: { tags, summary: 'The signed-in user', response: { 200: UserSchema, 401: ProblemSchema } } }, async (request) => {
    const actor = requireActor(request);
    const user = await userById(opts.database.db, actor.id!);
    if (!user) throw new Problem('auth.required', {}, { pointer: '' });
    return publicUser(user);
  });

  app.patch(
    '/api/v1/auth/me',
    {
      schema: {
        tags,
        summary: "Change the signed-in user's preferences (interface language)",
        body: Type.Object({ locale: Type.Enum([...LOCALES]) }),
        response: { 200: UserSchema },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const locale = (request.body as { locale?: unknown })?.locale;
      if (typeof locale !== 'string' || !(LOCALES as readonly string[]).includes(locale)) {
        throw new Problem('validation.enum', { field: 'locale', value: String(locale), allowed: LOCALES.join(', ') }, { pointer: '/locale' });
      }
      await setUserLocale(opts.database.db, actor.id!, locale);
      return publicUser((await userById(opts.database.db, actor.id!))!);
    },
  );
}
