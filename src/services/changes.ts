import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { PoolClient } from 'pg';
import { type TObject, Type } from 'typebox';
import { v7 as uuidv7 } from 'uuid';
import type { Schema } from '../db/connect.ts';
import { copyClient } from '../db/copy.ts';
import { problemFromDatabaseError } from '../db/errors.ts';
import { type AuditInput, appendAudit, appendAudits } from '../db/repositories/audit.ts';
import { idsHeld } from '../db/repositories/bulk.ts';
import {
  copyRecordsWithHistory,
  insertRecordsWithHistory,
  underSavepoint,
} from '../db/repositories/imports.ts';
import * as registers from '../db/repositories/registers.ts';
import { changesOf, insertChange, insertReport, transitionReport } from '../db/repositories/reports.ts';
import { deriveFields } from '../domain/derive.ts';
import { eachProblem, isProblem, Problem } from '../domain/problem.ts';
import {
  factDate,
  factDateField,
  IDENTITY_FIELDS,
  REFERENCE_TARGETS,
  type RegisterDef,
  registerBySlug,
  writeOnlyAfter,
  writeOnlySubFields,
} from '../domain/records.ts';
import { registerModule } from '../domain/registers/index.ts';
import { type Change, foldChanges, orderChanges } from '../domain/reports.ts';
import { schemaProblems, withOthers } from '../domain/schema-check.ts';
import { geometryProblems, validateArea } from '../geo/validate.ts';
import type { Actor } from './actor.ts';
import { encryptIdentity, type Keyring } from './personal-data.ts';
import { writeHooks } from './register-hooks/index.ts';

/**
 * The one path by which the registers change: the changes of an approved report (a direct write
 * by an authority role is a report approved at once). Each change is validated, checked against
 * the land-release rules, written, added to the record's approved history, and audited.
 */

export type Row = registers.Row;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  if (!def.geometry) {
    const wrapped = featureForPlainRegister(def, b, pointer);
    if (wrapped) throw wrapped;
    return { properties: b };
  }
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

/**
 * A register without geometry (casualties, organisations, …) takes its fields as a plain object:
 * a GeoJSON Feature sent to it is refused, so that no field (a casualty's identity above all) is
 * kept inside `properties`, out of reach of the protections a field has by its name.
 */
export function featureForPlainRegister(def: RegisterDef, body: unknown, pointer: string): Problem | null {
  if (def.geometry || body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  if ((body as Record<string, unknown>).type !== 'Feature') return null;
  return new Problem('validation.plain_record', { register: def.slug }, { pointer: `${pointer}/type` });
}

declare const CHECKED: unique symbol;
/** Values checkInput accepted: the only values the write path writes (the type cannot be made otherwise). */
export type CheckedValues = Row & { readonly [CHECKED]: true };

/** Every fault of a create or update in one list (schema, geometry, references), or the values to write. */
export async function checkInput(
  db: Kysely<Schema>,
  def: RegisterDef,
  input: RecordInput,
  mode: 'create' | 'update',
  pointer = '',
): Promise<CheckedValues> {
  return checkWith((table, id) => registers.recordExists(db, table, id), def, input, mode, pointer);
}

/** Whether the record `id` (of the field `field`) exists in `table` (archived records included). */
type Exists = (table: string, id: string, field: string) => boolean | Promise<boolean>;

/** A reference to another register's record that a record's field holds. */
export interface Reference {
  field: string;
  table: string;
  id: string;
}

/**
 * checkInput without the database: the same checks, except that the references to other
 * registers' records are returned, not looked up; `referencesHeld` then looks up those of many
 * records at once, and `referenceNotFound` is the fault of one the register does not hold. For
 * reading and checking away from the database (an import's worker thread).
 */
export async function checkInputUnlinked(
  def: RegisterDef,
  input: RecordInput,
  mode: 'create' | 'update',
  pointer = '',
): Promise<
  { values: CheckedValues; references: Reference[] } | { problems: Problem[]; references: Reference[] }
> {
  const references: Reference[] = [];
  try {
    const values = await checkWith(
      (table, id, field) => {
        references.push({ field, table, id });
        return true;
      },
      def,
      input,
      mode,
      pointer,
    );
    return { values, references };
  } catch (err) {
    if (!isProblem(err)) throw err;
    return { problems: eachProblem(err), references };
  }
}

/** The fault of a reference to a record the register does not hold. */
export function referenceNotFound(def: RegisterDef, { field, id }: Reference, pointer = ''): Problem {
  const base = def.geometry ? `${pointer}/properties` : pointer;
  return new Problem('record.reference_not_found', { field, id }, { pointer: `${base}/${field}`, field });
}

/**
 * Which of the references are to records their register holds, looked up in one statement per
 * register referred to: a function answering for each (ids that are not UUIDs are never held).
 */
export async function referencesHeld(
  db: Kysely<Schema>,
  references: Iterable<Pick<Reference, 'table' | 'id'>>,
): Promise<(table: string, id: string) => boolean> {
  const wanted = new Map<string, Set<string>>();
  for (const { table, id } of references) {
    if (!UUID.test(id)) continue;
    const ids = wanted.get(table) ?? new Set<string>();
    ids.add(id.toLowerCase());
    wanted.set(table, ids);
  }
  const held = new Map<string, Set<string>>();
  for (const [table, ids] of wanted) held.set(table, await idsHeld(db, table, [...ids]));
  return (table, id) => held.get(table)?.has(id.toLowerCase()) ?? false;
}

async function checkWith(
  exists: Exists,
  def: RegisterDef,
  input: RecordInput,
  mode: 'create' | 'update',
  pointer: string,
): Promise<CheckedValues> {
  const base = def.geometry ? `${pointer}/properties` : pointer;
  const problems = schemaProblems(
    mode === 'create' ? def.fields : partialOf(def.fields),
    input.properties,
    base,
  );
  const values: Row = { ...input.properties };
  const computeGeometry = writeHooks(def).computeGeometry;
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
      if (gp.length) problems.push(...gp.flatMap(eachProblem).map((p) => p.under(gPointer)));
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
    if (gp.length) problems.push(...gp.flatMap(eachProblem).map((p) => p.under(`${base}/${field}`)));
  }
  for (const [field, target] of Object.entries(REFERENCE_TARGETS)) {
    const id = input.properties[field];
    if (typeof id !== 'string' || !(field in def.fields.properties)) continue;
    if (problems.some((p) => p.where?.pointer === `${base}/${field}`)) continue;
    if (!(await exists(target.table, id, field)))
      problems.push(referenceNotFound(def, { field, table: target.table, id }, pointer));
  }
  if (problems.length) throw withOthers(problems);
  return values as CheckedValues;
}

/**
 * checkInput for the many records of a bulk write: the same checks, with the records they refer
 * to looked up in one statement per register referred to instead of one per reference. Each
 * result is the values to write or the problem that refuses the record.
 */
export async function checkInputs(
  db: Kysely<Schema>,
  def: RegisterDef,
  inputs: RecordInput[],
  mode: 'create' | 'update',
  pointer: (index: number) => string = () => '',
): Promise<Array<CheckedValues | Problem>> {
  const references: Array<Pick<Reference, 'table' | 'id'>> = [];
  for (const [field, target] of Object.entries(REFERENCE_TARGETS)) {
    if (!(field in def.fields.properties)) continue;
    for (const input of inputs) {
      const id = input.properties[field];
      if (typeof id === 'string') references.push({ table: target.table, id });
    }
  }
  const exists: Exists = await referencesHeld(db, references);
  const out: Array<CheckedValues | Problem> = [];
  for (const [index, input] of inputs.entries()) {
    try {
      out.push(await checkWith(exists, def, input, mode, pointer(index)));
    } catch (err) {
      if (!isProblem(err)) throw err;
      out.push(err);
    }
  }
  return out;
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
      const input = recordInput(def, change.record, at);
      record = await createChecked(ctx, def, await checkInput(ctx.trx, def, input, 'create', at), at);
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

/**
 * Write-only fields (a register's protectedFields) as they will be stored: encrypted, and
 * merged with the stored values by writeOnlyAfter (left out: kept; given: replaced; null:
 * cleared). Fields the change leaves out stay out, so the fold of the history keeps them.
 */
function withWriteOnly(keyring: Keyring, def: RegisterDef, values: Row, stored?: Row): Row {
  for (const field of def.protectedFields ?? []) {
    if (!(field in values)) continue;
    const given = values[field];
    const encrypted =
      given && typeof given === 'object'
        ? encryptIdentity(keyring, given as Record<string, string | null>)
        : given;
    values[field] = writeOnlyAfter(stored?.[field], encrypted, writeOnlySubFields(def, field));
  }
  return values;
}

/** Writes one record checkInput accepted: its rules, the row, its `create` history entry and its audit entry. */
async function createChecked(
  ctx: ApplyContext,
  def: RegisterDef,
  checked: Row,
  pointer: string,
): Promise<Row> {
  const values = withWriteOnly(ctx.keyring, def, deriveFields(def, checked));
  const hooks = writeHooks(def);
  const after = hooks.beforeWrite ? await hooks.beforeWrite(ctx, values, null, pointer) : undefined;
  // The row as stored (defaults, code, trigger-set figures), with its identity fields: the insert
  // returns what a read after it would (no trigger changes a register's own row after its insert).
  const record = await registers.insertRecord(ctx.trx, def, values, ctx.actor.id);
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
  if (after) await after();
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
  const values = withWriteOnly(
    ctx.keyring,
    def,
    await checkInput(ctx.trx, def, input, 'update', pointer),
    before,
  );
  const hooks = writeHooks(def);
  const after = hooks.beforeWrite
    ? await hooks.beforeWrite(ctx, { ...before, ...values }, id, pointer)
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
  checkHistory(def, live, ctx.report.dateOfInformation, pointer);
  const state = deriveFields(def, foldChanges(live), before);
  if (hooks.beforeUpdate) await hooks.beforeUpdate(ctx);
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
  if (after) await after();
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

/** Walks the record's states in date order and refuses a history that breaks its register's rule. */
function checkHistory(
  def: RegisterDef,
  history: Awaited<ReturnType<typeof changesOf>>,
  dateOfInformation: string,
  pointer: string,
) {
  const rule = registerModule(def).historyProblem;
  if (!rule) return;
  const state: Row = {};
  const states = orderChanges(history).map((c) => {
    Object.assign(state, c.patch);
    return { state: { ...state }, reason: c.reason, dateOfInformation: c.dateOfInformation };
  });
  const p = rule(states);
  if (p) {
    throw new Problem(
      p.code,
      { ...p.params, reportDate: dateOfInformation },
      { pointer: `${pointer}${p.where?.pointer ?? ''}` },
    );
  }
}

// ---------------------------------------------------------------------------------------
// The bulk form of the one path: imports and loaders of thousands of records.

/** A record for the bulk path: values checkInput accepted, and the identifier it has in its source. */
export interface BulkRecord {
  values: CheckedValues;
  /** Identifier in the source system (the `externalId` written, or a content hash). */
  externalId: string;
}

export interface BulkContext {
  trx: Kysely<Schema>;
  actor: Actor;
  keyring: Keyring;
  /** The direct report approved at once that holds the bulk write (openBulkReport). */
  report: { id: string; dateOfInformation: string };
  /** What the `bulk_create` audit entry says of where the records come from, e.g. `{ file, batch }`. */
  audit: Record<string, unknown>;
  /** False: write with multi-row INSERTs even on PostgreSQL, where rows otherwise go by COPY. */
  copy?: boolean;
}

export interface BulkOutcome {
  /** Ids of the records written, by the index of their record in the call (undefined: refused). */
  ids: Array<string | undefined>;
  /** Records a rule refused, by index (only registers written record by record refuse one alone). */
  refused: Array<{ index: number; problem: Problem }>;
}

/** Rows per insert statement and per `bulk_create` audit entry. */
export const BULK_BATCH_SIZE = 1000;

/**
 * Creates many records through the one path, with the same rules, history and audit as
 * applyChanges, at the speed of a bulk load: the derived fields, then the rows and their
 * `create` history entries in one statement per batch (each entry dated by the record's own
 * date of information, else the report's), and one `bulk_create` audit entry per batch (count
 * and SHA-256 of the sorted external ids, instead of one entry per record). A register whose
 * write hooks say `recordByRecord` (its rules depend on the records before it), or a record
 * carrying write-only fields, goes through applyChanges' own create, each record under a
 * savepoint so that one breaking a rule is refused without undoing the others.
 */
export async function applyChangesBulk(
  ctx: BulkContext,
  def: RegisterDef,
  records: BulkRecord[],
): Promise<BulkOutcome> {
  const outcome: BulkOutcome = { ids: [], refused: [] };
  const protectedFields = def.protectedFields ?? [];
  const oneByOne = (r: BulkRecord) =>
    writeHooks(def).recordByRecord === true || protectedFields.some((f) => r.values[f] != null);
  const bulk: Array<{ index: number; record: BulkRecord }> = [];
  for (const [index, record] of records.entries()) {
    if (!oneByOne(record)) {
      bulk.push({ index, record });
      continue;
    }
    const date = factDate(def, record.values) ?? ctx.report.dateOfInformation;
    try {
      const written = await underSavepoint(ctx.trx, () =>
        createChecked(
          { ...ctx, report: { ...ctx.report, dateOfInformation: date, reason: null }, pointer: () => '' },
          def,
          record.values,
          '',
        ),
      );
      outcome.ids[index] = written.id as string;
    } catch (err) {
      const problem = isProblem(err) ? err : problemFromDatabaseError(err);
      if (!problem) throw err;
      outcome.refused.push({ index, problem });
    }
  }
  // On PostgreSQL the rows of the whole call go by one COPY and one move (writeRecords), the audit
  // entries still one per BULK_BATCH_SIZE records; elsewhere each batch is its own statement.
  const client = ctx.copy === false || bulk.length === 0 ? null : await copyClient(ctx.trx);
  if (client) await writeRecords(ctx, def, bulk, outcome, client);
  const audits: AuditInput[] = [];
  for (let start = 0; start < bulk.length; start += BULK_BATCH_SIZE) {
    const batch = bulk.slice(start, start + BULK_BATCH_SIZE);
    if (!client) await writeRecords(ctx, def, batch, outcome, null);
    audits.push(auditOfBatch(ctx, def, batch));
  }
  await appendAudits(ctx.trx, audits);
  return outcome;
}

/** Writes records with their `create` history entries: by COPY when `client` is given, else by INSERT. */
async function writeRecords(
  ctx: BulkContext,
  def: RegisterDef,
  batch: Array<{ index: number; record: BulkRecord }>,
  outcome: BulkOutcome,
  client: PoolClient | null,
): Promise<void> {
  if (batch.length === 0) return;
  // Rows setting different fields go in separate statements, so an unset field takes its default.
  // Ids are time-ordered (UUIDv7, RFC 9562): a million records go to the right-hand end of the
  // register's and the history's indexes on them instead of to random pages of ever larger ones.
  const groups = new Map<string, Row[]>();
  for (const { index, record } of batch) {
    const id = uuidv7();
    outcome.ids[index] = id;
    const row = { id, ...deriveFields(def, record.values) };
    const key = Object.keys(row).sort().join(',');
    const group = groups.get(key) ?? [];
    group.push(row);
    groups.set(key, group);
  }
  const history = {
    reportId: ctx.report.id,
    actorId: ctx.actor.id,
    dateOfInformation: ctx.report.dateOfInformation,
    dateColumn: factDateField(def)?.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
  };
  for (const group of groups.values()) {
    if (client) await copyRecordsWithHistory(ctx.trx, client, def, group, history);
    else await insertRecordsWithHistory(ctx.trx, def, group, history);
  }
}

/** The `bulk_create` audit entry of a batch: count and SHA-256 of its sorted external ids. */
function auditOfBatch(
  ctx: BulkContext,
  def: RegisterDef,
  batch: Array<{ index: number; record: BulkRecord }>,
): AuditInput {
  const externalIds = batch.map((b) => b.record.externalId).sort();
  return {
    actorId: ctx.actor.id,
    action: 'bulk_create',
    entity: def.entity,
    recordId: null,
    reportId: ctx.report.id,
    before: null,
    after: {
      register: def.slug,
      count: batch.length,
      externalIdsSha256: createHash('sha256').update(externalIds.join('\n')).digest('hex'),
      ...ctx.audit,
    },
  };
}

/**
 * Opens the direct report, approved at once by `actor`, that holds a bulk write: every record
 * and history entry of the run points to it. `payload` says what the run was (`{ import: … }`).
 */
export async function openBulkReport(
  trx: Kysely<Schema>,
  actor: Actor,
  dateOfInformation: string,
  payload: Record<string, unknown>,
): Promise<{ id: string; dateOfInformation: string }> {
  const report = await insertReport(trx, {
    kind: 'direct',
    status: 'submitted',
    organisationId: actor.organisationId,
    dateOfInformation,
    payload: { changes: [], ...payload },
    reason: null,
    createdBy: actor.id,
  });
  await transitionReport(trx, report.id, ['submitted'], 'approved', { actorId: actor.id, stamp: 'decided' });
  return { id: report.id, dateOfInformation };
}

/** Records on the bulk report what it created, per register: `[{ op: 'create', register, count }]`. */
export async function closeBulkReport(
  trx: Kysely<Schema>,
  actor: Actor,
  reportId: string,
  counts: Array<{ register: string; count: number }>,
): Promise<void> {
  await transitionReport(trx, reportId, ['approved'], 'approved', {
    actorId: actor.id,
    stamp: 'decided',
    applied: counts.map((c) => ({ op: 'create', ...c })),
  });
}
