import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../db/connect.ts';
import {
  CLUSTER_PROPERTIES,
  TILE_BUFFER,
  TILE_EXTENT,
  TILE_LAYERS,
  type TileFilters,
  tileLayer,
} from '../../db/repositories/tiles.ts';
import { Problem } from '../../domain/problem.ts';
import { assertCan } from '../../services/actor.ts';
import { requireActor } from '../plugins/auth.ts';
import { ListQuerySchema, parseListQuery } from '../routes/registers.ts';
import { ProblemSchema } from '../schemas.ts';
import {
  defaultEncoder,
  MAX_ZOOM,
  parseTileAddress,
  renderTile,
  type TileEncoder,
  tileEtag,
} from './render.ts';

export const MVT_MEDIA_TYPE = 'application/vnd.mapbox-vector-tile';

export interface TilesPluginOptions {
  database: Database;
  /** Force an encoder; by default PostGIS on PostgreSQL, the JS encoder on PGlite. */
  encoder?: TileEncoder;
}

/**
 * Vector tiles of the registers' map layers: GET /tiles/{layer}/{z}/{x}/{y}.mvt, one source
 * layer named like the layer, with the list API's filters in the query string; and
 * GET /tiles/layers.json describing the layers. Data changes at any time, so tiles are
 * revalidated on every use (no-cache) against an ETag of their bytes.
 */
export async function tilesPlugin(app: FastifyInstance, opts: TilesPluginOptions) {
  const encoder = opts.encoder ?? defaultEncoder(opts.database);

  app.get(
    '/tiles/layers.json',
    {
      schema: {
        tags: ['tiles'],
        summary: 'The vector tile layers and their properties',
        response: { 401: ProblemSchema },
      },
    },
    async (request) => {
      requireActor(request);
      return {
        tiles: '/tiles/{layer}/{z}/{x}/{y}.mvt',
        extent: TILE_EXTENT,
        buffer: TILE_BUFFER,
        minzoom: 0,
        maxzoom: MAX_ZOOM,
        layers: TILE_LAYERS.map((l) => ({
          id: l.name,
          register: l.register.slug,
          geometryType: l.geometry === 'point' ? 'Point' : 'Polygon',
          tiles: [`/tiles/${l.name}/{z}/{x}/{y}.mvt`],
          properties: Object.fromEntries(l.properties.map((p) => [p.name, p.type])),
          filters: [
            ...Object.keys(l.register.filters.equals),
            'adminArea',
            ...(l.register.filters.date ? ['from', 'to'] : []),
            'q',
          ],
          ...(l.clusterBelowZoom !== undefined
            ? {
                clusterBelowZoom: l.clusterBelowZoom,
                clusterProperties: Object.fromEntries(CLUSTER_PROPERTIES.map((p) => [p.name, p.type])),
              }
            : {}),
        })),
      };
    },
  );

  app.get(
    '/tiles/:layer/:z/:x/:y',
    {
      schema: {
        tags: ['tiles'],
        summary: 'A Mapbox Vector Tile of one layer ({y} ends in .mvt); 204 when the tile is empty',
        params: Type.Object({ layer: Type.String(), z: Type.String(), x: Type.String(), y: Type.String() }),
        querystring: ListQuerySchema,
        response: {
          200: Type.String({ format: 'binary', description: MVT_MEDIA_TYPE }),
          204: Type.Null({ description: 'No feature falls in this tile' }),
          304: Type.Null({ description: 'The tile has not changed (If-None-Match)' }),
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const params = request.params as { layer: string; z: string; x: string; y: string };
      const layer = tileLayer(params.layer);
      if (!layer) {
        throw new Problem(
          'tiles.layer_unknown',
          { layer: params.layer, known: TILE_LAYERS.map((l) => l.name).join(', ') },
          { pointer: '' },
        );
      }
      if (!params.y.endsWith('.mvt')) throw new Problem('route.not_found', {});
      const address = parseTileAddress(params.z, params.x, params.y);
      assertCan(actor, 'record.read', layer.register);
      const list = parseListQuery(layer.register, request.query as Record<string, string | undefined>);
      const filters: TileFilters = {
        equals: list.equals,
        adminAreaId: list.adminAreaId,
        from: list.from,
        to: list.to,
        text: list.text,
      };
      const bytes = await renderTile(opts.database, layer, address, filters, encoder);
      reply.header('cache-control', 'private, no-cache').header('vary', 'Cookie, Authorization');
      if (!bytes.length) return reply.status(204).send();
      const etag = tileEtag(bytes);
      reply.header('etag', etag);
      const inm = request.headers['if-none-match'];
      if (inm?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return reply.status(304).send();
      return reply.type(MVT_MEDIA_TYPE).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );
}
