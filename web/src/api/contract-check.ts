/**
 * Compile-time check that the hand-written shapes the pages use (types.ts) accept what the
 * server's OpenAPI document says it sends (schema.generated.ts). `tsc -p web` fails when the
 * API changes under the web application. Nothing here runs. (/stats/summary, /config,
 * /{slug}/{id}/history and /attachments declare no response schema in the document yet, so
 * their shapes stay checked by hand against the API contract.)
 */
import type { IMPORT_REGISTERS } from '../../../src/domain/exchange.ts';
import type { paths } from './schema.generated.ts';
import type { LoginResponse, User } from './types.ts';

type Json<P extends keyof paths, M extends 'get' | 'post', S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

type Accepts<Mine, Theirs> = [Theirs] extends [Mine] ? true : false;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type ContractChecks = [
  Assert<Accepts<LoginResponse, Json<'/api/v1/auth/login', 'post', 200>>>,
  Assert<Accepts<User, Json<'/api/v1/auth/me', 'get', 200>>>,
  // The import page offers exactly the registers POST /api/v1/imports takes.
  Assert<
    Same<(typeof IMPORT_REGISTERS)[number], paths['/api/v1/imports']['post']['parameters']['query']['as']>
  >,
];
