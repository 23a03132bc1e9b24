import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Settings, settingsFromEnv } from '../config.ts';
import type { Database } from '../db/connect.ts';
import { ImportJobService } from '../services/import-jobs.ts';
import { createServices, type Services } from '../services/index.ts';
import { SystemService } from '../services/system.ts';
import { VERSION } from '../version.ts';
import { authPlugin } from './plugins/auth.ts';
import { requestLocale, sendProblem } from './problems.ts';
import { authRoutes, tokenAndUserRoutes } from './routes/auth.ts';
import { importRoutes } from './routes/imports.ts';
import { minefieldRecordRoutes } from './routes/minefield-records.ts';
import { attachmentRoutes, healthRoutes } from './routes/misc.ts';
import { publicRoutes } from './routes/public.ts';
import { registerRoutes } from './routes/registers.ts';
import { reportRoutes } from './routes/reports.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The services the routes call (route plugins registered later reach them here). */
    services: Services;
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
}

/** The HTTP application: every route under /api/v1, problems as RFC 9457, OpenAPI from the route schemas. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const settings = { ...settingsFromEnv(), ...opts.settings };
  const app = Fastify({
    logger: opts.logger ? { level: settings.logLevel } : false,
    trustProxy: settings.trustProxy,
    bodyLimit: 64 * 1024 * 1024,
    ajv: { customOptions: { strict: false } },
  });
  // Validation is done in the services against the same TypeBox schemas the routes declare,
  // so that every fault becomes a problem with our codes and pointers.
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.decorateRequest('locale', 'en');
  app.addHook('onRequest', async (request) => {
    request.locale = requestLocale(request);
  });
  app.setErrorHandler((err, request, reply) => sendProblem(request, reply, err));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, Object.assign(new Error('not found'), { statusCode: 404 })),
  );

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
  const jobs = await ImportJobService.open(opts.database, services.imports, (err) =>
    app.log.error({ err }, 'import job failed'),
  );

  await authPlugin(app, { database: opts.database });
  await app.register(healthRoutes, { system, settings });
  await app.register(authRoutes, { database: opts.database, accounts: services.accounts });
  await app.register(tokenAndUserRoutes, { accounts: services.accounts });
  await app.register(registerRoutes, { registers: services.registers, exports: services.exports });
  await app.register(reportRoutes, { reports: services.reports });
  await app.register(importRoutes, {
    database: opts.database,
    jobs,
    exports: services.exports,
    uploadLimit: settings.maxUploadBytes,
  });
  await app.register(minefieldRecordRoutes, { database: opts.database, registers: services.registers });
  await app.register(attachmentRoutes, { attachments: services.attachments });
  await app.register(publicRoutes, { publicData: services.publicData, settings });
  for (const plugin of opts.plugins ?? []) await app.register(plugin);

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
