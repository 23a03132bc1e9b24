import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { FastifyInstance, FastifyServerFactory } from 'fastify';
import type { Settings } from './config.ts';
import type { Database } from './db/connect.ts';
import { problemTitle } from './http/problems.ts';
import { buildServer } from './http/server.ts';
import { pickLocale, t } from './i18n/catalogue.ts';
import { VERSION } from './version.ts';

/**
 * The composition root of a running server: a database and settings in, the HTTP server out.
 * The CLI starts servers through here and never reaches into src/http (the layer check in
 * scripts/check-layers.ts forbids it), so what the server is made of can change without the CLI.
 */
export function createServer(
  database: Database,
  settings: Settings,
  opts: { distDir?: string; logger?: boolean; serverFactory?: FastifyServerFactory } = {},
): Promise<FastifyInstance> {
  return buildServer({
    database,
    settings,
    logger: opts.logger,
    distDir: opts.distDir,
    serverFactory: opts.serverFactory,
  });
}

/**
 * A server that listens before the database is open: while the embedded database opens (its
 * WebAssembly, PostGIS, the data folder) and migrations are checked, `/api/v1/health` answers
 * `loading` (`loading: "database"`) with status 503, a page asks the browser to come back in a moment, and every
 * other request gets 503 `server.starting` with Retry-After. Once the application is built on
 * `serverFactory` and ready, `handOver(app)` gives it the same listening socket: no request is
 * refused in between.
 *
 *   const starting = await listenWhileStarting(settings);
 *   const app = await createServer(database, settings, { serverFactory: starting.serverFactory });
 *   await starting.handOver(app);
 */
export async function listenWhileStarting(settings: Settings): Promise<{
  server: Server;
  serverFactory: FastifyServerFactory;
  handOver(app: FastifyInstance): Promise<void>;
}> {
  const kind = settings.databaseUrl ? 'postgresql' : 'pglite';
  let answer: (req: IncomingMessage, res: ServerResponse) => void = (req, res) => starting(req, res, kind);
  const server = createHttpServer((req, res) => answer(req, res));
  await new Promise<void>((resolveListen, fail) => {
    server.once('error', fail);
    server.listen(settings.port, settings.host, () => {
      server.off('error', fail);
      resolveListen();
    });
  });
  let appHandler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  return {
    server,
    serverFactory: (handler) => {
      appHandler = handler;
      return server;
    },
    async handOver(app) {
      await app.ready();
      if (!appHandler) throw new Error('the application was not built on this server');
      answer = appHandler;
    },
  };
}

/** The answer of a server whose database is not open yet. */
function starting(req: IncomingMessage, res: ServerResponse, database: string): void {
  const path = (req.url ?? '/').split('?')[0];
  const locale = pickLocale(req.headers['accept-language']);
  if (path === '/api/v1/health') {
    // 503: every other request is refused until the database is open (a poller waiting for a 2xx
    // waits for that). The migration level is read once the database is open; until then, 0.
    send(res, 503, 'application/json', {
      status: 'loading',
      loading: 'database',
      database,
      migration: 0,
      version: VERSION,
    });
    return;
  }
  const message = t('server.starting', {}, locale);
  res.setHeader('retry-after', '2');
  if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) {
    res.writeHead(503, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html lang="${locale}"${locale === 'ar' ? ' dir="rtl"' : ''}><meta charset="utf-8">` +
        `<meta http-equiv="refresh" content="2"><title>Safeground</title><p>${message}</p></html>`,
    );
    return;
  }
  send(res, 503, 'application/problem+json', {
    type: 'https://safeground.org/problems/server.starting',
    title: problemTitle('server.starting', locale),
    status: 503,
    code: 'server.starting',
    detail: message,
  });
}

function send(res: ServerResponse, status: number, type: string, body: unknown): void {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8` });
  res.end(JSON.stringify(body));
}
