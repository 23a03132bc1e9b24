import type { FastifyTypeProvider } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';

/** RFC 9457 problem details as Safeground sends them. */
const ProblemEntry = Type.Object({
  code: Type.String({ description: 'Stable problem code, e.g. geometry.self_intersection' }),
  detail: Type.String(),
  pointer: Type.Optional(Type.String({ description: 'JSON pointer to the fault in the request body' })),
  location: Type.Optional(
    Type.Object({}, { additionalProperties: true, description: 'row, field, polygon, ring, vertex' }),
  ),
  params: Type.Optional(Type.Object({}, { additionalProperties: true })),
});

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    pointer: Type.Optional(Type.String()),
    location: Type.Optional(Type.Object({}, { additionalProperties: true })),
    params: Type.Optional(Type.Object({}, { additionalProperties: true })),
    errors: Type.Array(ProblemEntry),
  },
  { description: 'application/problem+json (RFC 9457)' },
);

/**
 * The TypeBox type provider (as @fastify/type-provider-typebox's `TypeBoxTypeProvider`) for
 * what a route receives: params, query string, headers and body are typed from the same
 * schemas that validate them. Answers are not typed from the response schemas, which describe
 * them for OpenAPI (records are open-ended objects the services type as rows).
 */
export interface TypedRequests extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: unknown;
}

/**
 * Marks a body schema whose content the service checks itself (register records: the change
 * service checks the same TypeBox schemas, then geometry and references, and reports every
 * fault at once with the domain's codes, e.g. geometry.type, geometry.self_intersection). The
 * route still declares the full schema, so OpenAPI shows it; only nesting is checked before.
 */
export function checkedByService<T extends TSchema>(schema: T): T {
  return { ...schema, [CHECKED_BY]: 'service' };
}

export const CHECKED_BY = 'x-checked-by';

export function isCheckedByService(schema: unknown): boolean {
  return (schema as Record<string, unknown> | undefined)?.[CHECKED_BY] === 'service';
}
