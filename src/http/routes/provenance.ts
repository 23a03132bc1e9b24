import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../db/connect.ts';
import { minefieldRecords } from '../../domain/records.ts';
import { MinefieldRecordService } from '../../services/minefield-records.ts';
import { ProvenanceService, parseScope } from '../../services/provenance.ts';
import type { RegisterService } from '../../services/registers.ts';
import { requireActor } from '../plugins/auth.ts';
import { ProblemSchema, type TypedRequests } from '../schemas.ts';
import { parseId } from './registers.ts';

/**
 * Device provenance, lots and record completeness (docs/provenance.md): inferences computed on
 * every request from approved records, never stored.
 */

const tags = ['provenance'];
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };

const AsAt = Type.Optional(
  Type.String({
    format: 'date',
    description: 'Computed from the records as approved at the end of this date',
  }),
);
const AsAtQuery = Type.Object({ asAt: AsAt });

const ScopeQuery = Type.Object({
  hazard: Type.Optional(Type.String({ format: 'uuid', description: 'Findings of this hazard' })),
  adminArea: Type.Optional(Type.String({ format: 'uuid', description: 'Findings inside this admin area' })),
  bbox: Type.Optional(Type.String({ description: 'Findings inside minLon,minLat,maxLon,maxLat (WGS 84)' })),
  asAt: Type.Optional(
    Type.String({
      format: 'date',
      description: 'Computed from the records as approved at the end of this date',
    }),
  ),
});

const FlagSchema = Type.Object(
  {
    code: Type.Enum([
      'manufactured_after_record',
      'manufactured_after_accessible',
      'manufactured_after_period_start',
      'manufactured_after_activity',
      'not_on_record',
      'model_not_declared',
    ]),
    message: Type.String(),
    facts: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Null()])),
    assumptions: Type.Array(Type.String()),
    assumptionTexts: Type.Array(Type.String()),
  },
  { description: 'A flag with the facts that raise it and the assumptions it rests on' },
);

const Bound = Type.Object({
  basis: Type.Enum(['date_of_manufacture', 'year_of_manufacture', 'lot', 'catalogue']),
  date: Type.String({ format: 'date' }),
  facts: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
});

const nullableString = Type.Union([Type.String(), Type.Null()]);

const ProvenanceResponse = Type.Object({
  scope: Type.Object({}, { additionalProperties: true }),
  method: Type.String(),
  findings: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      code: Type.String(),
      hazardId: nullableString,
      foundOn: Type.String({ format: 'date' }),
      quantity: Type.Integer(),
      ordnanceId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
        description: "The catalogue model's id when the finding names one",
      }),
      model: nullableString,
      manufacturer: nullableString,
      lot: nullableString,
      yearOfManufacture: Type.Union([Type.Integer(), Type.Null()]),
      earliestLayingDate: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
        description: 'The latest of the bounds: the device cannot have been laid before it',
      }),
      bounds: Type.Array(Bound),
      flags: Type.Array(FlagSchema),
    }),
  ),
  groups: Type.Array(
    Type.Object({
      hazardId: nullableString,
      hazardCode: nullableString,
      findings: Type.Integer(),
      devices: Type.Integer(),
      devicesWithBound: Type.Integer(),
      earliestCompleteDate: nullableString,
      earliestBoundDate: nullableString,
      devicesByYearOfManufacture: Type.Record(Type.String(), Type.Integer()),
      flags: Type.Record(Type.String(), Type.Integer()),
    }),
  ),
  inputs: Type.Object(
    {},
    { additionalProperties: true, description: 'Records, control periods and activities used' },
  ),
  assumptions: Type.Record(Type.String(), Type.String()),
});

const LotsResponse = Type.Object({
  method: Type.String(),
  lots: Type.Array(
    Type.Object({
      lot: Type.String(),
      manufacturer: nullableString,
      model: nullableString,
      findings: Type.Integer(),
      devices: Type.Integer(),
      hazards: Type.Array(nullableString),
      firstFoundOn: Type.String({ format: 'date' }),
      lastFoundOn: Type.String({ format: 'date' }),
      yearsOfManufacture: Type.Array(Type.Integer()),
      maxDistanceM: Type.Number({ description: 'Largest distance between two of its findings, m' }),
      findingIds: Type.Array(Type.String({ format: 'uuid' })),
      farthestPair: Type.Union([Type.Array(Type.String()), Type.Null()]),
    }),
  ),
});

const Completeness = Type.Object(
  {
    minefieldRecordId: Type.String({ format: 'uuid' }),
    code: Type.String(),
    hazardId: nullableString,
    method: Type.String(),
    assessed: Type.Boolean(),
    reason: Type.Optional(Type.String()),
    bestHypothesis: Type.Optional(Type.String()),
    devicesFound: Type.Optional(Type.Integer()),
    devicesInsideUncertainty: Type.Optional(Type.Integer()),
    shareInsideUncertainty: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    declaredCount: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    foundOverDeclared: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    undeclaredModels: Type.Optional(
      Type.Array(Type.Object({ model: Type.String(), devices: Type.Integer() })),
    ),
    devicesOfUndeclaredModels: Type.Optional(Type.Integer()),
  },
  { additionalProperties: true },
);

const ProgrammeCompleteness = Type.Object(
  {
    asAt: Type.Union([Type.String(), Type.Null()]),
    method: Type.String(),
    records: Type.Integer(),
    recordsAssessed: Type.Integer(),
    devicesFound: Type.Integer(),
    devicesInsideUncertainty: Type.Integer(),
    shareInsideUncertainty: Type.Union([Type.Number(), Type.Null()]),
    devicesOfUndeclaredModels: Type.Integer(),
    hazardsWithFindingsButNoRecord: Type.Array(
      Type.Object({ hazardId: Type.String(), devices: Type.Integer() }),
    ),
    devicesWithoutHazard: Type.Integer(),
    perRecord: Type.Array(Completeness),
  },
  { additionalProperties: true },
);

export async function provenanceRoutes(
  instance: FastifyInstance,
  opts: { database: Database; registers: ReadonlyMap<string, RegisterService> },
) {
  const app = instance.withTypeProvider<TypedRequests>();
  const minefield = new MinefieldRecordService(opts.database, opts.registers.get(minefieldRecords.slug)!);
  const service = new ProvenanceService(opts.registers, minefield);

  app.get(
    '/api/v1/provenance',
    {
      schema: {
        tags,
        summary:
          'Earliest possible laying dates and provenance flags of the devices found in one hazard, admin area or box',
        querystring: ScopeQuery,
        response: { 200: ProvenanceResponse, ...errors },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return service.provenance(actor, parseScope(request.query), request.locale);
    },
  );

  app.get(
    '/api/v1/provenance/lots',
    {
      schema: {
        tags,
        summary:
          'Findings grouped by lot, with where and when each lot was found and the distance between its places',
        querystring: ScopeQuery,
        response: { 200: LotsResponse, ...errors },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return service.lots(actor, parseScope(request.query), request.locale);
    },
  );

  app.get(
    '/api/v1/provenance/completeness',
    {
      schema: {
        tags,
        summary: 'How complete handed-over minefield records are, over the whole programme',
        querystring: AsAtQuery,
        response: { 200: ProgrammeCompleteness, ...errors },
      },
    },
    async (request) =>
      service.programmeCompleteness(requireActor(request), request.locale, request.query.asAt),
  );

  app.get(
    `/api/v1/${minefieldRecords.slug}/:id/completeness`,
    {
      schema: {
        tags: [minefieldRecords.slug, ...tags],
        summary: "How complete one handed-over minefield record is against its hazard's findings",
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: AsAtQuery,
        response: { 200: Completeness, ...errors },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return service.completeness(
        actor,
        parseId(request.params.id, minefieldRecords),
        request.locale,
        request.query.asAt,
      );
    },
  );
}
