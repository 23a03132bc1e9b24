import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { BasemapService } from '../../services/basemap.ts';
import { ProblemSchema, type TypedRequests } from '../schemas.ts';

export interface BasemapPluginOptions {
  /** The deployment's PMTiles archive (SAFEGROUND_BASEMAP_PMTILES); none: 404 `basemap.not_configured`. */
  pmtilesPath?: string;
}

/**
 * What the map needs besides the registers' tiles, all from this server (the web application's
 * Content-Security-Policy allows no other origin): the basemap archive's tiles and description,
 * the labels' glyphs, and the right-to-left text plugin for Arabic. Public, like the web
 * application's own files: they hold no programme data.
 */
export async function basemapPlugin(instance: FastifyInstance, opts: BasemapPluginOptions = {}) {
  const app = instance.withTypeProvider<TypedRequests>();
  const basemap = new BasemapService(opts.pmtilesPath);
  const tags = ['maps'];

  app.get(
    '/basemap/tiles.json',
    {
      schema: {
        tags,
        summary: "The basemap archive's kind, zooms, bounds and vector layers (404 when none is configured)",
        response: { 404: ProblemSchema },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-cache');
      return basemap.info();
    },
  );

  app.get(
    '/basemap/rtl-text.mjs',
    { schema: { tags, summary: "MapLibre's right-to-left text plugin (Arabic shaping)" } },
    async (_request, reply) => {
      const body = await basemap.rtlTextPlugin();
      return reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=86400')
        .send(body);
    },
  );

  app.get(
    '/basemap/:z/:x/:y',
    {
      schema: {
        tags,
        summary:
          'A tile of the basemap archive ({y} ends in .mvt, .png, .jpg or .webp); 204 when it has none',
        params: Type.Object({ z: Type.String(), x: Type.String(), y: Type.String() }),
        response: { 204: Type.Null(), 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { z, x, y } = request.params;
      const tile = await basemap.tile(z, x, y);
      reply.header('cache-control', 'public, max-age=86400');
      if (!tile) return reply.status(204).send();
      return reply
        .type(tile.mediaType)
        .send(Buffer.from(tile.bytes.buffer, tile.bytes.byteOffset, tile.bytes.byteLength));
    },
  );

  app.get(
    '/fonts/:fontstack/:range',
    {
      schema: {
        tags,
        summary: 'Signed-distance-field glyphs of 256 code points ({range} is like 0-255.pbf) for map labels',
        params: Type.Object({ fontstack: Type.String(), range: Type.String() }),
        response: { 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const bytes = await basemap.glyphs(request.params.fontstack, request.params.range);
      return reply
        .type('application/x-protobuf')
        .header('cache-control', 'public, max-age=86400')
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );
}
