import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../db/connect.ts';
import { IMPORT_REGISTERS } from '../../domain/exchange.ts';
import { Problem } from '../../domain/problem.ts';
import { parseMapping } from '../../io/index.ts';
import { tokenHash } from '../../services/auth.ts';
import { type ExportService, exportableRegister } from '../../services/exports.ts';
import type { ImportJobService, ImportJobView, ImportUpload } from '../../services/import-jobs.ts';
import { parseFilterQuery } from '../../services/list-query.ts';
import { authenticateRequest, requestToken, requireActor } from '../plugins/auth.ts';
import { ProblemSchema, type TypedRequests } from '../schemas.ts';
import { ListQuerySchema } from './registers.ts';

/**
 * Imports over HTTP: the upload starts a job that runs in the background (src/services/
 * import-jobs.ts); the client polls it for progress and the summary, then may download the
 * rejects file. Exports: a register as a file, with the list API's filters.
 */
function flag(query: Record<string, string | undefined>, name: string): boolean {
  const v = query[name];
  if (v === undefined || v === '' || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw new Problem(
    'import.option.invalid',
    { option: name, value: v },
    { pointer: `/${name}`, field: name },
  );
}

/** Saves the uploaded file in a temporary folder: multipart (`file`, optional `mapping`), a raw body, or a GeoJSON document. */
async function receiveUpload(request: FastifyRequest): Promise<ImportUpload> {
  const dir = await mkdtemp(join(tmpdir(), 'safeground-import-'));
  try {
    if (request.isMultipart()) {
      let upload: ImportUpload | undefined;
      let mapping: ImportUpload['mapping'];
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          const filename = basename(part.filename || 'upload');
          const path = join(dir, filename);
          await pipeline(part.file, createWriteStream(path));
          upload = { dir, path, filename };
        } else if (
          part.fieldname === 'mapping' &&
          typeof part.value === 'string' &&
          part.value.trim() !== ''
        ) {
          mapping = parseMapping(part.value);
        }
      }
      if (!upload) throw new Problem('import.upload.missing', {}, { pointer: '/file', field: 'file' });
      return { ...upload, mapping };
    }
    const body = request.body;
    const bytes = Buffer.isBuffer(body)
      ? body
      : typeof body === 'string'
        ? Buffer.from(body, 'utf8')
        : undefined;
    if (!bytes || bytes.length === 0)
      throw new Problem('import.upload.missing', {}, { pointer: '', field: 'file' });
    const contentType = String(request.headers['content-type'] ?? '');
    const header = request.headers['x-filename'];
    const disposition = /filename="?([^";]+)"?/i.exec(
      String(request.headers['content-disposition'] ?? ''),
    )?.[1];
    const named = (Array.isArray(header) ? header[0] : header) ?? disposition;
    const filename = basename(
      named ? decodeURIComponent(named) : /json/.test(contentType) ? 'upload.geojson' : 'upload',
    );
    const path = join(dir, filename);
    await writeFile(path, bytes);
    return { dir, path, filename };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

export async function importRoutes(
  instance: FastifyInstance,
  opts: { database: Database; jobs: ImportJobService; exports: ExportService; uploadLimit: number },
) {
  const app = instance.withTypeProvider<TypedRequests>();
  const { jobs, exports: exporter, uploadLimit } = opts;

  // Uploads arrive as raw bytes (this plugin's own parsers; multipart keeps its own).
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: uploadLimit }, (_request, body, done) =>
    done(null, body),
  );

  const tags = ['imports'];
  const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };
  const jobSchema = Type.Object({
    id: Type.String({ format: 'uuid' }),
    register: Type.String(),
    filename: Type.String(),
    status: Type.Enum(['queued', 'running', 'done', 'failed']),
    progress: Type.Object({
      read: Type.Integer(),
      total: Type.Optional(Type.Integer()),
      percent: Type.Optional(Type.Number()),
    }),
    result: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
    error: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  });

  const present = (job: ImportJobView) => ({
    ...job,
    links: { self: `/api/v1/imports/${job.id}`, rejects: `/api/v1/imports/${job.id}/rejects.csv` },
  });
  const watcherOf = (request: FastifyRequest) => {
    const sent = requestToken(request);
    return sent ? tokenHash(sent.token) : null;
  };

  app.post(
    '/api/v1/imports',
    {
      bodyLimit: uploadLimit,
      schema: {
        tags,
        summary: 'Upload a file to import into a register; answers 202 with the job to poll',
        description:
          'The file is the raw request body (name it with an X-Filename header), or the multipart field "file" (with an optional field "mapping" holding the mapping JSON), or a GeoJSON document sent as application/json.',
        querystring: Type.Object({
          as: Type.Enum([...IMPORT_REGISTERS]),
          repair: Type.Optional(
            Type.String({ description: 'true: repair invalid polygons with ST_MakeValid' }),
          ),
          strict: Type.Optional(
            Type.String({ description: 'true: import nothing if any feature is rejected' }),
          ),
          dryRun: Type.Optional(Type.String({ description: 'true: validate and report, write nothing' })),
          crs: Type.Optional(Type.String({ description: 'CRS of the coordinates, e.g. EPSG:32638' })),
        }),
        response: { 202: jobSchema, ...errors },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const query = request.query;
      jobs.authorise(actor, query.as);
      const options = {
        repair: flag(query, 'repair'),
        strict: flag(query, 'strict'),
        dryRun: flag(query, 'dryRun'),
        ...(query.crs ? { crs: query.crs } : {}),
      };
      const upload = await receiveUpload(request);
      const job = await jobs.start(actor, query.as, upload, options, {
        locale: request.locale,
        watcher: watcherOf(request),
      });
      reply.header('location', `/api/v1/imports/${job.id}`);
      return reply.status(202).send(present(job));
    },
  );

  app.get(
    '/api/v1/imports/:id',
    {
      schema: {
        tags,
        summary: 'An import job: status, progress and, when done, the summary',
        params: Type.Object({ id: Type.String() }),
        response: { 200: jobSchema, ...errors },
      },
      config: { deferAuth: true },
    },
    async (request) => {
      const running = jobs.watched(request.params.id, watcherOf(request));
      if (running) return present(running);
      await authenticateRequest(opts.database, request);
      return present(await jobs.job(requireActor(request), request.params.id));
    },
  );

  app.get(
    '/api/v1/imports/:id/rejects.csv',
    {
      schema: {
        tags,
        summary: 'Every fault of a finished import: index, row, field, code, message',
        params: Type.Object({ id: Type.String() }),
      },
    },
    async (request, reply) => {
      const { id, csv } = await jobs.rejects(requireActor(request), request.params.id);
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="rejects-${id}.csv"`);
      return reply.send(csv);
    },
  );

  app.get(
    '/api/v1/exports',
    {
      schema: {
        tags: ['exports'],
        summary:
          'A register as a file (geojson, csv, gpkg, kml, shp, xlsx), with the filters of the list API',
        querystring: Type.Object(
          { ...ListQuerySchema.properties, as: Type.String(), format: Type.String() },
          { additionalProperties: true },
        ),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { as, format, ...query } = request.query;
      const def = exportableRegister(as);
      const filter = parseFilterQuery(def, query);
      const file = await exporter.open(actor, def.slug, format, filter);
      if (filter.asAt) reply.header('as-at', filter.asAt);
      reply
        .header('content-type', file.mediaType)
        .header('content-disposition', `attachment; filename="${file.filename}"`);
      // Text formats go out as they are read; the others are built whole and carry their count.
      if (file.streamed) return reply.send(Readable.from(file.chunks));
      const parts: Uint8Array[] = [];
      for await (const c of file.chunks) parts.push(c);
      reply.header('x-record-count', String(file.count()));
      return reply.send(Buffer.concat(parts));
    },
  );
}
