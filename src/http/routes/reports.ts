import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Problem } from '../../domain/problem.ts';
import { REPORT_KINDS, REPORT_STATUSES, ReportCreateSchema } from '../../domain/reports.ts';
import type { ReportAttachmentService } from '../../services/report-attachments.ts';
import type { ReportService } from '../../services/reports.ts';
import type { UploadService } from '../../services/uploads.ts';
import { pathParam } from '../input.ts';
import { requireActor } from '../plugins/auth.ts';
import { problemEntry } from '../problems.ts';
import { ProblemSchema, type TypedRequests } from '../schemas.ts';
import { parseIfMatch } from './registers.ts';

const MAX_REPORTS_LIMIT = 500;

/** The page size of the report list: 1–500, 100 when not given. */
function reportsLimit(limit: string | undefined): number {
  if (limit === undefined) return 100;
  const n = /^\d{1,6}$/.test(limit) ? Number(limit) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_REPORTS_LIMIT) {
    throw new Problem(
      'validation.range',
      { field: 'limit', value: limit, rule: 'between', limit: `1–${MAX_REPORTS_LIMIT}` },
      { pointer: '/limit', field: 'limit' },
    );
  }
  return n;
}

export async function reportRoutes(
  instance: FastifyInstance,
  opts: { reports: ReportService; reportAttachments: ReportAttachmentService; uploads?: UploadService },
) {
  const app = instance.withTypeProvider<TypedRequests>();
  const tags = ['reports'];
  const idParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
  const errors = {
    400: ProblemSchema,
    401: ProblemSchema,
    403: ProblemSchema,
    404: ProblemSchema,
    409: ProblemSchema,
  };
  const id = (request: { params: { id: string } }) => request.params.id;

  app.get(
    '/api/v1/reports',
    {
      schema: {
        tags,
        summary: 'Reports the user may see (operators: their organisation only)',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum([...REPORT_STATUSES])),
          kind: Type.Optional(Type.Enum([...REPORT_KINDS])),
          mine: Type.Optional(Type.String({ description: 'true: only reports I created' })),
          limit: Type.Optional(
            Type.String({ description: `Page size, 1–${MAX_REPORTS_LIMIT} (default 100)` }),
          ),
          before: Type.Optional(Type.String({ description: 'code of the last report of the previous page' })),
          clientId: Type.Optional(
            Type.String({ description: 'The report I made with this device-given id (docs/field-sync.md)' }),
          ),
        }),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const q = request.query;
      const items = await opts.reports.list(actor, {
        status: q.status,
        kind: q.kind,
        mine: q.mine === 'true',
        limit: reportsLimit(q.limit),
        before: q.before,
        clientId: q.clientId,
      });
      return { items, nextBefore: items.length ? items[items.length - 1]!.code : null };
    },
  );

  app.post(
    '/api/v1/reports',
    {
      schema: {
        tags,
        summary:
          'Create a draft report; with a clientId already used by the caller, the report already made (200, Idempotent-Replay: true)',
        body: ReportCreateSchema,
        response: { ...errors },
      },
    },
    async (request, reply) => {
      const { report, replay } = await opts.reports.createOnce(requireActor(request), request.body);
      reply.header('etag', `"${report.version}"`);
      if (replay) return reply.header('idempotent-replay', 'true').status(200).send(report);
      return reply.status(201).send(report);
    },
  );

  app.get(
    '/api/v1/reports/:id',
    {
      schema: {
        tags,
        summary: 'One report',
        params: idParams,
        querystring: Type.Object({
          identity: Type.Optional(
            Type.String({
              description:
                "true: include its casualties' identities (roles that may read them; each read is audited)",
            }),
          ),
        }),
        response: { ...errors },
      },
    },
    async (request, reply) => {
      const identity = (request.query as { identity?: string }).identity === 'true';
      const report = await opts.reports.get(requireActor(request), id(request), { identity });
      reply.header('etag', `"${report.version}"`);
      // Personal data is kept by no browser or proxy cache.
      if (identity) reply.header('cache-control', 'no-store');
      return report;
    },
  );

  app.put(
    '/api/v1/reports/:id',
    {
      schema: {
        tags,
        summary: 'Edit a draft or rejected report (If-Match: "<version>")',
        params: idParams,
        body: ReportCreateSchema,
        response: { ...errors },
      },
      config: {
        authorise: (request) =>
          opts.reports.authorise(requireActor(request), pathParam(request, 'id'), 'edit'),
      },
    },
    async (request, reply) => {
      const report = await opts.reports.edit(
        requireActor(request),
        id(request),
        parseIfMatch(request.headers['if-match']),
        request.body,
      );
      reply.header('etag', `"${report.version}"`);
      return report;
    },
  );

  app.post(
    '/api/v1/reports/:id/submit',
    {
      schema: { tags, summary: 'Submit a draft (or a corrected rejected report)', params: idParams },
      config: {
        authorise: (request) =>
          opts.reports.authorise(requireActor(request), pathParam(request, 'id'), 'submit'),
      },
    },
    async (request) => opts.reports.submit(requireActor(request), id(request)),
  );
  app.post(
    '/api/v1/reports/:id/review',
    { schema: { tags, summary: "Operator manager's review of a submitted report", params: idParams } },
    async (request) => opts.reports.review(requireActor(request), id(request)),
  );
  app.get(
    '/api/v1/reports/:id/warnings',
    { schema: { tags, summary: 'Possible duplicates the approver must confirm', params: idParams } },
    async (request) => ({
      items: await opts.reports.warnings(requireActor(request), id(request)),
    }),
  );
  app.post(
    '/api/v1/reports/:id/check',
    {
      schema: {
        tags,
        summary:
          'A dry run of the approval on a draft or submitted report: the problems and warnings the approval would give, with nothing written',
        params: idParams,
      },
    },
    async (request) => {
      const result = await opts.reports.check(requireActor(request), id(request));
      return {
        problems: result.problems
          .flatMap((p) => [p, ...p.others])
          .map((p) => problemEntry(p, request.locale)),
        warnings: result.warnings,
      };
    },
  );
  app.post(
    '/api/v1/reports/:id/approve',
    {
      schema: {
        tags,
        summary: 'Approve and apply a report; confirm each duplicate warning by id',
        params: idParams,
        body: Type.Optional(Type.Object({ confirmWarnings: Type.Optional(Type.Array(Type.String())) })),
      },
    },
    async (request) =>
      opts.reports.approve(requireActor(request), id(request), request.body?.confirmWarnings),
  );
  app.post(
    '/api/v1/reports/:id/reject',
    {
      schema: {
        tags,
        summary: 'Reject a report with a reason',
        params: idParams,
        body: Type.Object({
          reason: Type.Optional(Type.String({ description: 'Why the report is sent back (required)' })),
        }),
      },
    },
    async (request) => opts.reports.reject(requireActor(request), id(request), request.body.reason),
  );

  const attachmentParams = Type.Object({
    id: Type.String({ format: 'uuid' }),
    attachmentId: Type.String({ format: 'uuid' }),
  });
  app.get(
    '/api/v1/reports/:id/attachments',
    { schema: { tags, summary: 'Photos and documents attached to a report', params: idParams } },
    async (request) => ({
      items: await opts.reportAttachments.list(requireActor(request), id(request)),
    }),
  );
  app.post(
    '/api/v1/reports/:id/attachments',
    {
      schema: {
        tags,
        summary:
          'Attach a photo or document to a draft or rejected report (multipart/form-data, one file, or JSON {uploadId} of a complete resumable upload, attached once); it follows the records the report creates or changes when approved',
        params: idParams,
        consumes: ['multipart/form-data', 'application/json'],
      },
      config: {
        authorise: (request) =>
          opts.reports.authorise(requireActor(request), pathParam(request, 'id'), 'edit'),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      if (!request.isMultipart() && opts.uploads && request.body && typeof request.body === 'object') {
        const { attachment, replay } = await opts.uploads.attach(
          actor,
          id(request),
          (request.body as { uploadId?: unknown }).uploadId,
        );
        return reply.status(replay ? 200 : 201).send(attachment);
      }
      if (!request.isMultipart()) throw new Problem('request.media_type', {}, { pointer: '' });
      for await (const part of request.parts()) {
        if (part.type === 'field') continue;
        const stored = await opts.reportAttachments.store(actor, id(request), {
          filename: part.filename,
          mediaType: part.mimetype || 'application/octet-stream',
          content: part.file,
        });
        return reply.status(201).send(stored);
      }
      throw new Problem('validation.required', { field: 'file' }, { pointer: '/file' });
    },
  );
  app.get(
    '/api/v1/reports/:id/attachments/:attachmentId/content',
    { schema: { tags, summary: "Download one of a report's attachments", params: attachmentParams } },
    async (request, reply) => {
      const { row, stream } = await opts.reportAttachments.open(
        requireActor(request),
        request.params.id,
        request.params.attachmentId,
      );
      reply
        .header('content-type', row.mediaType)
        .header('content-length', row.sizeBytes)
        .header('digest', `sha-256=${Buffer.from(row.sha256, 'hex').toString('base64')}`)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(row.filename)}`);
      return reply.send(stream);
    },
  );
  app.delete(
    '/api/v1/reports/:id/attachments/:attachmentId',
    {
      schema: {
        tags,
        summary: 'Remove an attachment from a draft or rejected report',
        params: attachmentParams,
      },
      config: {
        authorise: (request) =>
          opts.reports.authorise(requireActor(request), pathParam(request, 'id'), 'edit'),
      },
    },
    async (request, reply) => {
      await opts.reportAttachments.remove(
        requireActor(request),
        request.params.id,
        request.params.attachmentId,
      );
      return reply.status(204).send();
    },
  );
}
