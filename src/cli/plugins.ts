import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/connect.ts';

/** Route plugins beyond the core API that `serve` mounts (vector tiles, OGC API - Features). */
export function extraPlugins(_database: Database): Array<(app: FastifyInstance) => Promise<void>> {
  return [];
}
