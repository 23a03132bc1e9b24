import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/connect.ts';
import { ogcPlugin } from '../http/ogc/index.ts';
import { tilesPlugin } from '../http/tiles/plugin.ts';

/** Route plugins beyond the core API that `serve` mounts: vector tiles and OGC API - Features. */
export function extraPlugins(database: Database): Array<(app: FastifyInstance) => Promise<void>> {
  return [(app) => tilesPlugin(app, { database }), (app) => ogcPlugin(app, { database })];
}
