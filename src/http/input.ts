import type { FastifyRequest } from 'fastify';
import { Problem } from '../domain/problem.ts';

/** How deep a JSON body may nest; records nest a few levels (a MultiPolygon's coordinates: 4). */
export const MAX_BODY_DEPTH = 64;

/** C0 controls and DEL: never part of a search term or a filter value, and NUL breaks PostgreSQL text. */
function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** A problem for the first query parameter whose value holds a control character, if any. */
export function controlCharacterProblem(query: unknown): Problem | undefined {
  if (!query || typeof query !== 'object') return undefined;
  for (const [field, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    if (hasControlCharacter(field) || values.some((v) => typeof v === 'string' && hasControlCharacter(v))) {
      return new Problem('validation.control_character', { field }, { pointer: `/${field}`, field });
    }
  }
  return undefined;
}

/**
 * A problem when a JSON body nests deeper than `max` (walked without recursion, so that the
 * check itself cannot overflow the stack); files sent as bytes are not looked into.
 */
export function nestingProblem(body: unknown, max = MAX_BODY_DEPTH): Problem | undefined {
  const stack: Array<[unknown, number]> = [[body, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) continue;
    if (depth >= max) return new Problem('validation.too_deep', { max }, { pointer: '' });
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return undefined;
}

/** A JSON pointer segment (RFC 6901): `~` and `/` escaped. */
function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * A problem for the first string of a JSON body (a value or a key) that holds NUL (U+0000): no
 * PostgreSQL text can store it, wherever the value would go. Other control characters (tabs, line
 * breaks) are ordinary text in a body. Walked without recursion; files sent as bytes are not
 * looked into.
 */
export function nulCharacterProblem(body: unknown): Problem | undefined {
  const stack: Array<[unknown, string]> = [[body, '']];
  while (stack.length) {
    const [value, pointer] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return nulProblem(pointer);
      continue;
    }
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) continue;
    for (const [key, child] of Object.entries(value)) {
      const at = `${pointer}/${pointerSegment(key)}`;
      if (key.includes('\u0000')) return nulProblem(at);
      stack.push([child, at]);
    }
  }
  return undefined;
}

function nulProblem(pointer: string): Problem {
  return new Problem('validation.nul_character', { pointer }, { pointer });
}

/**
 * A path parameter as sent, for a route's `authorise` step, which runs before the parameters
 * are validated and typed (a malformed id is then simply not found).
 */
export function pathParam(request: FastifyRequest, name: string): string {
  const value = (request.params as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}
