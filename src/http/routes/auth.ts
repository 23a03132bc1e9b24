import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../db/connect.ts';
import { Problem } from '../../domain/problem.ts';
import { ROLES } from '../../domain/vocabularies.ts';
import { LOCALES } from '../../i18n/catalogue.ts';
import type { AccountService } from '../../services/accounts.ts';
import { login, logout, publicUser, rememberDigest } from '../../services/auth.ts';
import { clearSessionCookies, requireActor, SESSION_COOKIE, setSessionCookies } from '../plugins/auth.ts';
import { ProblemSchema, type TypedRequests } from '../schemas.ts';

const UserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  role: Type.String(),
  organisationId: Type.Union([Type.String(), Type.Null()]),
  locale: Type.String(),
});

export async function authRoutes(
  instance: FastifyInstance,
  opts: { database: Database; accounts: AccountService; openrosaDigest?: boolean },
) {
  const app = instance.withTypeProvider<TypedRequests>();
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
      const { email, password } = request.body;
      const { token, expiresAt, user } = await login(opts.database, email, password, request.ip).catch(
        (err: unknown) => {
          // A refused sign-in says when to try again (RFC 9110 Retry-After) as well as in its message.
          if (err instanceof Problem && err.code === 'auth.rate_limited')
            reply.header('Retry-After', String(err.params.seconds));
          throw err;
        },
      );
      // SAFEGROUND_OPENROSA_DIGEST: the password was right, so its Digest HA1 is kept for phones.
      if (opts.openrosaDigest) await rememberDigest(opts.database, user, password);
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
      return opts.accounts.me(requireActor(request));
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
      return opts.accounts.setLocale(requireActor(request), request.body.locale);
    },
  );
}

export async function tokenAndUserRoutes(instance: FastifyInstance, opts: { accounts: AccountService }) {
  const app = instance.withTypeProvider<TypedRequests>();
  const accounts = opts.accounts;
  const tags = ['auth'];
  app.get(
    '/api/v1/auth/tokens',
    { schema: { tags, summary: 'My API tokens (never the secrets)' } },
    async (request) => {
      return { items: await accounts.tokens(requireActor(request)) };
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
      const created = await accounts.createToken(
        requireActor(request),
        request.body.name,
        request.body.expiresInDays,
      );
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
      await accounts.revokeToken(requireActor(request), request.params.id);
      return reply.status(204).send();
    },
  );

  const userTags = ['users'];
  app.get(
    '/api/v1/users',
    { schema: { tags: userTags, summary: 'All users (administrators)' } },
    async (request) => {
      return { items: await accounts.users(requireActor(request)) };
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
      const user = await accounts.createUser(requireActor(request), request.body);
      return reply.status(201).send(user);
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
      return accounts.changeUser(requireActor(request), request.params.id, request.body);
    },
  );
}
