import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Problem } from './problem.ts';

/**
 * Checks a value against a TypeBox schema and turns every fault into a Problem with a stable
 * code and a JSON pointer: validation.required, validation.empty, validation.type, validation.enum,
 * validation.format, validation.pattern, validation.unknown_field, validation.range.
 */
const compiled = new WeakMap<TSchema, ReturnType<typeof Compile>>();

function compiledOf(schema: TSchema) {
  let c = compiled.get(schema);
  if (!c) {
    c = Compile(schema);
    compiled.set(schema, c);
  }
  return c;
}

interface RawError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
}

function fieldName(pointer: string): string {
  const parts = pointer.split('/').filter(Boolean);
  return parts.length ? parts[parts.length - 1]! : '(body)';
}

function schemaAt(root: TSchema, schemaPath: string): any {
  let node: any = root;
  for (const part of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/** Lists the problems of `value` against `schema` (empty when valid), one per faulty location. */
export function schemaProblems(schema: TSchema, value: unknown, basePointer = ''): Problem[] {
  const c = compiledOf(schema);
  if (c.Check(value)) return [];
  const errors = [...c.Errors(value)] as unknown as RawError[];
  const byPointer = new Map<string, RawError[]>();
  for (const e of errors) {
    let pointer = e.instancePath;
    if (e.keyword === 'required') {
      const missing = (e.params.requiredProperties ?? e.params.missingProperty) as
        | string[]
        | string
        | undefined;
      for (const m of Array.isArray(missing) ? missing : [missing]) {
        if (m === undefined) continue;
        const p = `${pointer}/${m}`;
        byPointer.set(p, [...(byPointer.get(p) ?? []), { ...e, instancePath: p }]);
      }
      continue;
    }
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params.additionalProperties ?? e.params.additionalProperty) as
        | string[]
        | string
        | undefined;
      for (const m of Array.isArray(extra) ? extra : [extra]) {
        if (m === undefined) continue;
        const p = `${pointer}/${m}`;
        byPointer.set(p, [{ ...e, instancePath: p }]);
      }
      continue;
    }
    if (e.keyword === 'boolean') continue; // the additionalProperties: false echo
    pointer = e.instancePath;
    byPointer.set(pointer, [...(byPointer.get(pointer) ?? []), e]);
  }
  const problems: Problem[] = [];
  const pointers = [...byPointer.keys()];
  for (const [pointer, errs] of byPointer) {
    // A fault inside a member explains the union/type noise reported at the member itself.
    if (pointers.some((p) => p !== pointer && p.startsWith(`${pointer}/`))) continue;
    // Prefer the most telling fault at a location: missing > unknown > enum > type > others.
    const pick =
      errs.find((e) => e.keyword === 'required') ??
      errs.find((e) => e.keyword === 'additionalProperties') ??
      errs.find((e) => e.keyword === 'enum') ??
      errs.find((e) => e.keyword === 'const') ??
      errs.find((e) =>
        [
          'format',
          'pattern',
          'minimum',
          'maximum',
          'minLength',
          'maxLength',
          'minItems',
          'maxItems',
          'uniqueItems',
        ].includes(e.keyword),
      ) ??
      errs.find((e) => e.keyword === 'type') ??
      errs[0]!;
    const field = fieldName(pointer);
    const where = { pointer: basePointer + pointer, field };
    const value = valueAt(pointer);
    const shown =
      value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value)?.slice(0, 80);
    // A null where a value must be (an empty cell, a cleared field): say so, not "null is not allowed".
    if (value === null && pick.keyword !== 'required' && pick.keyword !== 'additionalProperties') {
      problems.push(new Problem('validation.empty', { field }, where));
      continue;
    }
    switch (pick.keyword) {
      case 'required':
        problems.push(new Problem('validation.required', { field }, where));
        break;
      case 'additionalProperties':
        problems.push(new Problem('validation.unknown_field', { field }, where));
        break;
      case 'enum':
      case 'const': {
        const s = schemaAt(schema, pick.schemaPath.replace(/\/anyOf\/\d+$/, ''));
        const allowed: unknown[] =
          s?.enum ?? (s?.anyOf ?? []).flatMap((a: any) => a.enum ?? (a.const !== undefined ? [a.const] : []));
        problems.push(
          new Problem('validation.enum', { field, value: shown, allowed: allowed.join(', ') }, where),
        );
        break;
      }
      case 'format':
        problems.push(
          new Problem(
            'validation.format',
            { field, value: shown, format: String(pick.params.format) },
            where,
          ),
        );
        break;
      case 'pattern':
        problems.push(new Problem('validation.pattern', { field, value: shown }, where));
        break;
      case 'type':
        problems.push(
          new Problem(
            'validation.type',
            { field, expected: String(pick.params.type), got: typeName(value) },
            where,
          ),
        );
        break;
      default: {
        const limit = Object.values(pick.params)[0];
        problems.push(
          new Problem(
            'validation.range',
            { field, value: shown, rule: pick.keyword, limit: String(limit) },
            where,
          ),
        );
      }
    }
  }
  return problems;

  function valueAt(pointer: string): unknown {
    let v: any = value;
    for (const part of pointer.split('/').filter(Boolean))
      v = v?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return v;
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export function withOthers(problems: Problem[]): Problem {
  const [first, ...rest] = problems;
  return new Problem(first!.code, first!.params, first!.where, [...first!.others, ...rest]);
}
