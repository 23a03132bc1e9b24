import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../db/connect.ts';
import { minefieldRecords } from '../../domain/records.ts';
import { DecodeRequest, MinefieldRecordService, ScoreRequest } from '../../services/minefield-records.ts';
import type { RegisterService } from '../../services/registers.ts';
import { requireActor } from '../plugins/auth.ts';
import { ProblemSchema, type TypedRequests } from '../schemas.ts';
import { parseId } from './registers.ts';

/**
 * Decoding and scoring of a stored minefield record. Its create, read, update, archive and list
 * routes are the generic register routes (routes/registers.ts), since minefield-records is a
 * register like the others.
 */

const base = `/api/v1/${minefieldRecords.slug}`;
const tags = [minefieldRecords.slug];
const idParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };

const DecodedCollection = Type.Object(
  {
    type: Type.Literal('FeatureCollection'),
    features: Type.Array(
      Type.Object(
        {
          type: Type.Literal('Feature'),
          geometry: Type.Unknown({ description: 'GeoJSON, WGS 84' }),
          properties: Type.Object(
            {
              hypothesis: Type.String(),
              label: Type.String(),
              kind: Type.Enum([
                'perimeter',
                'uncertainty',
                'row',
                'turningPoint',
                'referencePoint',
                'landmark',
              ]),
            },
            { additionalProperties: true },
          ),
        },
        { additionalProperties: true },
      ),
    ),
    hypotheses: Type.Array(
      Type.Object({ id: Type.String(), label: Type.String() }, { additionalProperties: true }),
    ),
    notDecoded: Type.Array(Type.Object({}, { additionalProperties: true })),
    errorModel: Type.Object({}, { additionalProperties: true }),
    closureTolerance: Type.Object({}, { additionalProperties: true }),
  },
  {
    additionalProperties: true,
    description: 'The decoded record: one perimeter, uncertainty polygon, rows and points per hypothesis',
  },
);

const DistanceSummary = Type.Object({ medianM: Type.Number(), p95M: Type.Number(), maxM: Type.Number() });
const ScoresSchema = Type.Object(
  {
    findingCount: Type.Integer(),
    deviceCount: Type.Integer(),
    declaredCount: Type.Union([Type.Integer(), Type.Null()]),
    findingsFrom: Type.Enum(['request', 'hazard']),
    hazardId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    hypotheses: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          label: Type.String(),
          toRows: Type.Union([DistanceSummary, Type.Null()]),
          toBoundary: DistanceSummary,
          misfit: DistanceSummary,
          shareInsidePolygon: Type.Number(),
          shareInsideUncertainty: Type.Number(),
          likelihood: Type.Object(
            {
              model: Type.Enum(['rows', 'area'], {
                description:
                  'What the finds are assumed spread along: the rows, or the area inside the perimeter',
              }),
              logLikelihood: Type.Number({
                description: 'Natural log of the likelihood of every device found',
              }),
              meanLogDensity: Type.Number({ description: 'logLikelihood per device' }),
              sigmaM: Type.Number({
                description:
                  "The reading's 1-σ blur (95 % radius ÷ 2.448; rows weighted, or the turning points' mean), m",
              }),
              areaM2: Type.Number({ description: 'Area inside the perimeter, m²' }),
              strays: Type.Integer({
                description: 'Devices the reading explains less well than the background',
              }),
            },
            { description: 'The ranking figure (best.method)' },
          ),
        },
        { additionalProperties: true },
      ),
    ),
    best: Type.Union([
      Type.Object(
        {
          id: Type.String(),
          label: Type.String(),
          criterion: Type.String(),
          method: Type.String({ description: 'How the likelihood that ranks the readings is computed' }),
          logLikelihood: Type.Number(),
          medianMisfitM: Type.Number(),
          runnerUpId: Type.Union([Type.String(), Type.Null()]),
          runnerUpLogLikelihood: Type.Union([Type.Number(), Type.Null()]),
          logLikelihoodRatio: Type.Union([Type.Number(), Type.Null()], {
            description: 'Best minus runner-up log-likelihood: ln of the Bayes factor with equal priors',
          }),
        },
        { additionalProperties: true },
      ),
      Type.Null(),
    ]),
    likelihoodModel: Type.Union([
      Type.Object({ backgroundShare: Type.Number(), backgroundAreaM2: Type.Number() }),
      Type.Null(),
    ]),
    notDecoded: Type.Array(Type.Object({}, { additionalProperties: true })),
  },
  {
    additionalProperties: true,
    description: 'Scores of every hypothesis against the findings, and the best-supported one',
  },
);

export async function minefieldRecordRoutes(
  instance: FastifyInstance,
  opts: { database: Database; registers: ReadonlyMap<string, RegisterService> },
) {
  const app = instance.withTypeProvider<TypedRequests>();
  const service = new MinefieldRecordService(opts.database, opts.registers.get(minefieldRecords.slug)!);

  app.post(
    `${base}/:id/decode`,
    {
      schema: {
        tags,
        summary: 'Decode a stored minefield record into a GeoJSON FeatureCollection (every hypothesis)',
        params: idParams,
        body: Type.Union([DecodeRequest, Type.Null()]),
        response: { 200: DecodedCollection, ...errors },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const id = parseId(request.params.id, minefieldRecords);
      return service.decode(actor, id, request.body, request.locale);
    },
  );

  app.post(
    `${base}/:id/score`,
    {
      schema: {
        tags,
        summary:
          'Score a stored minefield record against the findings of its hazard, or against findings sent',
        params: idParams,
        body: Type.Union([ScoreRequest, Type.Null()]),
        response: { 200: ScoresSchema, ...errors },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const id = parseId(request.params.id, minefieldRecords);
      return service.score(actor, id, request.body, request.locale);
    },
  );
}
