import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  OUTPUT_FORMATS,
  type OutputService,
  outputFormat,
  PERIOD_RULES,
  parseOutputParams,
} from '../../services/outputs/index.ts';
import { requireActor } from '../plugins/auth.ts';
import { requestLocale } from '../problems.ts';
import type { TypedRequests } from '../schemas.ts';

const tags = ['outputs'];

const ParamsQuery = {
  asAt: Type.Optional(Type.String({ description: 'The state as at this date (YYYY-MM-DD); default today' })),
  from: Type.Optional(Type.String({ description: 'Start of the period (YYYY-MM-DD)' })),
  to: Type.Optional(Type.String({ description: 'End of the period (YYYY-MM-DD)' })),
  area: Type.Optional(Type.String({ description: 'Admin area id: records intersecting it' })),
  organisation: Type.Optional(Type.String({ description: 'Organisation id' })),
  level: Type.Optional(Type.String({ description: 'Admin level of the by-area breakdown (default 1)' })),
  hazard: Type.Optional(Type.String({ description: 'Hazard id (hazard-completion)' })),
  records: Type.Optional(
    Type.String({ description: 'register:id pairs, comma separated (evidence-dossier)' }),
  ),
  project: Type.Optional(Type.String({ description: 'Project id (project)' })),
  lang: Type.Optional(Type.String({ description: 'en, ru or ar; default from Accept-Language' })),
};

/**
 * Standard reports (`/api/v1/outputs`): the list, one report in a format, saved definitions
 * and the files kept from them. The approval workflow's reports stay at /api/v1/reports.
 */
export async function outputRoutes(instance: FastifyInstance, opts: { outputs: OutputService }) {
  const app = instance.withTypeProvider<TypedRequests>();
  const outputs = opts.outputs;

  app.get(
    '/api/v1/outputs',
    { schema: { tags, summary: 'The standard reports and the parameters each takes' } },
    async (request) => {
      requireActor(request);
      return {
        items: outputs.list(requestLocale(request)),
        formats: OUTPUT_FORMATS,
        periodRules: PERIOD_RULES,
      };
    },
  );

  app.get(
    '/api/v1/outputs/definitions',
    { schema: { tags, summary: 'Saved report definitions' } },
    async (request) => ({ items: await outputs.definitions(requireActor(request)) }),
  );

  app.post(
    '/api/v1/outputs/definitions',
    {
      schema: {
        tags,
        summary: 'Save a report definition: a name, the report, its filters and a period rule',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            output: Type.String(),
            params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Integer()]))),
            periodRule: Type.Optional(Type.String({ description: PERIOD_RULES.join(', ') })),
            locale: Type.Optional(Type.Enum(['en', 'ru', 'ar'])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const row = await outputs.saveDefinition(requireActor(request), request.body);
      return reply.status(201).send(row);
    },
  );

  app.delete(
    '/api/v1/outputs/definitions/:id',
    {
      schema: {
        tags,
        summary: 'Remove a saved definition (its kept files stay)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request, reply) => {
      await outputs.removeDefinition(requireActor(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/outputs/definitions/:id/generate',
    {
      schema: {
        tags,
        summary:
          'Generate a saved definition now (its period rule resolved today) and keep the file with its hashes',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({
          format: Type.Optional(Type.String()),
          on: Type.Optional(Type.String({ format: 'date' })),
        }),
      },
    },
    async (request, reply) => {
      const kept = await outputs.generateSaved(
        requireActor(request),
        request.params.id,
        outputFormat(request.query.format ?? 'pdf'),
        request.query.on,
      );
      return reply.status(201).send(kept);
    },
  );

  app.get(
    '/api/v1/outputs/generated',
    {
      schema: {
        tags,
        summary: 'Files kept from generated reports, newest first, with their content and file hashes',
        querystring: Type.Object({ definition: Type.Optional(Type.String({ format: 'uuid' })) }),
      },
    },
    async (request) => ({
      items: await outputs.generated(requireActor(request), { definitionId: request.query.definition }),
    }),
  );

  app.get(
    '/api/v1/outputs/generated/:id',
    {
      schema: {
        tags,
        summary: 'A kept file, as it was generated',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request, reply) => {
      const file = await outputs.generatedFile(requireActor(request), request.params.id);
      reply
        .header('content-type', file.mediaType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('x-content-sha256', file.row.contentSha256)
        .header('x-file-sha256', file.row.fileSha256);
      return reply.send(Buffer.from(file.bytes));
    },
  );

  app.post(
    '/api/v1/outputs/generated/:id/compare',
    {
      schema: {
        tags,
        summary: "Make a kept file's report again with the same parameters and compare content hashes",
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request) => outputs.compare(requireActor(request), request.params.id),
  );

  app.get(
    '/api/v1/projects/:id/summary',
    {
      schema: {
        tags: ['projects'],
        summary:
          "A project's output as at a date: land released by outcome, devices destroyed, risk education beneficiaries, funds and cost per m² released, donors",
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({
          asAt: Type.Optional(Type.String({ format: 'date', description: 'As at this date; default today' })),
        }),
      },
    },
    async (request) =>
      outputs.projectSummary(
        requireActor(request),
        request.params.id,
        request.query.asAt,
        requestLocale(request),
      ),
  );

  app.get(
    '/api/v1/outputs/:name',
    {
      schema: {
        tags,
        summary: 'One standard report as at a date: format json (the page), pdf, xlsx or csv',
        params: Type.Object({ name: Type.String() }),
        querystring: Type.Object({
          ...ParamsQuery,
          format: Type.Optional(Type.String()),
          keep: Type.Optional(Type.Boolean()),
        }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { format: f, keep, lang: _l, ...query } = request.query;
      const format = outputFormat(f ?? 'json');
      const params = parseOutputParams(request.params.name, query);
      const locale = requestLocale(request);
      if (keep) {
        const kept = await outputs.keep(actor, null, request.params.name, params, format, locale);
        return reply.status(201).send(kept);
      }
      const file = await outputs.generate(actor, request.params.name, params, format, locale);
      reply.header('x-content-sha256', file.contentSha256).header('x-file-sha256', file.fileSha256);
      if (format === 'json')
        return reply.send({
          document: file.document,
          contentSha256: file.contentSha256,
          provenance: file.provenance,
        });
      reply
        .header('content-type', file.mediaType)
        .header('content-disposition', `attachment; filename="${file.filename}"`);
      return reply.send(Buffer.from(file.bytes));
    },
  );
}
