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
