import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Settings } from '../../config.ts';
import { Problem } from '../../domain/problem.ts';
import { LOCALES } from '../../i18n/catalogue.ts';
import type { AttachmentService } from '../../services/attachments.ts';
import type { SystemService } from '../../services/system.ts';
import { VERSION } from '../../version.ts';
import { requireActor } from '../plugins/auth.ts';
import type { TypedRequests } from '../schemas.ts';
import { AS_AT_DESCRIPTION } from './registers.ts';

export async function healthRoutes(
  instance: FastifyInstance,
  opts: { system: SystemService; settings: Settings },
) {
  const app = instance.withTypeProvider<TypedRequests>();
  app.get(
    '/api/v1/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness, database kind and migration level; status `loading` while the demo loads',
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal('ok'), Type.Literal('loading')]),
            loading: Type.Optional(Type.String({ description: 'What is loading (demo)' })),
            database: Type.String(),
            migration: Type.Integer(),
            version: Type.String(),
          }),
        },
      },
    },
    async () => opts.system.health(),
  );
  app.get(
    '/api/v1/config',
    { schema: { tags: ['system'], summary: 'Settings the web application needs' } },
    async () => ({
      basemap: {
        url: opts.settings.basemapUrl ?? null,
        type: opts.settings.basemapUrl ? opts.settings.basemapType : null,
        attribution: opts.settings.basemapAttribution ?? null,
        /** A PMTiles archive is served at /basemap (see /basemap/tiles.json). */
        archive: Boolean(opts.settings.basemapPmtiles),
      },
      locales: LOCALES,
      version: VERSION,
    }),
  );
  app.get(
    '/api/v1/audit/verify',
    { schema: { tags: ['system'], summary: 'Check the whole hash chain of the audit log (administrators)' } },
    async (request) => {
      return opts.system.verifyAudit(requireActor(request));
    },
  );
  app.get(
    '/api/v1/stats/summary',
    {
      schema: {
        tags: ['stats'],
        summary:
          'Headline figures: open hazard area, land released this year by outcome, devices found, casualties',
        querystring: Type.Object({
          year: Type.Optional(
            Type.String({
              pattern: '^\\d{4}$',
              description:
                'the calendar year (default, when neither from nor to is given: the latest year with data)',
            }),
          ),
          from: Type.Optional(Type.String({ description: 'YYYY-MM-DD: first day of the period' })),
          to: Type.Optional(Type.String({ description: 'YYYY-MM-DD: last day of the period' })),
          asAt: Type.Optional(Type.String({ description: AS_AT_DESCRIPTION })),
          adminArea: Type.Optional(
            Type.String({ format: 'uuid', description: 'Records intersecting this admin area' }),
          ),
          organisation: Type.Optional(
            Type.String({
              format: 'uuid',
              description: "Hazards of this organisation, and its activities' results",
            }),
          ),
        }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const figures = await opts.system.summary(
        requireActor(request),
        { year: q.year, from: q.from, to: q.to, asAt: q.asAt },
        { adminAreaId: q.adminArea, organisationId: q.organisation },
      );
      if (figures.asAt) reply.header('as-at', figures.asAt);
      return figures;
    },
  );
}

export async function attachmentRoutes(instance: FastifyInstance, opts: { attachments: AttachmentService }) {
  const app = instance.withTypeProvider<TypedRequests>();
  const tags = ['attachments'];
  app.post(
    '/api/v1/attachments',
    {
      schema: {
        tags,
        summary:
          'Upload a file (multipart/form-data: recordType, recordId, then file) and attach it to a record; the answer carries the SHA-256, the photo metadata read (EXIF/XMP) and the check against the record (distance in metres, days apart)',
        consumes: ['multipart/form-data'],
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      if (!request.isMultipart()) throw new Problem('request.media_type', {}, { pointer: '' });
      const fields: Record<string, string> = {};
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          fields[part.fieldname] = String(part.value);
          continue;
        }
        for (const f of ['recordType', 'recordId']) {
          if (!fields[f]) throw new Problem('validation.required', { field: f }, { pointer: `/${f}` });
        }
        const stored = await opts.attachments.store(
          actor,
          {
            recordType: fields.recordType!,
            recordId: fields.recordId!,
            filename: part.filename,
            mediaType: part.mimetype || 'application/octet-stream',
            content: part.file,
          },
          request.locale,
        );
        if (part.file.truncated) throw new Problem('request.too_large', {}, { pointer: '/file' });
        return reply.status(201).send(stored);
      }
      throw new Problem('validation.required', { field: 'file' }, { pointer: '/file' });
    },
  );
  app.get(
    '/api/v1/attachments',
    {
      schema: {
        tags,
        summary: 'Attachments of a record, with their metadata and the check against the record as it stands',
        querystring: Type.Object({ recordType: Type.String(), recordId: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const q = request.query;
      return { items: await opts.attachments.list(actor, q.recordType, q.recordId, request.locale) };
    },
  );
  app.get(
    '/api/v1/attachments/:id/content',
    {
      schema: {
        tags,
        summary: 'Download an attachment',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { row, stream } = await opts.attachments.open(actor, request.params.id);
      reply
        .header('content-type', row.mediaType)
        .header('content-length', row.sizeBytes)
        .header('digest', `sha-256=${Buffer.from(row.sha256, 'hex').toString('base64')}`)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(row.filename)}`);
      return reply.send(stream);
    },
  );
  app.get(
    '/api/v1/attachments/:id/thumbnail',
    {
      schema: {
        tags,
        summary: 'A JPEG thumbnail of an image attachment, made on the server and turned upright',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { sha256, stream } = await opts.attachments.openThumbnail(actor, request.params.id);
      // The thumbnail of a given content never changes: the original is kept byte for byte.
      reply
        .header('content-type', 'image/jpeg')
        .header('cache-control', 'private, max-age=86400')
        .header('etag', `"${sha256}"`);
      return reply.send(stream);
    },
  );
}
