import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TileEncoder } from '../../services/tiles.ts';
import { requireActor } from '../plugins/auth.ts';
import { ListQuerySchema } from '../routes/registers.ts';
import { ProblemSchema, type TypedRequests } from '../schemas.ts';

export const MVT_MEDIA_TYPE = 'application/vnd.mapbox-vector-tile';

/**
 * Seconds a browser may reuse a tile without asking: short, since data changes at any time;
 * after that it revalidates with the ETag (304 when unchanged, answered from the tile cache).
 */
export const TILE_MAX_AGE_S = 5;

export interface TilesPluginOptions {
  /** Force an encoder; by default PostGIS on PostgreSQL, the JS encoder on PGlite. */
  encoder?: TileEncoder;
}

/**
 * Vector tiles of the registers' map layers: GET /tiles/{layer}/{z}/{x}/{y}.mvt, one source
 * layer named like the layer, with the list API's filters in the query string; and
 * GET /tiles/layers.json describing the layers. Data changes at any time, so a browser keeps a
 * tile a few seconds and then revalidates it against an ETag of its bytes; the server keeps
 * tiles in its cache until a table they are made from changes. The tiles service
 * (src/services/tiles.ts) reads them through each register's one read path.
 */
export async function tilesPlugin(instance: FastifyInstance, opts: TilesPluginOptions = {}) {
  const app = instance.withTypeProvider<TypedRequests>();
  const tiles = instance.services.tiles;

  app.get(
    '/tiles/layers.json',
    {
      schema: {
        tags: ['tiles'],
        summary: 'The vector tile layers and their properties',
        response: { 401: ProblemSchema },
      },
    },
    async (request) => tiles.layers(requireActor(request)),
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
      const { layer, z, x, y } = request.params;
      const { bytes, etag } = await tiles.tile(actor, layer, [z, x, y], request.query, opts.encoder);
      reply
        .header('cache-control', `private, max-age=${TILE_MAX_AGE_S}, must-revalidate`)
        .header('vary', 'Cookie, Authorization');
      if (!bytes.length) return reply.status(204).send();
      reply.header('etag', etag);
      const inm = request.headers['if-none-match'];
      if (inm?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return reply.status(304).send();
      return reply.type(MVT_MEDIA_TYPE).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );
}
