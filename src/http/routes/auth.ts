import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../db/connect.ts';
import { listTokens } from '../../db/repositories/sessions.ts';
import { listUsers, setUserLocale, userById } from '../../db/repositories/users.ts';
import { Problem } from '../../domain/problem.ts';
import { ROLES } from '../../domain/vocabularies.ts';
import { LOCALES } from '../../i18n/catalogue.ts';
import { assertCan } from '../../services/actor.ts';
import {
  changeUser,
  createApiToken,
  createUser,
  login,
  logout,
  publicUser,
  revokeApiToken,
} from '../../services/auth.ts';
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
          200: Type.Object({
            token: Type.String(),
            csrfToken: Type.String(),
            expiresAt: Type.String(),
            user: UserSchema,
          }),
          401: ProblemSchema,
          429: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as { email?: unknown; password?: unknown };
      const { token, expiresAt, user } = await login(
        opts.database,
        body.email,
        body.password,
        request.ip,
      ).catch((err: unknown) => {
        // A refused sign-in says when to try again (RFC 9110 Retry-After) as well as in its message.
        if (err instanceof Problem && err.code === 'auth.rate_limited')
          reply.header('Retry-After', String(err.params.seconds));
        throw err;
      });
      const csrfToken = randomBytes(24).toString('base64url');
      setSessionCookies(request, reply, token, csrfToken);
      return { token, csrfToken, expiresAt: expiresAt.toISOString(), user: publicUser(user) };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { schema: { tags, summary: 'Sign out (revokes this session or token)' } },
    async (request, reply) => {
      const header = request.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice(7) : request.cookies?.[SESSION_COOKIE];
      if (token) await logout(opts.database, token);
      clearSessionCookies(reply);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/auth/me',
    { schema: { tags, summary: 'The signed-in user', response: { 200: UserSchema, 401: ProblemSchema } } },
    async (request) => {
      const actor = requireActor(request);
      const user = await userById(opts.database.db, actor.id!);
      if (!user) throw new Problem('auth.required', {}, { pointer: '' });
      return publicUser(user);
    },
  );

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
        throw new Problem(
          'validation.enum',
          { field: 'locale', value: String(locale), allowed: LOCALES.join(', ') },
          { pointer: '/locale' },
        );
      }
      await setUserLocale(opts.database.db, actor.id!, locale);
      return publicUser((await userById(opts.database.db, actor.id!))!);
    },
  );
}

export async function tokenAndUserRoutes(app: FastifyInstance, opts: { database: Database }) {
  const tags = ['auth'];
  app.get(
    '/api/v1/auth/tokens',
    { schema: { tags, summary: 'My API tokens (never the secrets)' } },
    async (request) => {
      const actor = requireActor(request);
      assertCan(actor, 'token.manage_own');
      return { items: await listTokens(opts.database.db, actor.id!) };
    },
  );
  app.post(
    '/api/v1/auth/tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token for scripts; the token is shown only in this answer',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100 }),
          expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
        }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      assertCan(actor, 'token.manage_own');
      const body = (request.body ?? {}) as { name?: unknown; expiresInDays?: unknown };
      if (typeof body.name !== 'string')
        throw new Problem('validation.required', { field: 'name' }, { pointer: '/name' });
      const days =
        typeof body.expiresInDays === 'number' && body.expiresInDays > 0
          ? Math.min(body.expiresInDays, 3650)
          : null;
      const { tokenHash: _h, ...created } = (await createApiToken(
        opts.database,
        actor.id!,
        body.name,
        days,
      )) as Record<string, unknown>;
      return reply.status(201).send(created);
    },
  );
  app.delete(
    '/api/v1/auth/tokens/:id',
    {
      schema: {
        tags,
        summary: 'Revoke one of my API tokens',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      assertCan(actor, 'token.manage_own');
      await revokeApiToken(opts.database, actor.id!, (request.params as { id: string }).id);
      return reply.status(204).send();
    },
  );

  const userTags = ['users'];
  app.get(
    '/api/v1/users',
    { schema: { tags: userTags, summary: 'All users (administrators)' } },
    async (request) => {
      assertCan(requireActor(request), 'user.manage');
      return { items: await listUsers(opts.database.db) };
    },
  );
  app.post(
    '/api/v1/users',
    {
      schema: {
        tags: userTags,
        summary: 'Create a user (administrators)',
        body: Type.Object({
          email: Type.String(),
          password: Type.String(),
          role: Type.Enum([...ROLES]),
          name: Type.Optional(Type.String()),
          organisationId: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
        }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      assertCan(actor, 'user.manage');
      const b = (request.body ?? {}) as Record<string, string>;
      const u = await createUser(
        opts.database,
        {
          email: b.email ?? '',
          password: b.password ?? '',
          role: b.role ?? '',
          name: b.name,
          organisationId: b.organisationId,
        },
        actor.id,
      );
      return reply.status(201).send(publicUser(u));
    },
  );
  app.patch(
    '/api/v1/users/:id',
    {
      schema: {
        tags: userTags,
        summary:
          'Disable or enable a user, or change their role (administrators); disabling revokes their sessions',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({
          disabled: Type.Optional(Type.Boolean()),
          role: Type.Optional(Type.Enum([...ROLES])),
        }),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      assertCan(actor, 'user.manage');
      const id = (request.params as { id: string }).id;
      const user = /^[0-9a-f-]{36}$/i.test(id) ? await userById(opts.database.db, id) : undefined;
      if (!user) throw new Problem('record.not_found', { entity: 'user', id }, { pointer: '' });
      const b = (request.body ?? {}) as { disabled?: unknown; role?: unknown };
      if (
        b.role !== undefined &&
        (typeof b.role !== 'string' || !(ROLES as readonly string[]).includes(b.role))
      ) {
        throw new Problem(
          'validation.enum',
          { field: 'role', value: String(b.role), allowed: ROLES.join(', ') },
          { pointer: '/role' },
        );
      }
      await changeUser(opts.database, actor.id, id, {
        role: b.role as string | undefined,
        disabled: typeof b.disabled === 'boolean' ? b.disabled : undefined,
      });
      return publicUser((await userById(opts.database.db, id))!);
    },
  );
}
