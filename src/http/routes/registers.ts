import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Problem } from '../../domain/problem.ts';
import {
  AreaGeometry,
  commonFields,
  PointGeometry,
  REGISTERS,
  type RegisterDef,
} from '../../domain/records.ts';
import type { ExportService } from '../../services/exports.ts';
import {
  ADMIN_AREA_COLUMN,
  encodeCursor,
  isUuid,
  MAX_LIST_LIMIT,
  parseAsAt,
  parseListQuery,
} from '../../services/list-query.ts';
import type { RegisterService } from '../../services/registers.ts';
import { pathParam } from '../input.ts';
import { requireActor } from '../plugins/auth.ts';
import { checkedByService, ProblemSchema, type TypedRequests } from '../schemas.ts';

export const AS_AT_DESCRIPTION =
  'YYYY-MM-DD: the records as they stood at the end of that day (changes approved by then whose ' +
  'date of information is not after it); not in the future';

export const ListQuerySchema = Type.Object(
  {
    bbox: Type.Optional(Type.String({ description: 'minLon,minLat,maxLon,maxLat (WGS 84)' })),
    asAt: Type.Optional(Type.String({ description: AS_AT_DESCRIPTION })),
    status: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    category: Type.Optional(Type.String()),
    outcome: Type.Optional(Type.String()),
    organisation: Type.Optional(Type.String({ format: 'uuid' })),
    hazard: Type.Optional(Type.String({ format: 'uuid' })),
    activity: Type.Optional(Type.String({ format: 'uuid' })),
    accident: Type.Optional(Type.String({ format: 'uuid' })),
    adminArea: Type.Optional(
      Type.String({ format: 'uuid', description: 'Records intersecting this admin area' }),
    ),
    from: Type.Optional(Type.String({ format: 'date' })),
    to: Type.Optional(Type.String({ format: 'date' })),
    manufacturedFrom: Type.Optional(
      Type.String({ description: 'Findings: year of manufacture at least this (e.g. 2021)' }),
    ),
    q: Type.Optional(Type.String({ description: 'Free text (code, name, description …)' })),
    sort: Type.Optional(Type.String({ description: 'Field to sort on; prefix - for descending' })),
    limit: Type.Optional(Type.String({ description: `Page size, 1–${MAX_LIST_LIMIT} (default 100)` })),
    cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
    archived: Type.Optional(Type.String({ description: 'true to include archived records' })),
    format: Type.Optional(Type.Enum(['json', 'csv'])),
    count: Type.Optional(
      Type.String({ description: 'true: the answer carries `total`, the records the filters match' }),
    ),
  },
  { additionalProperties: true },
);

export function parseId(id: string, def: RegisterDef): string {
  if (!isUuid(id)) throw new Problem('record.not_found', { entity: def.entity, id }, { pointer: '' });
  return id;
}

/** Reads `If-Match: "3"` (or W/"3", or 3); a write without it is refused with 428. */
export function parseIfMatch(header: string | undefined): number {
  if (!header) throw new Problem('record.precondition_required', {}, { pointer: '' });
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!m) throw new Problem('record.precondition_required', {}, { pointer: '' });
  return Number(m[1]);
}

/** The API form of a record: a GeoJSON Feature for registers with geometry, else the record itself. */
export function present(def: RegisterDef, record: Record<string, unknown>) {
  const { archivedAt: _a, ...rest } = record;
  if (!def.geometry) return rest;
  const { geometry, ...properties } = rest;
  return { type: 'Feature', id: record.id, geometry: geometry ?? null, properties };
}

export function featureSchema(def: RegisterDef) {
  const geometry = def.geometry?.kind === 'Point' ? PointGeometry : AreaGeometry;
  return Type.Object({
    type: Type.Literal('Feature'),
    geometry: def.geometry?.required ? geometry : Type.Union([geometry, Type.Null()]),
    properties: def.fields,
  });
}

function recordSchema(def: RegisterDef) {
  const out = Type.Object({ ...commonFields, ...def.fields.properties, ...def.readOnly });
  if (!def.geometry) return out;
  return Type.Object({
    type: Type.Literal('Feature'),
    id: Type.String({ format: 'uuid' }),
    geometry: def.geometry.kind === 'Point' ? PointGeometry : AreaGeometry,
    properties: out,
  });
}

/** A record in a list: the record, and for registers with a geometry the admin area it lies in. */
function listItemSchema(def: RegisterDef) {
  if (!def.geometry) return recordSchema(def);
  const properties = Type.Object({
    ...commonFields,
    ...def.fields.properties,
    ...def.readOnly,
    [ADMIN_AREA_COLUMN]: Type.Union([Type.String(), Type.Null()], {
      description: 'Name of the lowest admin area the record lies in (null outside every one)',
    }),
  });
  return Type.Object({
    type: Type.Literal('Feature'),
    id: Type.String({ format: 'uuid' }),
    geometry: def.geometry.kind === 'Point' ? PointGeometry : AreaGeometry,
    properties,
  });
}

export async function registerRoutes(
  instance: FastifyInstance,
  opts: { registers: ReadonlyMap<string, RegisterService>; exports: ExportService },
) {
  const app = instance.withTypeProvider<TypedRequests>();
  for (const def of REGISTERS) {
    const service = opts.registers.get(def.slug)!;
    const base = `/api/v1/${def.slug}`;
    const tags = [def.slug];
    const bodySchema = def.geometry ? featureSchema(def) : def.fields;
    const one = recordSchema(def);
    const idParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
    const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };
    const writeOne = (request: FastifyRequest) =>
      service.authoriseWrite(requireActor(request), parseId(pathParam(request, 'id'), def));

    app.get(
      base,
      {
        schema: {
          tags,
          summary: `List ${def.slug}`,
          querystring: ListQuerySchema,
          response: {
            200: def.geometry
              ? Type.Object({
                  type: Type.Literal('FeatureCollection'),
                  features: Type.Array(listItemSchema(def)),
                  nextCursor: Type.Union([Type.String(), Type.Null()]),
                  total: Type.Optional(Type.Integer()),
                  asAt: Type.Optional(Type.String({ format: 'date' })),
                })
              : Type.Object({
                  items: Type.Array(one),
                  nextCursor: Type.Union([Type.String(), Type.Null()]),
                  total: Type.Optional(Type.Integer()),
                  asAt: Type.Optional(Type.String({ format: 'date' })),
                }),
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const parsed = parseListQuery(def, request.query);
        if (parsed.asAt) reply.header('as-at', parsed.asAt);
        if (request.query.format === 'csv' || (request.headers.accept ?? '').startsWith('text/csv')) {
          // The list as a file: every record the filters match, written by the export's CSV writer.
          const { sort: _s, sortField: _f, descending: _d, limit: _l, after: _a, ...filter } = parsed;
          const file = await opts.exports.open(actor, def.slug, 'csv', filter);
          reply
            .header('content-type', file.mediaType)
            .header('content-disposition', `attachment; filename="${file.filename}"`);
          return reply.send(Readable.from(file.chunks));
        }
        if (def.geometry && !parsed.asAt) {
          // Today's features as JSON text, with the same bytes as the object answer below.
          const { asAt: _at, ...query } = parsed;
          const page = await service.listFeatureJson(actor, query);
          const nextCursor = page.next ? encodeCursor(parsed.sort, page.next) : null;
          const { sort: _s, sortField: _f, descending: _d, limit: _l, after: _a, ...filter } = parsed;
          const total = request.query.count === 'true' ? await service.count(actor, filter) : undefined;
          reply.header('content-type', 'application/json; charset=utf-8');
          return reply.send(
            `{"type":"FeatureCollection","features":[${page.features.join(',')}],"nextCursor":${JSON.stringify(nextCursor)}${total === undefined ? '' : `,"total":${total}`}}`,
          );
        }
        const page = await service.list(actor, parsed);
        const nextCursor = page.next ? encodeCursor(parsed.sort, page.next) : null;
        const items = page.records.map((r) => present(def, r));
        // The count of every record the filters match, on request (it costs a second query).
        const { sort: _s, sortField: _f, descending: _d, limit: _l, after: _a, ...filter } = parsed;
        const total = request.query.count === 'true' ? { total: await service.count(actor, filter) } : {};
        const asAt = parsed.asAt ? { asAt: parsed.asAt } : {};
        return def.geometry
          ? { type: 'FeatureCollection', features: items, nextCursor, ...total, ...asAt }
          : { items, nextCursor, ...total, ...asAt };
      },
    );

    app.get(
      `${base}/:id`,
      {
        schema: {
          tags,
          summary: `Get one of ${def.slug}`,
          params: idParams,
          querystring: Type.Object({
            identity: Type.Optional(
              Type.String({
                description: 'true: include protected identity fields (roles that may read them)',
              }),
            ),
            asAt: Type.Optional(Type.String({ description: AS_AT_DESCRIPTION })),
          }),
          response: { 200: one, ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const id = parseId(request.params.id, def);
        const identity = request.query.identity === 'true';
        const asAt = parseAsAt(request.query.asAt);
        const record = await service.get(actor, id, { identity, asAt });
        if (asAt) reply.header('as-at', asAt);
        else reply.header('etag', `"${record.version}"`);
        // Personal data is kept by no browser or proxy cache.
        if (identity) reply.header('cache-control', 'no-store');
        return present(def, record);
      },
    );

    app.post(
      base,
      {
        schema: {
          tags,
          summary: `Create one of ${def.slug}`,
          body: checkedByService(bodySchema),
          response: { 201: one, ...errors },
        },
        config: { authorise: (request) => service.authoriseWrite(requireActor(request)) },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const record = await service.create(actor, request.body);
        reply.header('etag', `"${record.version}"`).header('location', `${base}/${record.id}`);
        return reply.status(201).send(present(def, record));
      },
    );

    app.patch(
      `${base}/:id`,
      {
        schema: {
          tags,
          summary: `Update one of ${def.slug} (If-Match: "<version>" required)`,
          params: idParams,
          headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
          body: checkedByService(Type.Partial(bodySchema)),
          response: { 200: one, ...errors, 412: ProblemSchema, 428: ProblemSchema },
        },
        config: { authorise: writeOne },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const id = parseId(request.params.id, def);
        const version = parseIfMatch(request.headers['if-match']);
        const record = await service.update(actor, id, version, request.body);
        reply.header('etag', `"${record.version}"`);
        return present(def, record);
      },
    );

    app.delete(
      `${base}/:id`,
      {
        schema: {
          tags,
          summary: `Archive one of ${def.slug} (If-Match required); archived records stay for history`,
          params: idParams,
          response: { 200: one, ...errors, 412: ProblemSchema, 428: ProblemSchema },
        },
        config: { authorise: writeOne },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const id = parseId(request.params.id, def);
        const version = parseIfMatch(request.headers['if-match']);
        const record = await service.archive(actor, id, version);
        reply.header('etag', `"${record.version}"`);
        return present(def, record);
      },
    );

    app.get(
      `${base}/:id/sources`,
      { schema: { tags, summary: `Sources (documents) supporting one of ${def.slug}`, params: idParams } },
      async (request) => {
        const actor = requireActor(request);
        const id = parseId(request.params.id, def);
        return { items: await service.sources(actor, id) };
      },
    );

    app.post(
      `${base}/:id/sources`,
      {
        schema: {
          tags,
          summary: `Link a source to one of ${def.slug}`,
          params: idParams,
          body: Type.Object({ sourceId: Type.String({ format: 'uuid' }) }),
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const id = parseId(request.params.id, def);
        await service.setSource(actor, id, request.body.sourceId, true);
        return reply.status(201).send({ items: await service.sources(actor, id) });
      },
    );

    app.delete(
      `${base}/:id/sources/:sourceId`,
      {
        schema: {
          tags,
          summary: `Unlink a source from one of ${def.slug}`,
          params: Type.Object({
            id: Type.String({ format: 'uuid' }),
            sourceId: Type.String({ format: 'uuid' }),
          }),
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const id = parseId(request.params.id, def);
        await service.setSource(actor, id, request.params.sourceId, false);
        return reply.status(204).send();
      },
    );

    app.get(
      `${base}/:id/history`,
      { schema: { tags, summary: `Change history of one of ${def.slug}`, params: idParams } },
      async (request) => {
        const actor = requireActor(request);
        const id = parseId(request.params.id, def);
        return { items: await service.history(actor, id) };
      },
    );
  }
}
