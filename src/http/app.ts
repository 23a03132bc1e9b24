import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Settings, settingsFromEnv } from '../config.ts';
import type { Database } from '../db/connect.ts';
import { createServices, type Services } from '../services/index.ts';
import { VERSION } from '../version.ts';
import { authPlugin } from './plugins/auth.ts';
import { securityHeadersPlugin } from './plugins/security-headers.ts';
import { requestLocale, sendProblem } from './problems.ts';
import { authRoutes, tokenAndUserRoutes } from './routes/auth.ts';
import { importRoutes } from './routes/imports.ts';
import { minefieldRecordRoutes } from './routes/minefield-records.ts';
import { attachmentRoutes, healthRoutes } from './routes/misc.ts';
import { publicRoutes } from './routes/public.ts';
import { registerRoutes } from './routes/registers.ts';
import { reportRoutes } from './routes/reports.ts';

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
    // Behind a proxy, trust only the nearest one: the client address is the one it appended to
    // X-Forwarded-For, never an entry the client wrote there itself.
    trustProxy: settings.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
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

  await authPlugin(app, { database: opts.database });
  await app.register(healthRoutes, { database: opts.database, settings });
  await app.register(authRoutes, { database: opts.database });
  await app.register(tokenAndUserRoutes, { database: opts.database });
  const services = opts.services ?? createServices(opts.database, settings);
  await app.register(registerRoutes, { database: opts.database, registers: services.registers });
  await app.register(reportRoutes, { reports: services.reports });
  await app.register(importRoutes, { database: opts.database, services, settings });
  await app.register(minefieldRecordRoutes, { database: opts.database, registers: services.registers });
  await app.register(attachmentRoutes, { attachments: services.attachments });
  await app.register(publicRoutes, { database: opts.database, settings });
  for (const plugin of opts.plugins ?? []) await app.register(plugin);

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
