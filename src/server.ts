import type { FastifyInstance } from 'fastify';
import type { Settings } from './config.ts';
import type { Database } from './db/connect.ts';
import { buildServer } from './http/server.ts';

/**
 * The composition root of a running server: a database and settings in, the HTTP server out.
 * The CLI starts servers through here and never reaches into src/http (the layer check in
 * scripts/check-layers.ts forbids it), so what the server is made of can change without the CLI.
 */
export function createServer(
  database: Database,
  settings: Settings,
  opts: { distDir?: string; logger?: boolean } = {},
): Promise<FastifyInstance> {
  return buildServer({ database, settings, logger: opts.logger, distDir: opts.distDir });
}
