import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Settings } from '../../config.ts';
import type { Database } from '../../db/connect.ts';
import { migrationLevel } from '../../db/repositories/migrations.ts';
import { summary } from '../../db/repositories/stats.ts';
import { Problem } from '../../domain/problem.ts';
import { LOCALES } from '../../i18n/catalogue.ts';
import { assertCan } from '../../services/actor.ts';
import type { AttachmentService } from '../../services/attachments.ts';
import { verifyAudit } from '../../services/audit.ts';
import { VERSION } from '../../version.ts';
import { requireActor } from '../plugins/auth.ts';

export async function healthRoutes(app: FastifyInstance, opts: { database: Database; settings: Settings }) {
  // Read once: migrations run only at start, and health must answer even while a long
  // transaction (a demo load, an import) holds the embedded database.
  const level = await migrationLevel(opts.database.db);
  app.get(
    '/api/v1/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness, database kind and migration level',
        response: {
          200: Type.Object({
            status: Type.String(),
            database: Type.String(),
            migration: Type.Integer(),
            version: Type.String(),
          }),
        },
      },
    },
    async () => ({
      status: 'ok',
      database: opts.database.kind,
      migration: level,
      version: VERSION,
    }),
  );
  app.get(
    '/api/v1/config',
    { schema: { tags: ['system'], summary: 'Settings the web application needs' } },
    async () => ({
      basemap: {
        url: opts.settings.basemapUrl ?? null,
        type: opts.settings.basemapUrl ? opts.settings.basemapType : null,
        attribution: opts.settings.basemapAttribution ?? null,
      },
      locales: LOCALES,
      version: VERSION,
    }),
  );
  app.get(
    '/api/v1/audit/verify',
    { schema: { tags: ['system'], summary: 'Check the whole hash chain of the audit log (administrators)' } },
    async (request) => {
      assertCan(requireActor(request), 'audit.verify');
      const r = await verifyAudit(opts.database);
      return { entries: r.entries, intact: r.broken === undefined, broken: r.broken ?? null };
    },
  );
  app.get(
    '/api/v1/stats/summary',
    {
      schema: {
        tags: ['stats'],
        summary:
          'Headline figures: open hazard area, land released this year by outcome, devices found, casualties',
        querystring: Type.Object({ year: Type.Optional(Type.String({ pattern: '^\\d{4}$' })) }),
      },
    },
    async (request) => {
      requireActor(request);
      const y = (request.query as { year?: string }).year;
      const year = y === undefined ? new Date().getUTCFullYear() : Number(y);
      if (!Number.isInteger(year) || year < 1900 || year > 2200) {
        throw new Problem(
          'validation.format',
          { field: 'year', value: String(y), format: 'YYYY' },
          { pointer: '/year' },
        );
      }
      return summary(opts.database.db, year);
    },
  );
}

export async function attachmentRoutes(app: FastifyInstance, opts: { attachments: AttachmentService }) {
  const tags = ['attachments'];
  app.post(
    '/api/v1/attachments',
    {
      schema: {
        tags,
        summary:
          'Upload a file (multipart/form-data: recordType, recordId, then file) and attach it to a record',
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
        const stored = await opts.attachments.store(actor, {
          recordType: fields.recordType!,
          recordId: fields.recordId!,
          filename: part.filename,
          mediaType: part.mimetype || 'application/octet-stream',
          content: part.file,
        });
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
        summary: 'Attachments of a record',
        querystring: Type.Object({ recordType: Type.String(), recordId: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const q = request.query as { recordType?: string; recordId?: string };
      if (!q.recordType)
        throw new Problem('validation.required', { field: 'recordType' }, { pointer: '/recordType' });
      if (!q.recordId)
        throw new Problem('validation.required', { field: 'recordId' }, { pointer: '/recordId' });
      return { items: await opts.attachments.list(actor, q.recordType, q.recordId) };
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
      const id = (request.params as { id: string }).id;
      if (!/^[0-9a-f-]{36}$/i.test(id))
        throw new Problem('record.not_found', { entity: 'attachment', id }, { pointer: '' });
      const { row, stream } = await opts.attachments.open(actor, id);
      reply
        .header('content-type', row.mediaType)
        .header('content-length', row.sizeBytes)
        .header('digest', `sha-256=${Buffer.from(row.sha256, 'hex').toString('base64')}`)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(row.filename)}`);
      return reply.send(stream);
    },
  );
}
