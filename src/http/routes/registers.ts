import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../db/connect.ts';
import { recordHistory } from '../../db/repositories/audit.ts';
import type { ListQuery } from '../../db/repositories/registers.ts';
import { Problem } from '../../domain/problem.ts';
import {
  AreaGeometry,
  commonFields,
  PointGeometry,
  REGISTERS,
  type RegisterDef,
} from '../../domain/records.ts';
import { withOthers } from '../../domain/schema-check.ts';
import { assertCan } from '../../services/actor.ts';
import type { RegisterService } from '../../services/registers.ts';
import { requireActor } from '../plugins/auth.ts';
import { ProblemSchema } from '../schemas.ts';

const MAX_LIMIT = 1000;
const CSV_MAX_ROWS = 1_000_000;

export const ListQuerySchema = Type.Object(
  {
    bbox: Type.Optional(Type.String({ description: 'minLon,minLat,maxLon,maxLat (WGS 84)' })),
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
    q: Type.Optional(Type.String({ description: 'Free text (code, name, description …)' })),
    sort: Type.Optional(Type.String({ description: 'Field to sort on; prefix - for descending' })),
    limit: Type.Optional(Type.String({ description: `Page size, 1–${MAX_LIMIT} (default 100)` })),
    cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
    archived: Type.Optional(Type.String({ description: 'true to include archived records' })),
    format: Type.Optional(Type.Enum(['json', 'csv'])),
  },
  { additionalProperties: true },
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseId(id: string, def: RegisterDef): string {
  if (!UUID.test(id)) throw new Problem('record.not_found', { entity: def.entity, id }, { pointer: '' });
  return id;
}

/** Reads `If-Match: "3"` (or W/"3", or 3); a write without it is refused with 428. */
export function parseIfMatch(header: string | undefined): number {
  if (!header) throw new Problem('record.precondition_required', {}, { pointer: '' });
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!m) throw new Problem('record.precondition_required', {}, { pointer: '' });
  return Number(m[1]);
}

function encodeCursor(sort: string, after: { value: unknown; id: string }): string {
  return Buffer.from(JSON.stringify({ s: sort, v: after.value, i: after.id })).toString('base64url');
}

function decodeCursor(cursor: string, sort: string): { value: unknown; id: string } {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (c.s !== sort || typeof c.i !== 'string' || !UUID.test(c.i)) throw new Error('mismatch');
    return { value: c.v, id: c.i };
  } catch {
    throw new Problem('validation.cursor', {}, { pointer: '/cursor', field: 'cursor' });
  }
}

/** The list filters of a query string without its paging and order (exports take every record). */
export function parseFilterQuery(
  def: RegisterDef,
  q: Record<string, string | undefined>,
): Omit<ListQuery, 'sortField' | 'descending' | 'limit' | 'after'> {
  const { sort: _s, sortField: _f, descending: _d, limit: _l, after: _a, ...filter } = parseListQuery(def, q);
  return filter;
}

/** Turns the query string into a repository query, with a problem per bad parameter. */
export function parseListQuery(
  def: RegisterDef,
  q: Record<string, string | undefined>,
): ListQuery & { sort: string } {
  const problems: Problem[] = [];
  const where = (field: string) => ({ pointer: `/${field}`, field });
  let bbox: ListQuery['bbox'];
  if (q.bbox) {
    const n = q.bbox.split(',').map(Number);
    if (
      n.length !== 4 ||
      n.some((x) => !Number.isFinite(x)) ||
      n[0]! > n[2]! ||
      n[1]! > n[3]! ||
      Math.abs(n[1]!) > 90 ||
      Math.abs(n[3]!) > 90
    ) {
      problems.push(new Problem('validation.bbox', { value: q.bbox }, where('bbox')));
    } else bbox = n as [number, number, number, number];
  }
  const equals: Array<[string, string]> = [];
  for (const [param, column] of Object.entries(def.filters.equals)) {
    const v = q[param];
    if (v !== undefined && v !== '') equals.push([column, v]);
  }
  for (const p of ['from', 'to'] as const) {
    if (q[p] && !DATE.test(q[p]!))
      problems.push(new Problem('validation.format', { field: p, value: q[p], format: 'date' }, where(p)));
  }
  if (q.adminArea && !UUID.test(q.adminArea)) {
    problems.push(
      new Problem(
        'validation.format',
        { field: 'adminArea', value: q.adminArea, format: 'uuid' },
        where('adminArea'),
      ),
    );
  }
  for (const [param, column] of Object.entries(def.filters.equals)) {
    if (column.endsWith('_id') && q[param] && !UUID.test(q[param]!)) {
      problems.push(
        new Problem('validation.format', { field: param, value: q[param], format: 'uuid' }, where(param)),
      );
    }
  }
  const sortRaw = q.sort ?? def.defaultSort;
  const descending = sortRaw.startsWith('-');
  const sortField = descending ? sortRaw.slice(1) : sortRaw;
  if (!def.sortable.includes(sortField)) {
    problems.push(
      new Problem('validation.sort', { value: sortRaw, allowed: def.sortable.join(', ') }, where('sort')),
    );
  }
  let limit = 100;
  if (q.limit !== undefined) {
    limit = Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      problems.push(
        new Problem(
          'validation.range',
          { field: 'limit', value: q.limit, rule: 'between', limit: `1–${MAX_LIMIT}` },
          where('limit'),
        ),
      );
    }
  }
  if (problems.length) throw withOthers(problems);
  return {
    bbox,
    equals,
    adminAreaId: q.adminArea,
    from: q.from,
    to: q.to,
    text: q.q?.trim() || undefined,
    sortField,
    descending,
    limit,
    after: q.cursor ? decodeCursor(q.cursor, sortRaw) : undefined,
    includeArchived: q.archived === 'true',
    sort: sortRaw,
  };
}

/** The API form of a record: a GeoJSON Feature for registers with geometry, else the record itself. */
export function present(def: RegisterDef, record: Record<string, unknown>) {
  const { archivedAt: _a, ...rest } = record;
  if (!def.geometry) return rest;
  const { geometry, ...properties } = rest;
  return { type: 'Feature', id: record.id, geometry: geometry ?? null, properties };
}

function csvColumns(def: RegisterDef): string[] {
  const fields = Object.keys(def.fields.properties).filter((f) => !(def.protectedFields ?? []).includes(f));
  const cols = [
    'id',
    'code' in def.readOnly ? 'code' : undefined,
    ...fields,
    ...Object.keys(def.readOnly).filter((k) => k !== 'code'),
    'version',
    'createdAt',
    'updatedAt',
  ];
  return cols.filter((c): c is string => c !== undefined);
}

function csvValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
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

export async function registerRoutes(
  app: FastifyInstance,
  opts: { database: Database; registers: Map<string, RegisterService> },
) {
  for (const def of REGISTERS) {
    const service = opts.registers.get(def.slug)!;
    const base = `/api/v1/${def.slug}`;
    const tags = [def.slug];
    const bodySchema = def.geometry ? featureSchema(def) : def.fields;
    const one = recordSchema(def);
    const idParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
    const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };

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
                  features: Type.Array(one),
                  nextCursor: Type.Union([Type.String(), Type.Null()]),
                })
              : Type.Object({ items: Type.Array(one), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const query = request.query as Record<string, string | undefined>;
        const parsed = parseListQuery(def, query);
        if (query.format === 'csv' || (request.headers.accept ?? '').startsWith('text/csv')) {
          return sendCsv(request, reply, def, service, parsed);
        }
        const page = await service.list(actor, parsed);
        const nextCursor = page.next ? encodeCursor(parsed.sort, page.next) : null;
        const items = page.records.map((r) => present(def, r));
        return def.geometry
          ? { type: 'FeatureCollection', features: items, nextCursor }
          : { items, nextCursor };
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
          }),
          response: { 200: one, ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const id = parseId((request.params as { id: string }).id, def);
        const identity = (request.query as { identity?: string }).identity === 'true';
        const record = await service.get(actor, id, { identity });
        reply.header('etag', `"${record.version}"`);
        return present(def, record);
      },
    );

    app.post(
      base,
      {
        schema: {
          tags,
          summary: `Create one of ${def.slug}`,
          body: bodySchema,
          response: { 201: one, ...errors },
        },
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
          body: Type.Partial(bodySchema),
          response: { 200: one, ...errors, 412: ProblemSchema, 428: ProblemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const id = parseId((request.params as { id: string }).id, def);
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
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const id = parseId((request.params as { id: string }).id, def);
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
        const id = parseId((request.params as { id: string }).id, def);
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
        const id = parseId((request.params as { id: string }).id, def);
        await service.setSource(
          actor,
          id,
          (request.body as { sourceId?: unknown } | undefined)?.sourceId,
          true,
        );
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
        const params = request.params as { id: string; sourceId: string };
        const id = parseId(params.id, def);
        await service.setSource(actor, id, params.sourceId, false);
        return reply.status(204).send();
      },
    );

    app.get(
      `${base}/:id/history`,
      { schema: { tags, summary: `Change history of one of ${def.slug}`, params: idParams } },
      async (request) => {
        const actor = requireActor(request);
        const id = parseId((request.params as { id: string }).id, def);
        assertCan(actor, 'audit.read', def);
        await service.get(actor, id);
        return { items: await recordHistory(opts.database.db, def.entity, id) };
      },
    );
  }
}

async function sendCsv(
  request: FastifyRequest,
  reply: import('fastify').FastifyReply,
  def: RegisterDef,
  service: RegisterService,
  query: ListQuery & { sort: string },
) {
  const actor = requireActor(request);
  assertCan(actor, 'data.export', def);
  const columns = csvColumns(def);
  const geo = def.geometry ? (def.geometry.kind === 'Point' ? ['lon', 'lat'] : ['geometry_geojson']) : [];
  const lines: string[] = [stringify([[...columns, ...geo]])];
  let after = query.after;
  let total = 0;
  for (;;) {
    const page = await service.list(actor, { ...query, limit: MAX_LIMIT, after });
    for (const r of page.records) {
      const row = columns.map((c) => csvValue(r[c]));
      const g = r.geometry as { type: string; coordinates: number[] } | null | undefined;
      if (def.geometry?.kind === 'Point')
        row.push(g ? String(g.coordinates[0]) : '', g ? String(g.coordinates[1]) : '');
      else if (def.geometry) row.push(g ? JSON.stringify(g) : '');
      lines.push(stringify([row]));
    }
    total += page.records.length;
    if (!page.next || total >= CSV_MAX_ROWS) break;
    after = page.next;
  }
  reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${def.slug}.csv"`);
  return reply.send(`\ufeff${lines.join('')}`);
}
