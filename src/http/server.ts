import type { FastifyInstance } from 'fastify';
import type { TileEncoder } from '../services/tiles.ts';
import { type AppOptions, buildApp } from './app.ts';
import { ogcPlugin } from './ogc/index.ts';
import { basemapPlugin } from './routes/basemap.ts';
import { tilesPlugin } from './tiles/plugin.ts';
import { webPlugin } from './web.ts';

export interface ServerOptions extends AppOptions {
  /** The built web application to serve at `/` (none: the API only). */
  distDir?: string;
  /** Force a tile encoder (default: PostGIS on PostgreSQL, JS on PGlite). */
  tileEncoder?: TileEncoder;
}

/**
 * The whole HTTP server `safeground serve` runs: the core API, vector tiles, OGC API - Features
 * and, when built, the web application.
 */
export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const { distDir, tileEncoder, plugins = [], ...app } = opts;
  return buildApp({
    ...app,
    plugins: [
      (a) => tilesPlugin(a, { encoder: tileEncoder }),
      (a) => ogcPlugin(a),
      (a) => basemapPlugin(a, { pmtilesPath: app.settings?.basemapPmtiles }),
      ...(distDir ? [(a: FastifyInstance) => webPlugin(a, { distDir })] : []),
      ...plugins,
    ],
  });
}
