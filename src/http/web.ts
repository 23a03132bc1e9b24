import { existsSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Paths that belong to the server itself, never answered with the web application. */
const SERVER_PREFIXES = ['/api/', '/api', '/tiles/', '/ogc/', '/ogc', '/basemap/', '/fonts/'];

function isServerPath(url: string): boolean {
  const path = url.split('?')[0];
  return SERVER_PREFIXES.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
}

/**
 * Serves the built web application at `/`. Unknown GET paths that are not API, tile or OGC
 * routes get index.html, so client-side routes (/registers/hazards/…) load on refresh.
 */
export async function webPlugin(app: FastifyInstance, opts: { distDir: string }): Promise<void> {
  const index = join(opts.distDir, 'index.html');
  if (!existsSync(index)) {
    app.log.warn({ distDir: opts.distDir }, 'web application not built; `/` will answer 404');
    return;
  }
  await app.register(fastifyStatic, {
    root: opts.distDir,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    // Hashed asset names change with content; index.html must always be revalidated.
    setHeaders(res, path) {
      if (path.includes(`${join('assets', '')}`))
        res.header('Cache-Control', 'public, max-age=31536000, immutable');
      else res.header('Cache-Control', 'no-cache');
    },
  });

  // Client-side routes: any other GET that wants HTML gets the application shell.
  app.get('/*', (req, reply) => {
    if (isServerPath(req.url)) return reply.callNotFound();
    // Files added after start (a rebuild while serving) are not in the static route table.
    const rel = normalize(decodeURIComponent(req.url.split('?')[0])).replace(/^[/\\]+/, '');
    if (
      rel &&
      !rel.startsWith('..') &&
      existsSync(join(opts.distDir, rel)) &&
      statSync(join(opts.distDir, rel)).isFile()
    ) {
      return reply.sendFile(rel);
    }
    const acceptsHtml = (req.headers.accept ?? '').includes('text/html');
    if (!acceptsHtml) return reply.callNotFound();
    reply.header('Cache-Control', 'no-cache');
    return reply.sendFile('index.html');
  });
}
