import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Settings } from '../../config.ts';
import { Problem } from '../../domain/problem.ts';
import { throttleAddress } from '../../services/auth.ts';
import type { PublicService } from '../../services/public.ts';
import type { TypedRequests } from '../schemas.ts';

/**
 * Endpoints for anyone, signed in or not: aggregate figures and a generalised hazard map. No
 * open hazard's exact coordinates, no record and no personal data leave through them.
 */
export async function publicRoutes(
  instance: FastifyInstance,
  opts: { publicData: PublicService; settings: Settings },
) {
  const app = instance.withTypeProvider<TypedRequests>();
  const tags = ['public'];
  // Anyone may ask, so each address (an IPv6 /64 counted as one, as sign-in throttling does) gets
  // SAFEGROUND_PUBLIC_RATE_LIMIT requests a minute; the answers themselves are cached (PublicService).
  if (opts.settings.publicRateLimit > 0)
    await app.register(rateLimit, {
      max: opts.settings.publicRateLimit,
      timeWindow: 60_000,
      keyGenerator: (request) => throttleAddress(request.ip),
      errorResponseBuilder: (_request, context) =>
        new Problem('public.rate_limited', { seconds: Math.ceil(context.ttl / 1000) }, { pointer: '' }),
    });
  app.get(
    '/api/v1/public/summary',
    {
      schema: {
        tags,
        summary: 'Figures by admin area and year: open hazards, land released, devices found, casualties',
        security: [],
        querystring: Type.Object({
          level: Type.Optional(Type.String({ description: 'admin level (default 1)' })),
          from: Type.Optional(Type.String({ description: 'first year (default: 10 years ago)' })),
          to: Type.Optional(Type.String({ description: 'last year (default: this year)' })),
        }),
      },
    },
    async (request) => opts.publicData.summary(request.query),
  );

  app.get(
    '/api/v1/public/hazard-map',
    {
      schema: {
        tags,
        summary: `Open hazards generalised to hexagons (at least ${opts.settings.publicHexagonM} m); never exact hazard coordinates`,
        security: [],
        querystring: Type.Object({
          sizeM: Type.Optional(
            Type.String({ description: 'hexagon size, metres (never below the server minimum)' }),
          ),
        }),
      },
    },
    async (request, reply) => {
      reply.type('application/geo+json');
      return opts.publicData.hazardMap(request.query.sizeM);
    },
  );
}
