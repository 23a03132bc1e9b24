import type { Kysely } from 'kysely';
import { Type, type TObject } from 'typebox';
import { deriveFields } from '../domain/derive.ts';
import { Problem } from '../domain/problem.ts';
import { IDENTITY_FIELDS, type RegisterDef } from '../domain/records.ts';
import { schemaProblems, withOthers } from '../domain/schema-check.ts';
import type { Database, Schema } from '../db/connect.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import * as repo from '../db/repositories/registers.ts';
import { geometryProblems, validateArea } from '../geo/validate.ts';
import type { Actor } from './actor.ts';
import { assertCan } from './actor.ts';

export type RecordOut = repo.Row;

/** Foreign keys a register's fields point to, checked before writing so the fault has a pointer. */
const REFERENCES: Record<string, string> = {
  organisationId: 'organisations',
  inspectedOrganisationId: 'organisations',
  inspectingOrganisationId: 'organisations',
  hazardId: 'hazards',
  activityId: 'activities',
  accidentId: 'accidents',
  ordnanceId: 'ordnance_models',
  settlementId: 'settlements',
  adminAreaId: 'admin_areas',
  parentId: 'admin_areas',
};

const partials = new WeakMap<TObject, TObject>();
function partialOf(schema: TObject): TObject {
  let p = partials.get(schema);
  if (!p) {
    p = Type.Partial(schema) as unknown as TObject;
    partials.set(schema, p);
  }
  return p;
}

export interface RecordInput {
  geometry?: unknown;
  properties: Record<string, unknown>;
}

/**
 * Splits a request body into geometry and properties: registers with geometry take a GeoJSON
 * Feature, the others a plain object.
 */
export function recordInput(def: RegisterDef, body: unknown): RecordInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new Problem('validation.body_object', {}, { pointer: '' });
  }
  const b = body as Record<string, unknown>;
  if (!def.geometry) return { properties: b };
  if (b.type !== 'Feature') throw new Problem('validation.feature', { got: String(b.type ?? '') }, { pointer: '/type' });
  const props = b.properties ?? {};
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    throw new Problem('validation.type', { field: 'properties', expected: 'object', got: typeof props }, { pointer: '/properties' });
  }
  return { geometry: 'geometry' in b ? b.geometry : undefined, properties: props as Record<string, unknown> };
}

/** Every fault of a create or update, in one list: schema, geometry, references. */
async function checkInput(
  db: Kysely<Schema>,
  def: RegisterDef,
  input: RecordInput,
  mode: 'create' | 'update',
): Promise<Record<string, unknown>> {
  const base = def.geometry ? '/properties' : '';
  const problems = schemaProblems(mode === 'create' ? def.fields : partialOf(def.fields), input.properties, base);
  const values: Record<string, unknown> = { ...input.properties };
  if (def.geometry) {
    const present = input.geometry !== undefined;
    if (mode === 'create' && (!present || input.geometry === null) && def.geometry.required) {
      problems.push(new Problem(present ? 'geometry.null' : 'validation.required', { field: 'geometry' }, { pointer: '/geometry' }));
    } else if (present && input.geometry !== null) {
      const expect = def.geometry.kind === 'MultiPolygon' ? (['Polygon', 'MultiPolygon'] as const) : (['Point'] as const);
      const gp = geometryProblems(input.geometry, [...expect]);
      if (gp.length) problems.push(...gp.flatMap((p) => [p, ...p.others]).map((p) => stripOthers(p).under('/geometry')));
      else values.geometry = normaliseGeometry(def, input.geometry);
    } else if (present) {
      if (def.geometry.required) problems.push(new Problem('geometry.null', { field: 'geometry' }, { pointer: '/geometry' }));
      else values.geometry = null;
    }
  }
  for (const field of def.pointFields ?? []) {
    const v = input.properties[field];
    if (v === undefined || v === null) continue;
    const gp = geometryProblems(v, ['Point']);
    if (gp.length) problems.push(...gp.map((p) => stripOthers(p).under(`${base}/${field}`)));
  }
  for (const [field, table] of Object.entries(REFERENCES)) {
    const id = input.properties[field];
    if (typeof id !== 'string' || !(field in def.fields.properties)) continue;
    if (problems.some((p) => p.where?.pointer === `${base}/${field}`)) continue;
    if (!(await repo.recordExists(db, table, id))) {
      problems.push(new Problem('record.reference_not_found', { field, id }, { pointer: `${base}/${field}`, field }));
    }
  }
  if (problems.length) throw withOthers(problems);
  return values;
}

function stripOthers(p: Problem): Problem {
  return new Problem(p.code, p.params, p.where);
}

function normaliseGeometry(def: RegisterDef, g: unknown): unknown {
  // geometryProblems found nothing; validateArea gives the normalised MultiPolygon (ring order, duplicates).
  return def.geometry?.kind === 'MultiPolygon' ? validateArea(g) : g;
}

function notFound(def: RegisterDef, id: string): Problem {
  return new Problem('record.not_found', { entity: def.entity, id }, { pointer: '' });
}

function withoutIdentity(record: RecordOut): RecordOut {
  const { identity: _identity, ...rest } = record;
  return rest;
}

/** What a register service does for the HTTP routes and the CLI. Each write is one transaction. */
export class RegisterService {
  constructor(
    private readonly database: Database,
    readonly def: RegisterDef,
  ) {}

  async create(actor: Actor, body: unknown): Promise<RecordOut> {
    assertCan(actor, 'record.write', this.def);
    const input = recordInput(this.def, body);
    return this.database.db.transaction().execute(async (trx) => {
      const values = deriveFields(this.def, await checkInput(trx, this.def, input, 'create'));
      const record = await repo.insertRecord(trx, this.def, values, actor.id);
      await appendAudit(trx, {
        actorId: actor.id,
        action: 'create',
        entity: this.def.entity,
        recordId: record.id as string,
        before: null,
        after: auditView(record),
      });
      return this.visible(actor, record);
    });
  }

  async update(actor: Actor, id: string, expectedVersion: number, body: unknown): Promise<RecordOut> {
    assertCan(actor, 'record.write', this.def);
    const input = recordInput(this.def, body);
    return this.database.db.transaction().execute(async (trx) => {
      const before = await repo.getRecord(trx, this.def, id, { identity: true, forUpdate: true });
      if (!before) throw notFound(this.def, id);
      if ((before.version as number) !== expectedVersion) {
        throw new Problem('record.version_conflict', { expected: expectedVersion, current: before.version as number }, { pointer: '' });
      }
      const values = deriveFields(this.def, await checkInput(trx, this.def, input, 'update'), before);
      const outcome = await repo.updateRecord(trx, this.def, id, expectedVersion, values, actor.id);
      if (outcome.kind === 'not_found') throw notFound(this.def, id);
      if (outcome.kind === 'conflict') {
        throw new Problem('record.version_conflict', { expected: expectedVersion, current: outcome.version }, { pointer: '' });
      }
      await appendAudit(trx, {
        actorId: actor.id,
        action: 'update',
        entity: this.def.entity,
        recordId: id,
        before: auditView(before),
        after: auditView(outcome.record),
      });
      return this.visible(actor, outcome.record);
    });
  }

  async archive(actor: Actor, id: string, expectedVersion: number): Promise<RecordOut> {
    assertCan(actor, 'record.write', this.def);
    return this.database.db.transaction().execute(async (trx) => {
      const before = await repo.getRecord(trx, this.def, id, { identity: true, forUpdate: true });
      if (!before) throw notFound(this.def, id);
      const outcome = await repo.archiveRecord(trx, this.def, id, expectedVersion, actor.id);
      if (outcome.kind === 'not_found') throw notFound(this.def, id);
      if (outcome.kind === 'conflict') {
        throw new Problem('record.version_conflict', { expected: expectedVersion, current: outcome.version }, { pointer: '' });
      }
      await appendAudit(trx, {
        actorId: actor.id,
        action: 'archive',
        entity: this.def.entity,
        recordId: id,
        before: auditView(before),
        after: auditView(outcome.record),
      });
      return this.visible(actor, outcome.record);
    });
  }

  async get(actor: Actor, id: string): Promise<RecordOut> {
    assertCan(actor, 'record.read', this.def);
    const record = await repo.getRecord(this.database.db, this.def, id, { identity: canSeeIdentity(actor) });
    if (!record) throw notFound(this.def, id);
    return record;
  }

  async list(actor: Actor, query: repo.ListQuery): Promise<{ records: RecordOut[]; next?: { value: unknown; id: string } }> {
    assertCan(actor, 'record.read', this.def);
    const rows = await repo.listRecords(this.database.db, this.def, { ...query, limit: query.limit + 1 });
    const records = rows.slice(0, query.limit);
    const last = records[records.length - 1];
    return {
      records,
      next: rows.length > query.limit && last ? { value: last[query.sortField], id: last.id as string } : undefined,
    };
  }

  private visible(actor: Actor, record: RecordOut): RecordOut {
    return canSeeIdentity(actor) ? record : withoutIdentity(record);
  }
}

/** The record as kept in the audit log: identity fields are never copied there in clear. */
function auditView(record: RecordOut): RecordOut {
  const view = withoutIdentity(record);
  if (record.identity) {
    const id = record.identity as Record<string, unknown>;
    view.identityFieldsSet = IDENTITY_FIELDS.filter((f) => id[f] !== null && id[f] !== undefined);
  }
  return view;
}

function canSeeIdentity(actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'approver';
}
