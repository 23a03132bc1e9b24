import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Settings } from '../../config.ts';
import type { Database } from '../../db/connect.ts';
import { aggregatesByAdminArea, hazardHexagons } from '../../db/repositories/public.ts';
import { Problem } from '../../domain/problem.ts';

/**
 * Endpoints for anyone, signed in or not: aggregate figures and a generalised hazard map. No
 * open hazard's exact coordinates, no record and no personal data leave through them.
 */
export async function publicRoutes(app: FastifyInstance, opts: { database: Database; settings: Settings }) {
  const tags = ['public'];
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
    async (request) => {
      const q = request.query as { level?: string; from?: string; to?: string };
      const thisYear = new Date().getUTCFullYear();
      const level = q.level === undefined ? 1 : Number(q.level);
      const from = q.from === undefined ? thisYear - 9 : Number(q.from);
      const to = q.to === undefined ? thisYear : Number(q.to);
      for (const [field, v, min, max] of [
        ['level', level, 0, 5],
        ['from', from, 1900, 2200],
        ['to', to, 1900, 2200],
      ] as const) {
        if (!Number.isInteger(v) || v < min || v > max) {
          throw new Problem(
            'validation.range',
            { field, value: String(v), rule: 'between', limit: `${min}–${max}` },
            { pointer: `/${field}` },
          );
        }
      }
      if (from > to || to - from > 50)
        throw new Problem(
          'validation.range',
          { field: 'from', value: `${from}–${to}`, rule: 'span', limit: '≤ 50 years' },
          { pointer: '/from' },
        );
      const a = await aggregatesByAdminArea(opts.database.db, level, from, to);
      const years = Array.from({ length: to - from + 1 }, (_, i) => from + i);
      return {
        level,
        from,
        to,
        areas: a.areas.map((area) => ({
          pcode: area.pcode,
          name: area.name,
          names: area.names,
          openHazards: area.openHazards,
          remainingAreaM2: Math.round(area.remainingAreaM2),
          years: years.map((year) => {
            const released = { cancelled: 0, reduced: 0, cleared: 0 } as Record<string, number>;
            for (const r of a.released)
              if (r.areaId === area.id && r.year === year) released[r.outcome] = Math.round(r.areaM2);
            const devices: Record<string, number> = {};
            for (const f of a.found) if (f.areaId === area.id && f.year === year) devices[f.category] = f.n;
            const casualties = { killed: 0, injured: 0, unknown: 0 } as Record<string, number>;
            for (const c of a.hurt) if (c.areaId === area.id && c.year === year) casualties[c.outcome] = c.n;
            return { year, releasedM2: released, devicesFound: devices, casualties };
          }),
        })),
      };
    },
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
      const asked = Number((request.query as { sizeM?: string }).sizeM ?? opts.settings.publicHexagonM);
      const sizeM = Number.isFinite(asked)
        ? Math.max(asked, opts.settings.publicHexagonM)
        : opts.settings.publicHexagonM;
      const cells = await hazardHexagons(opts.database.db, sizeM);
      reply.type('application/geo+json');
      return {
        type: 'FeatureCollection',
        sizeM,
        features: cells.map((c) => ({
          type: 'Feature',
          geometry: c.geometry,
          properties: { hazards: c.hazards, remainingAreaM2: c.remainingAreaM2 },
        })),
      };
    },
  );
}
