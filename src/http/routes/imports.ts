import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Settings } from '../../config.ts';
import type { Database } from '../../db/connect.ts';
import {
  failInterruptedImportJobs,
  type ImportJobRow,
  importJobById,
  importJobRejects,
  insertImportJob,
  updateImportJob,
} from '../../db/repositories/imports.ts';
import { IMPORT_REGISTERS } from '../../domain/exchange.ts';
import { isProblem, Problem } from '../../domain/problem.ts';
import { t } from '../../i18n/catalogue.ts';
import { type Mapping, parseMapping, rejectsCsv } from '../../io/index.ts';
import { type Actor, assertCan } from '../../services/actor.ts';
import { tokenHash } from '../../services/auth.ts';
import { exportableRegister } from '../../services/exports.ts';
import {
  type ImportProgress,
  importableRegister,
  SUMMARY_REJECTS_MAX,
  summaryLine,
} from '../../services/imports.ts';
import type { Services } from '../../services/index.ts';
import { authenticateRequest, requestToken, requireActor } from '../plugins/auth.ts';
import { ProblemSchema } from '../schemas.ts';
import { ListQuerySchema, parseFilterQuery } from './registers.ts';

/**
 * Imports over HTTP: the upload starts a job that runs in the background; the client polls it
 * for progress and the summary, then may download the rejects file. Exports: a register as a
 * file, with the list API's filters.
 *
 * Live state of running jobs is kept in memory: on the embedded database the import's
 * transaction holds the one connection until it ends, so the job row is written when the job
 * starts and when it ends, and polls of a running job are answered from here.
 */
/**
 * A job running in this process. Its progress is answered from here, and to the session that
 * started it without signing the poll in against the database: on the embedded database the
 * import holds the one connection until it ends, and the page must still see it move.
 */
interface LiveJob {
  status: ImportJobRow['status'];
  progress: ImportProgress;
  row: ImportJobRow;
  /** SHA-256 of the token or session cookie that started the job. */
  watcher: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

interface Upload {
  dir: string;
  path: string;
  filename: string;
  mapping?: Mapping;
}

/** Saves the uploaded file in a temporary folder: multipart (`file`, optional `mapping`), a raw body, or a GeoJSON document. */
async function receiveUpload(request: FastifyRequest): Promise<Upload> {
  const dir = await mkdtemp(join(tmpdir(), 'safeground-import-'));
  try {
    if (request.isMultipart()) {
      let upload: Upload | undefined;
      let mapping: Mapping | undefined;
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
  app: FastifyInstance,
  opts: { database: Database; services: Services; settings: Pick<Settings, 'maxUploadBytes'> },
) {
  const database = opts.database;
  const imports = opts.services.imports;
  const exporter = opts.services.exports;
  const live = new Map<string, LiveJob>();
  const uploadLimit = opts.settings.maxUploadBytes;
  await failInterruptedImportJobs(database.db);

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

  const present = (job: ImportJobRow) => {
    const now = live.get(job.id);
    return {
      id: job.id,
      register: job.register,
      filename: job.filename,
      options: job.options,
      status: now?.status ?? job.status,
      progress: now?.progress ?? job.progress,
      result: job.result,
      error: job.error,
      createdAt: job.createdAt,
      links: { self: `/api/v1/imports/${job.id}`, rejects: `/api/v1/imports/${job.id}/rejects.csv` },
    };
  };

  /** A job the actor may see: their own, or any for administrators. */
  const loadJob = async (actor: Actor, id: string): Promise<ImportJobRow> => {
    assertCan(actor, 'data.import');
    const job = UUID.test(id) ? await importJobById(database.db, id) : undefined;
    if (!job || (job.createdBy !== actor.id && actor.role !== 'admin')) {
      throw new Problem('record.not_found', { entity: 'import_job', id }, { pointer: '' });
    }
    return job;
  };

  const run = async (
    job: ImportJobRow,
    actor: Actor,
    upload: Upload,
    options: { repair: boolean; strict: boolean; dryRun: boolean; crs?: string },
  ) => {
    const state: LiveJob = live.get(job.id) ?? {
      status: 'running',
      progress: { read: 0 },
      row: job,
      watcher: null,
    };
    state.status = 'running';
    live.set(job.id, state);
    try {
      await updateImportJob(database.db, job.id, { status: 'running' });
      const summary = await imports.importFile(
        actor,
        { path: upload.path },
        {
          register: job.register,
          mapping: upload.mapping,
          ...options,
          locale: job.locale,
          sourceName: upload.filename,
          onProgress: (p) => {
            state.progress = p;
          },
        },
      );
      const { rejects, ...rest } = summary;
      const result = {
        ...rest,
        line: summaryLine(summary, job.locale),
        rejects: rejects.slice(0, SUMMARY_REJECTS_MAX),
        rejectLines: rejects.length,
      };
      await updateImportJob(database.db, job.id, {
        status: 'done',
        progress: state.progress,
        result,
        rejectsCsv: rejectsCsv(rejects),
      });
    } catch (err) {
      const error = isProblem(err)
        ? {
            code: err.code,
            message: t(err.code, { ...err.params, ...err.where }, job.locale),
            params: err.params,
          }
        : {
            code: 'import.job.failed',
            message: t(
              'import.job.failed',
              { message: err instanceof Error ? err.message : String(err) },
              job.locale,
            ),
          };
      if (!isProblem(err)) app.log.error({ err }, 'import job failed');
      await updateImportJob(database.db, job.id, { status: 'failed', progress: state.progress, error }).catch(
        () => undefined,
      );
    } finally {
      live.delete(job.id);
      await rm(upload.dir, { recursive: true, force: true });
    }
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
      assertCan(actor, 'data.import');
      const query = request.query as Record<string, string | undefined>;
      const def = importableRegister(query.as ?? '');
      const options = {
        repair: flag(query, 'repair'),
        strict: flag(query, 'strict'),
        dryRun: flag(query, 'dryRun'),
        ...(query.crs ? { crs: query.crs } : {}),
      };
      const upload = await receiveUpload(request);
      const job = await insertImportJob(database.db, {
        register: def.slug,
        filename: upload.filename,
        options: { ...options, mapping: upload.mapping ?? null },
        locale: request.locale,
        createdBy: actor.id,
      });
      const sent = requestToken(request);
      live.set(job.id, {
        status: 'queued',
        progress: { read: 0 },
        row: job,
        watcher: sent ? tokenHash(sent.token) : null,
      });
      setImmediate(() => void run(job, actor, upload, options));
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
      const id = (request.params as { id: string }).id;
      const running = live.get(id);
      const sent = requestToken(request);
      if (running?.watcher && sent && tokenHash(sent.token) === running.watcher) return present(running.row);
      await authenticateRequest(database, request);
      return present(await loadJob(requireActor(request), id));
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
      const actor = requireActor(request);
      const job = await loadJob(actor, (request.params as { id: string }).id);
      const csv = (await importJobRejects(database.db, job.id)) ?? rejectsCsv([]);
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="rejects-${job.id}.csv"`);
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
      const { as, format, ...query } = request.query as Record<string, string | undefined>;
      const def = exportableRegister(as ?? '');
      const filter = parseFilterQuery(def, query);
      const file = await exporter.open(actor, def.slug, format ?? '', filter);
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
