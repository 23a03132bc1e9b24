import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerFactory } from 'fastify';
import type { TSchema } from 'typebox';
import { type Settings, settingsFromEnv } from '../config.ts';
import type { Database } from '../db/connect.ts';
import { Problem } from '../domain/problem.ts';
import { schemaProblems, withOthers } from '../domain/schema-check.ts';
import { DEVICE_HEADER } from '../services/devices.ts';
import { ImportJobService } from '../services/import-jobs.ts';
import { createServices, type Services } from '../services/index.ts';
import { SystemService } from '../services/system.ts';
import { VERSION } from '../version.ts';
import { controlCharacterProblem, nestingProblem, nulCharacterProblem } from './input.ts';
import { authPlugin } from './plugins/auth.ts';
import { securityHeadersPlugin } from './plugins/security-headers.ts';
import { requestLocale, sendProblem } from './problems.ts';
import { authRoutes, tokenAndUserRoutes } from './routes/auth.ts';
import { fieldSyncRoutes } from './routes/field-sync.ts';
import { importRoutes } from './routes/imports.ts';
import { minefieldRecordRoutes } from './routes/minefield-records.ts';
import { attachmentRoutes, healthRoutes } from './routes/misc.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { openRosaKeyRoutes, openRosaRoutes } from './routes/openrosa.ts';
import { outputRoutes } from './routes/outputs.ts';
import { planningRoutes } from './routes/planning.ts';
import { provenanceRoutes } from './routes/provenance.ts';
import { publicRoutes } from './routes/public.ts';
import { registerRoutes } from './routes/registers.ts';
import { reportRoutes } from './routes/reports.ts';
import { isCheckedByService } from './schemas.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The services the routes call (route plugins registered later reach them here). */
    services: Services;
    /** The running system (health); the server's start marks it loading while the demo loads. */
    system: SystemService;
  }
  interface FastifyContextConfig {
    /**
     * Decides, before any of the request's input is looked at, whether the caller may do this
     * to this resource (401, 403, or 404 for what they may not see). Validation problems and
     * preconditions (If-Match) come only after it.
     */
    authorise?: (request: FastifyRequest) => Promise<unknown> | unknown;
  }
}

export interface AppOptions {
  database: Database;
  settings?: Partial<Settings>;
  logger?: boolean;
  /** The services, when the caller already made them (else made from the database and settings). */
  services?: Services;
  /** Extra route plugins (tiles, OGC API, web application …), registered after the core. */
  plugins?: Array<(app: FastifyInstance) => Promise<void>>;
  /** The HTTP server to answer on, when it already listens (src/server.ts, `listenWhileStarting`). */
  serverFactory?: FastifyServerFactory;
}

/** Methods that write nothing. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The HTTP application: every route under /api/v1, problems as RFC 9457, OpenAPI from the route schemas. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const settings = { ...settingsFromEnv(), ...opts.settings };
  const app = Fastify({
    logger: opts.logger ? { level: settings.logLevel } : false,
    // Behind a proxy, trust only the nearest one: the client address is the one it appended to
    // X-Forwarded-For, never an entry the client wrote there itself.
    trustProxy: settings.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    bodyLimit: 64 * 1024 * 1024,
    ajv: { customOptions: { strict: false } },
    ...(opts.serverFactory ? { serverFactory: opts.serverFactory } : {}),
  });
  // Requests are validated against the route schemas (the ones OpenAPI shows) by the same
  // checker the services use, so every fault is a problem with our codes and pointers. A path
  // parameter that does not fit names nothing: 404.
  app.setValidatorCompiler(({ schema, httpPart }) => (data) => {
    if (httpPart === 'body') {
      const deep = nestingProblem(data);
      if (deep) return { error: deep };
      if (isCheckedByService(schema)) return { value: data };
    }
    const problems = schemaProblems(schema as TSchema, data);
    if (!problems.length) return { value: data };
    if (httpPart === 'params') return { error: new Problem('route.not_found', {}) };
    return { error: withOthers(problems) };
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // Every route answers in this order: who may do it (the route's `authorise`), then what was
  // sent (control characters, nesting, the schemas), then the route itself.
  app.addHook('onRoute', (route) => {
    route.attachValidation = true;
    const handler = route.handler;
    route.handler = async function checked(request, reply) {
      const authorise = route.config?.authorise;
      if (authorise) await authorise(request);
      const problem =
        controlCharacterProblem(request.query) ??
        nestingProblem(request.body) ??
        nulCharacterProblem(request.body) ??
        request.validationError;
      if (problem) throw problem;
      return handler.call(this, request, reply);
    };
  });

  app.decorateRequest('locale', 'en');
  app.addHook('onRequest', async (request) => {
    request.locale = requestLocale(request);
  });
  app.setErrorHandler((err, request, reply) => sendProblem(request, reply, err));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, Object.assign(new Error('not found'), { statusCode: 404 })),
  );

  await securityHeadersPlugin(app, { settings });
  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: settings.maxUploadBytes, files: 1 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Safeground API',
        version: VERSION,
        description:
          'Information management for humanitarian mine action. Errors are RFC 9457 problems with a stable code.',
        license: { name: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'sg_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });

  const services = opts.services ?? createServices(opts.database, settings);
  app.decorate('services', services);
  const system = await SystemService.open(opts.database);
  app.decorate('system', system);
  const jobs = await ImportJobService.open(opts.database, services.imports, (err) =>
    app.log.error({ err }, 'import job failed'),
  );

  await authPlugin(app, { database: opts.database, sessionCacheMs: settings.sessionCacheMs });
  // Read-your-writes with read replicas (src/db/replicas.ts): after a signed-in user's write has
  // committed and before its answer leaves, the primary's WAL position is remembered for them.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.actor && reply.statusCode < 400 && !SAFE_METHODS.has(request.method))
      await opts.database.wrote(request.actor.id);
    return payload;
  });
  // A request from a revoked device is refused whatever it asks (docs/field-sync.md).
  app.addHook('onRequest', async (request) => {
    if (request.headers[DEVICE_HEADER])
      await services.devices.assertNotRevoked(request.headers[DEVICE_HEADER]);
  });
  await app.register(healthRoutes, { system, settings });
  await app.register(authRoutes, {
    database: opts.database,
    accounts: services.accounts,
    openrosaDigest: settings.openrosaDigest,
  });
  await app.register(tokenAndUserRoutes, { accounts: services.accounts });
  await app.register(registerRoutes, { registers: services.registers, exports: services.exports });
  await app.register(reportRoutes, {
    reports: services.reports,
    reportAttachments: services.reportAttachments,
    uploads: services.uploads,
  });
  await app.register(fieldSyncRoutes, {
    uploads: services.uploads,
    devices: services.devices,
    sync: services.fieldSync,
    uploadLimit: settings.maxUploadBytes,
  });
  await app.register(notificationRoutes, {
    notifications: services.notifications,
    reports: services.reports,
  });
  await app.register(importRoutes, {
    database: opts.database,
    jobs,
    exports: services.exports,
    uploadLimit: settings.maxUploadBytes,
  });
  await app.register(minefieldRecordRoutes, { database: opts.database, registers: services.registers });
  await app.register(provenanceRoutes, { database: opts.database, registers: services.registers });
  await app.register(attachmentRoutes, { attachments: services.attachments });
  await app.register(outputRoutes, { outputs: services.outputs });
  await app.register(publicRoutes, { publicData: services.publicData, settings });
  await app.register(planningRoutes, { planning: services.planning, tasking: services.tasking });
  await app.register(openRosaRoutes, { openrosa: services.openrosa, database: opts.database, settings });
  await app.register(openRosaKeyRoutes, { openrosa: services.openrosa });
  for (const plugin of opts.plugins ?? []) await app.register(plugin);

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
