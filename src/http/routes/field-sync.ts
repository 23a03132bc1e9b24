import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Problem } from '../../domain/problem.ts';
import type { DeviceService } from '../../services/devices.ts';
import {
  DEFAULT_SYNC_LIMIT,
  type FieldSyncService,
  MAX_SYNC_LIMIT,
  parseSyncArea,
  SYNC_REGISTERS,
} from '../../services/field-sync.ts';
import type { UploadService } from '../../services/uploads.ts';
import { requireActor } from '../plugins/auth.ts';
import { ProblemSchema, type TypedRequests } from '../schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Uuid = Type.String({ format: 'uuid' });
const Count = Type.Integer({ minimum: 0, maximum: 1_000_000 });

const AreaSchema = Type.Union([
  Type.Object({ adminAreaId: Uuid }, { additionalProperties: false }),
  Type.Object(
    {
      bbox: Type.Array(Type.Number(), {
        minItems: 4,
        maxItems: 4,
        description: 'west, south, east, north (WGS 84 degrees)',
      }),
    },
    { additionalProperties: false },
  ),
]);

const DeviceSchema = Type.Object({
  id: Uuid,
  userId: Uuid,
  userEmail: Type.Optional(Type.String()),
  userName: Type.Optional(Nullable(Type.String())),
  label: Type.String(),
  appVersion: Type.String(),
  area: AreaSchema,
  pending: Type.Integer(),
  sent: Type.Integer(),
  refused: Type.Integer(),
  registeredAt: Type.String(),
  lastSyncAt: Nullable(Type.String()),
  revokedAt: Nullable(Type.String()),
});

const UploadSchema = Type.Object({
  id: Uuid,
  clientId: Uuid,
  fileName: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  offset: Type.Integer(),
  complete: Type.Boolean(),
});

const FeatureSchema = Type.Object({
  type: Type.Literal('Feature'),
  id: Uuid,
  geometry: Type.Unknown(),
  properties: Type.Record(Type.String(), Type.Unknown()),
});

const AreaPageSchema = Type.Object({
  cursor: Type.String({ description: 'Keep once every page is read; send it as `since` next time' }),
  next: Type.Optional(Type.String({ description: 'More pages: send it as `since` for the next one' })),
  registers: Type.Object(
    Object.fromEntries(
      SYNC_REGISTERS.map((slug) => [
        slug,
        Type.Object({ upserts: Type.Array(FeatureSchema), removed: Type.Array(Uuid) }),
      ]),
    ),
  ),
});

/** Field sync: resumable uploads, devices, and the area feed (docs/field-sync.md). */
export async function fieldSyncRoutes(
  instance: FastifyInstance,
  opts: { uploads: UploadService; devices: DeviceService; sync: FieldSyncService; uploadLimit: number },
) {
  const app = instance.withTypeProvider<TypedRequests>();
  const errors = {
    400: ProblemSchema,
    401: ProblemSchema,
    403: ProblemSchema,
    404: ProblemSchema,
    409: ProblemSchema,
  };
  const idParams = Type.Object({ id: Uuid });

  // A chunk of a resumable upload arrives whole (up to the upload limit) as a Buffer.
  app.addContentTypeParser(
    'application/offset+octet-stream',
    { parseAs: 'buffer', bodyLimit: opts.uploadLimit },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/api/v1/uploads',
    {
      schema: {
        tags: ['field sync'],
        summary:
          'Begin a resumable upload (201), or find the one begun with this clientId (200) with its current offset',
        body: Type.Object(
          {
            clientId: Uuid,
            fileName: Type.String({ minLength: 1, maxLength: 300 }),
            contentType: Type.String({ minLength: 1, maxLength: 200 }),
            size: Type.Integer({ minimum: 0 }),
            sha256: Type.String({ description: 'SHA-256 of the whole file, 64 lowercase hex digits' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: UploadSchema, 201: UploadSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { upload, created } = await opts.uploads.begin(
        requireActor(request),
        request.body,
        opts.uploadLimit,
      );
      reply.header('upload-offset', String(upload.offset)).header('upload-length', String(upload.size));
      return reply.status(created ? 201 : 200).send(upload);
    },
  );

  app.head(
    '/api/v1/uploads/:id',
    {
      schema: {
        tags: ['field sync'],
        summary: 'The offset an upload has reached (Upload-Offset)',
        params: idParams,
      },
    },
    async (request, reply) => {
      const upload = await opts.uploads.get(requireActor(request), request.params.id);
      return reply
        .header('upload-offset', String(upload.offset))
        .header('upload-length', String(upload.size))
        .header('cache-control', 'no-store')
        .status(200)
        .send();
    },
  );

  app.get(
    '/api/v1/uploads/:id',
    {
      schema: {
        tags: ['field sync'],
        summary: 'One of my uploads',
        params: idParams,
        response: { 200: UploadSchema, ...errors },
      },
    },
    async (request, reply) => {
      const upload = await opts.uploads.get(requireActor(request), request.params.id);
      reply.header('upload-offset', String(upload.offset)).header('cache-control', 'no-store');
      return upload;
    },
  );

  app.patch(
    '/api/v1/uploads/:id',
    {
      schema: {
        tags: ['field sync'],
        summary:
          'Send a chunk (Content-Type: application/offset+octet-stream) at Upload-Offset; 204 with the new Upload-Offset (409 upload.offset when it is not the current one)',
        params: idParams,
        consumes: ['application/offset+octet-stream'],
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const header = request.headers['upload-offset'];
      const sent =
        typeof header === 'string' && /^\d{1,15}$/.test(header.trim()) ? Number(header) : Number.NaN;
      if (Number.isNaN(sent))
        throw new Problem('upload.offset_required', {}, { pointer: '', field: 'Upload-Offset' });
      if (!Buffer.isBuffer(request.body)) throw new Problem('request.media_type', {}, { pointer: '' });
      const upload = await opts.uploads.append(actor, request.params.id, sent, request.body);
      return reply
        .header('upload-offset', String(upload.offset))
        .header('upload-length', String(upload.size))
        .header('upload-complete', upload.complete ? 'true' : 'false')
        .status(204)
        .send();
    },
  );

  app.post(
    '/api/v1/devices',
    {
      schema: {
        tags: ['field sync'],
        summary: "Register the caller's device (201), or update its label, app version and area (200)",
        body: Type.Object(
          {
            id: Uuid,
            label: Type.String({ minLength: 1, maxLength: 200 }),
            appVersion: Type.String({ minLength: 1, maxLength: 50 }),
            area: AreaSchema,
          },
          { additionalProperties: false },
        ),
        response: { 200: DeviceSchema, 201: DeviceSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { device, created } = await opts.devices.register(requireActor(request), request.body);
      return reply.status(created ? 201 : 200).send(device);
    },
  );

  app.put(
    '/api/v1/devices/:id/status',
    {
      schema: {
        tags: ['field sync'],
        summary: "Record a device's last sync: its app version and its pending, sent and refused reports",
        params: idParams,
        body: Type.Object(
          {
            appVersion: Type.String({ minLength: 1, maxLength: 50 }),
            pending: Count,
            sent: Count,
            refused: Count,
          },
          { additionalProperties: false },
        ),
        response: { 200: DeviceSchema, ...errors },
      },
    },
    async (request) => opts.devices.status(requireActor(request), request.params.id, request.body),
  );

  app.get(
    '/api/v1/devices',
    {
      schema: {
        tags: ['field sync'],
        summary: "Devices: an administrator sees every user's, others their own",
        response: { 200: Type.Object({ items: Type.Array(DeviceSchema) }), ...errors },
      },
    },
    async (request) => ({ items: await opts.devices.list(requireActor(request)) }),
  );

  app.post(
    '/api/v1/devices/:id/revoke',
    {
      schema: {
        tags: ['field sync'],
        summary:
          'Revoke a device (administrators): every later request naming it (X-Safeground-Device) is refused with device.revoked',
        params: idParams,
        response: { 200: DeviceSchema, ...errors },
      },
    },
    async (request) => opts.devices.revoke(requireActor(request), request.params.id),
  );

  app.get(
    '/api/v1/sync/area',
    {
      schema: {
        tags: ['field sync'],
        summary:
          'The data of an area for a device: everything (no since), or what changed after a cursor; paged (next)',
        querystring: Type.Object({
          adminAreaId: Type.Optional(Type.String({ description: 'the area: an admin area' })),
          bbox: Type.Optional(Type.String({ description: 'or a box: west,south,east,north' })),
          since: Type.Optional(
            Type.String({ description: 'the cursor of the last sync, or the next token of this one' }),
          ),
          limit: Type.Optional(
            Type.String({
              description: `records per page, 1–${MAX_SYNC_LIMIT} (default ${DEFAULT_SYNC_LIMIT})`,
            }),
          ),
        }),
        response: { 200: AreaPageSchema, ...errors },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const q = request.query;
      const limit =
        q.limit === undefined ? DEFAULT_SYNC_LIMIT : /^\d{1,5}$/.test(q.limit) ? Number(q.limit) : 0;
      if (limit < 1 || limit > MAX_SYNC_LIMIT)
        throw new Problem(
          'validation.range',
          { field: 'limit', value: q.limit ?? '', rule: 'between', limit: `1–${MAX_SYNC_LIMIT}` },
          { pointer: '/limit', field: 'limit' },
        );
      const page = await opts.sync.area(actor, parseSyncArea(q), q.since, limit);
      reply.header('cache-control', 'no-store');
      return page;
    },
  );
}
