import type { Kysely } from 'kysely';
import { type TObject, Type } from 'typebox';
import type { Schema } from '../db/connect.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import * as registers from '../db/repositories/registers.ts';
import { changesOf, insertChange } from '../db/repositories/reports.ts';
import { hazardState, landReleaseFit, setReopenReason } from '../db/repositories/rules.ts';
import { deriveFields } from '../domain/derive.ts';
import { Problem } from '../domain/problem.ts';
import { IDENTITY_FIELDS, REFERENCE_TARGETS, type RegisterDef, registerBySlug } from '../domain/records.ts';
import { type Change, foldChanges, hazardHistoryProblem, orderChanges } from '../domain/reports.ts';
import { schemaProblems, withOthers } from '../domain/schema-check.ts';
import { geometryProblems, validateArea } from '../geo/validate.ts';
import type { Actor } from './actor.ts';
import { type ComputedGeometry, minefieldRecordGeometry } from './minefield-records.ts';
import { encryptIdentity, type Keyring } from './personal-data.ts';

/**
 * The one path by which the registers change: the changes of an approved report (a direct write
 * by an authority role is a report approved at once). Each change is validated, checked against
 * the land-release rules, written, added to the record's approved history, and audited.
 */

export type Row = registers.Row;

/** Land released may stick out of its hazard by this much (GPS and digitising error). */
export const LAND_RELEASE_TOLERANCE_M = 1;
/** Released area may exceed the hazard's by this much before it is refused (rounding). */
export const LAND_RELEASE_AREA_TOLERANCE_M2 = 1;

/**
 * Registers whose geometry the server computes from the properties on every write (clients
 * never send it): register slug → the computation, given the properties and their pointer.
 */
const COMPUTED_GEOMETRY: Record<string, (properties: Row, pointer: string) => ComputedGeometry> = {
  'minefield-records': minefieldRecordGeometry,
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

/** Splits a record body into geometry and properties: a GeoJSON Feature, or a plain object for registers without geometry. */
export function recordInput(def: RegisterDef, body: unknown, pointer = ''): RecordInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new Problem('validation.body_object', {}, { pointer });
  }
  const b = body as Record<string, unknown>;
  if (!def.geometry) return { properties: b };
  if (b.type !== 'Feature')
    throw new Problem('validation.feature', { got: String(b.type ?? '') }, { pointer: `${pointer}/type` });
  const props = b.properties ?? {};
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    throw new Problem(
      'validation.type',
      { field: 'properties', expected: 'object', got: typeof props },
      { pointer: `${pointer}/properties` },
    );
  }
  return { geometry: 'geometry' in b ? b.geometry : undefined, properties: props as Record<string, unknown> };
}

function stripOthers(p: Problem): Problem {
  return new Problem(p.code, p.params, p.where);
}

/** Every fault of a create or update in one list (schema, geometry, references), or the values to write. */
export async function checkInput(
  db: Kysely<Schema>,
  def: RegisterDef,
  input: RecordInput,
  mode: 'create' | 'update',
  pointer = '',
): Promise<Row> {
  const base = def.geometry ? `${pointer}/properties` : pointer;
  const problems = schemaProblems(
    mode === 'create' ? def.fields : partialOf(def.fields),
    input.properties,
    base,
  );
  const values: Row = { ...input.properties };
  const computeGeometry = COMPUTED_GEOMETRY[def.slug];
  if (computeGeometry) {
    if (input.geometry !== undefined) {
      problems.push(
        new Problem(
          'validation.geometry_computed',
          { field: 'geometry' },
          { pointer: `${pointer}/geometry`, field: 'geometry' },
        ),
      );
    }
    const computed = computeGeometry(input.properties, base);
    problems.push(...computed.problems);
    Object.assign(values, computed.values);
  } else if (def.geometry) {
    const present = input.geometry !== undefined;
    const gPointer = `${pointer}/geometry`;
    if (mode === 'create' && (!present || input.geometry === null) && def.geometry.required) {
      problems.push(
        new Problem(
          present ? 'geometry.null' : 'validation.required',
          { field: 'geometry', expected: def.geometry.kind },
          { pointer: gPointer },
        ),
      );
    } else if (present && input.geometry !== null) {
      const expect =
        def.geometry.kind === 'MultiPolygon' ? (['Polygon', 'MultiPolygon'] as const) : (['Point'] as const);
      const gp = geometryProblems(input.geometry, [...expect]);
      if (gp.length)
        problems.push(...gp.flatMap((p) => [p, ...p.others]).map((p) => stripOthers(p).under(gPointer)));
      else
        values.geometry =
          def.geometry.kind === 'MultiPolygon' ? validateArea(input.geometry) : input.geometry;
    } else if (present) {
      if (def.geometry.required)
        problems.push(
          new Problem(
            'geometry.null',
            { field: 'geometry', expected: def.geometry.kind },
            { pointer: gPointer },
          ),
        );
      else values.geometry = null;
    }
  }
  for (const field of def.pointFields ?? []) {
    const v = input.properties[field];
    if (v === undefined || v === null) continue;
    const gp = geometryProblems(v, ['Point']);
    if (gp.length) problems.push(...gp.map((p) => stripOthers(p).under(`${base}/${field}`)));
  }
  for (const [field, target] of Object.entries(REFERENCE_TARGETS)) {
    const id = input.properties[field];
    if (typeof id !== 'string' || !(field in def.fields.properties)) continue;
    if (problems.some((p) => p.where?.pointer === `${base}/${field}`)) continue;
    if (!(await registers.recordExists(db, target.table, id))) {
      problems.push(
        new Problem('record.reference_not_found', { field, id }, { pointer: `${base}/${field}`, field }),
      );
    }
  }
  if (problems.length) throw withOthers(problems);
  return values;
}

/** The writable state of a stored record: what a fold of its history must reproduce. */
function writableState(def: RegisterDef, record: Row): Row {
  const state: Row = {};
  for (const f of Object.keys(def.fields.properties)) if (f in record) state[f] = record[f];
  if (def.geometry) state.geometry = record.geometry ?? null;
  return state;
}

/** The record as kept in the audit log: identity fields are never copied there. */
export function auditView(record: Row): Row {
  const { identity, archivedAt: _a, ...view } = record;
  if (identity) {
    const id = identity as Record<string, unknown>;
    view.identityFieldsSet = IDENTITY_FIELDS.filter((f) => id[f] !== null && id[f] !== undefined);
  }
  return view;
}

export interface ApplyContext {
  trx: Kysely<Schema>;
  actor: Actor;
  report: { id: string; dateOfInformation: string; reason: string | null };
  keyring: Keyring;
  /** JSON pointer of change i's record body in the request (problems are located under it). */
  pointer: (index: number) => string;
}

export interface Applied {
  index: number;
  op: Change['op'];
  register: string;
  id: string;
  ref?: string;
}

const REF = /^@ref:([A-Za-z0-9_-]{1,40})$/;

function resolveRefs(value: unknown, refs: Map<string, string>, pointer: string): unknown {
  if (typeof value === 'string') {
    const m = REF.exec(value);
    if (!m) return value;
    const id = refs.get(m[1]!);
    if (!id) throw new Problem('report.ref_unknown', { ref: m[1]! }, { pointer });
    return id;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveRefs(v, refs, `${pointer}/${i}`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveRefs(v, refs, `${pointer}/${k}`)]),
    );
  }
  return value;
}

export function defOf(register: string, pointer: string): RegisterDef {
  const def = registerBySlug(register);
  if (!def)
    throw new Problem(
      'report.register_unknown',
      { register },
      { pointer: pointer.replace(/\/record$/, '/register') },
    );
  return def;
}

/** Applies a report's changes in order; any problem aborts the whole transaction. */
export async function applyChanges(
  ctx: ApplyContext,
  changes: Change[],
): Promise<{ applied: Applied[]; records: Row[] }> {
  const refs = new Map<string, string>();
  const applied: Applied[] = [];
  const records: Row[] = [];
  for (const [index, raw] of changes.entries()) {
    const at = ctx.pointer(index);
    const def = defOf(raw.register, at);
    const change = {
      ...raw,
      ...('record' in raw ? { record: resolveRefs(raw.record, refs, at) } : {}),
    } as Change;
    let record: Row;
    if (change.op === 'create') {
      record = await createRecord(ctx, def, change.record, at);
      if (change.ref) refs.set(change.ref, record.id as string);
    } else if (change.op === 'update') {
      record = await updateRecord(ctx, def, change.id, change.record, at);
    } else {
      record = await archiveRecord(ctx, def, change.id, at);
    }
    applied.push({
      index,
      op: change.op,
      register: def.slug,
      id: record.id as string,
      ...(change.op === 'create' && change.ref ? { ref: change.ref } : {}),
    });
    records.push(record);
  }
  return { applied, records };
}

async function createRecord(
  ctx: ApplyContext,
  def: RegisterDef,
  body: unknown,
  pointer: string,
): Promise<Row> {
  const input = recordInput(def, body, pointer);
  const values = deriveFields(def, await checkInput(ctx.trx, def, input, 'create', pointer));
  if (values.identity)
    values.identity = encryptIdentity(ctx.keyring, values.identity as Record<string, string>);
  const hazardBefore =
    def.slug === 'land-release' ? await checkLandRelease(ctx, values, null, pointer) : undefined;
  const inserted = await registers.insertRecord(ctx.trx, def, values, ctx.actor.id);
  const record = (await registers.getRecord(ctx.trx, def, inserted.id as string, { identity: true }))!;
  await insertChange(ctx.trx, {
    entity: def.entity,
    recordId: record.id as string,
    reportId: ctx.report.id,
    dateOfInformation: ctx.report.dateOfInformation,
    op: 'create',
    patch: writableState(def, record),
  });
  await appendAudit(ctx.trx, {
    actorId: ctx.actor.id,
    action: 'create',
    entity: def.entity,
    recordId: record.id as string,
    reportId: ctx.report.id,
    before: null,
    after: auditView(record),
  });
  if (hazardBefore) await recordAutoClose(ctx, values.hazardId as string, hazardBefore);
  return record;
}

async function updateRecord(
  ctx: ApplyContext,
  def: RegisterDef,
  id: string,
  body: unknown,
  pointer: string,
): Promise<Row> {
  const before = await registers.getRecord(ctx.trx, def, id, { identity: true, forUpdate: true });
  if (!before) throw new Problem('record.not_found', { entity: def.entity, id }, { pointer });
  const input = recordInput(def, body, pointer);
  const values = await checkInput(ctx.trx, def, input, 'update', pointer);
  if (values.identity) {
    values.identity = {
      ...(before.identity as object),
      ...encryptIdentity(ctx.keyring, values.identity as Record<string, string>),
    };
  }
  const hazardBefore =
    def.slug === 'land-release'
      ? await checkLandRelease(ctx, { ...before, ...values }, id, pointer)
      : undefined;

  // A record loaded in bulk has no approved history yet: its present state becomes the baseline.
  let history = await changesOf(ctx.trx, def.entity, id);
  if (!history.some((c) => c.op === 'baseline' || c.op === 'create')) {
    await insertChange(ctx.trx, {
      entity: def.entity,
      recordId: id,
      reportId: null,
      dateOfInformation: '0001-01-01',
      op: 'baseline',
      patch: writableState(def, before),
    });
  }
  await insertChange(ctx.trx, {
    entity: def.entity,
    recordId: id,
    reportId: ctx.report.id,
    dateOfInformation: ctx.report.dateOfInformation,
    op: 'update',
    patch: values,
  });
  history = await changesOf(ctx.trx, def.entity, id);
  const live = history.filter((c) => c.op !== 'archive');
  if (def.slug === 'hazards') checkHazardHistory(live, ctx.report.dateOfInformation, pointer);
  const state = deriveFields(def, foldChanges(live), before);
  if (def.slug === 'hazards' && ctx.report.reason) await setReopenReason(ctx.trx, ctx.report.reason);
  const outcome = await registers.updateRecord(
    ctx.trx,
    def,
    id,
    before.version as number,
    state,
    ctx.actor.id,
  );
  if (outcome.kind !== 'updated') throw new Problem('record.concurrent_change', {}, { pointer });
  const record = (await registers.getRecord(ctx.trx, def, id, { identity: true }))!;
  await appendAudit(ctx.trx, {
    actorId: ctx.actor.id,
    action: 'update',
    entity: def.entity,
    recordId: id,
    reportId: ctx.report.id,
    before: auditView(before),
    after: auditView(record),
  });
  if (hazardBefore) await recordAutoClose(ctx, (values.hazardId ?? before.hazardId) as string, hazardBefore);
  return record;
}

async function archiveRecord(ctx: ApplyContext, def: RegisterDef, id: string, pointer: string): Promise<Row> {
  const before = await registers.getRecord(ctx.trx, def, id, { identity: true, forUpdate: true });
  if (!before) throw new Problem('record.not_found', { entity: def.entity, id }, { pointer });
  const outcome = await registers.archiveRecord(ctx.trx, def, id, before.version as number, ctx.actor.id);
  if (outcome.kind !== 'updated') throw new Problem('record.concurrent_change', {}, { pointer });
  await insertChange(ctx.trx, {
    entity: def.entity,
    recordId: id,
    reportId: ctx.report.id,
    dateOfInformation: ctx.report.dateOfInformation,
    op: 'archive',
    patch: { archived: true },
  });
  const record = (await registers.getRecord(ctx.trx, def, id, { identity: true }))!;
  await appendAudit(ctx.trx, {
    actorId: ctx.actor.id,
    action: 'archive',
    entity: def.entity,
    recordId: id,
    reportId: ctx.report.id,
    before: auditView(before),
    after: auditView(record),
  });
  return record;
}

/** Walks the hazard's states in date order and refuses a history that breaks a status rule. */
function checkHazardHistory(
  history: Awaited<ReturnType<typeof changesOf>>,
  dateOfInformation: string,
  pointer: string,
) {
  const states: Array<{ status: string; type: string; reason: string | null; dateOfInformation: string }> =
    [];
  const state: Row = {};
  for (const c of orderChanges(history)) {
    Object.assign(state, c.patch);
    states.push({
      status: String(state.status ?? 'open'),
      type: String(state.type ?? 'SHA'),
      reason: c.reason,
      dateOfInformation: c.dateOfInformation,
    });
  }
  const broken = hazardHistoryProblem(states);
  if (broken) {
    const p = broken.problem;
    throw new Problem(
      p.code,
      { ...p.params, reportDate: dateOfInformation },
      { pointer: `${pointer}${p.where?.pointer ?? ''}` },
    );
  }
}

/**
 * The land-release rules, checked here so the fault names its size and place (the database
 * checks them again): the polygon lies within its hazard, and released land never adds up to
 * more than the hazard's area.
 */
async function checkLandRelease(ctx: ApplyContext, values: Row, excludeId: string | null, pointer: string) {
  const hazardId = values.hazardId as string;
  const fit = await landReleaseFit(ctx.trx, hazardId, values.geometry, LAND_RELEASE_TOLERANCE_M, excludeId);
  if (!fit)
    throw new Problem(
      'record.reference_not_found',
      { field: 'hazardId', id: hazardId },
      { pointer: `${pointer}/properties/hazardId` },
    );
  const problems: Problem[] = [];
  if (fit.outsideM2 > 0.01) {
    problems.push(
      new Problem(
        'land_release.outside_hazard',
        {
          hazard: fit.hazardCode,
          outsideM2: round1(fit.outsideM2),
          farthestM: round1(fit.farthestOutsideM),
          toleranceM: LAND_RELEASE_TOLERANCE_M,
        },
        { pointer: `${pointer}/geometry` },
      ),
    );
  }
  const total = fit.otherReleasedM2 + fit.areaM2;
  if (total > fit.hazardAreaM2 + LAND_RELEASE_AREA_TOLERANCE_M2) {
    problems.push(
      new Problem(
        'land_release.area_exceeds_hazard',
        {
          hazard: fit.hazardCode,
          releasedM2: round1(total),
          hazardM2: round1(fit.hazardAreaM2),
          excessM2: round1(total - fit.hazardAreaM2),
        },
        { pointer: `${pointer}/geometry` },
      ),
    );
  }
  if (problems.length) throw withOthers(problems);
  return hazardState(ctx.trx, hazardId);
}

/**
 * The database closes a hazard whose remaining area reaches zero; that change is part of the
 * hazard's history too, dated like the report that released the last of it.
 */
async function recordAutoClose(
  ctx: ApplyContext,
  hazardId: string,
  before: Awaited<ReturnType<typeof hazardState>>,
) {
  const after = await hazardState(ctx.trx, hazardId);
  if (!before || !after || before.status === after.status) return;
  await insertChange(ctx.trx, {
    entity: 'hazard',
    recordId: hazardId,
    reportId: ctx.report.id,
    dateOfInformation: ctx.report.dateOfInformation,
    op: 'update',
    patch: { status: after.status },
  });
  await appendAudit(ctx.trx, {
    actorId: ctx.actor.id,
    action: 'update',
    entity: 'hazard',
    recordId: hazardId,
    reportId: ctx.report.id,
    before: { status: before.status, remainingAreaM2: before.remainingAreaM2 },
    after: { status: after.status, remainingAreaM2: after.remainingAreaM2, reason: 'no_remaining_area' },
  });
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
