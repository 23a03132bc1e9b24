import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../db/connect.ts';
import { minefieldRecords } from '../../domain/records.ts';
import {
  AdoptRequest,
  DecodeRequest,
  MinefieldRecordService,
  ScoreRequest,
} from '../../services/minefield-records.ts';
import type { RegisterService } from '../../services/registers.ts';
import { pathParam } from '../input.ts';
import { requireActor } from '../plugins/auth.ts';
import { ProblemSchema, type TypedRequests } from '../schemas.ts';
import { parseId, parseIfMatch, present } from './registers.ts';

/**
 * Decoding, scoring and adopting a reading of a stored minefield record. Its create, read, update, archive and list
 * routes are the generic register routes (routes/registers.ts), since minefield-records is a
 * register like the others.
 */

const base = `/api/v1/${minefieldRecords.slug}`;
const tags = [minefieldRecords.slug];
const idParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };

const Reading = Type.Object(
  {
    bearingReference: Type.Enum(['magnetic', 'grid', 'true']),
    milCircle: Type.Union([Type.Literal(6000), Type.Literal(6400), Type.Null()]),
    distanceUnit: Type.Enum(['m', 'pace', 'pair_of_steps']),
    distanceUnitM: Type.Number(),
    direction: Type.Enum(['forward', 'reverse']),
  },
  { additionalProperties: true, description: 'What the reading assumes' },
);

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
      Type.Object(
        {
          id: Type.String(),
          label: Type.String(),
          reading: Reading,
          stated: Type.Boolean({ description: 'The reading the record states' }),
          adopted: Type.Boolean({ description: 'The reading adopted for the record' }),
        },
        { additionalProperties: true },
      ),
    ),
    notDecoded: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          label: Type.String(),
          reading: Reading,
          stated: Type.Boolean(),
          adopted: Type.Boolean(),
          message: Type.String(),
        },
        { additionalProperties: true },
      ),
    ),
    statedHypothesis: Type.String({ description: 'Id of the reading the record states' }),
    adoptedHypothesis: Type.Union([Type.String(), Type.Null()], {
      description: 'Id of the reading adopted for the record (POST …/adopt), if any',
    }),
    geometryHypothesis: Type.Union([Type.String(), Type.Null()], {
      description: "Id of the reading whose perimeter is the record's geometry",
    }),
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
    findings: Type.Object(
      {
        type: Type.Literal('FeatureCollection'),
        features: Type.Array(Type.Object({}, { additionalProperties: true })),
      },
      { additionalProperties: true, description: 'The findings scored, as WGS 84 points' },
    ),
  },
  {
    additionalProperties: true,
    description: 'Scores of every hypothesis against the findings, and the best-supported one',
  },
);

const AdoptedRecord = Type.Object(
  {
    type: Type.Literal('Feature'),
    id: Type.String({ format: 'uuid' }),
    geometry: Type.Unknown({ description: "The adopted reading's perimeter, GeoJSON, WGS 84" }),
    properties: Type.Object({}, { additionalProperties: true }),
  },
  { additionalProperties: true, description: 'The record after the adoption' },
);

export async function minefieldRecordRoutes(
  instance: FastifyInstance,
  opts: { database: Database; registers: ReadonlyMap<string, RegisterService> },
) {
  const app = instance.withTypeProvider<TypedRequests>();
  const register = opts.registers.get(minefieldRecords.slug)!;
  const service = new MinefieldRecordService(opts.database, register);

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
    `${base}/:id/adopt`,
    {
      schema: {
        tags,
        summary:
          'Adopt one of the decoded readings as the reading of the record (If-Match: "<version>" required); recorded as an approved change in its history',
        params: idParams,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        body: AdoptRequest,
        response: {
          200: AdoptedRecord,
          ...errors,
          412: ProblemSchema,
          428: ProblemSchema,
        },
      },
      config: {
        authorise: (request) =>
          register.authoriseWrite(requireActor(request), parseId(pathParam(request, 'id'), minefieldRecords)),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const id = parseId(request.params.id, minefieldRecords);
      const version = parseIfMatch(request.headers['if-match']);
      const record = await service.adopt(actor, id, version, request.body.hypothesis);
      reply.header('etag', `"${record.version}"`);
      return present(minefieldRecords, record);
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
