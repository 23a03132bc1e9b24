import type { Kysely } from 'kysely';
import { type Database, type Schema, withTransaction } from '../db/connect.ts';
import { adminAreaNames } from '../db/repositories/admin-area-names.ts';
import { appendAudit, recordHistory } from '../db/repositories/audit.ts';
import { linkSource, sourcesOf, unlinkSource } from '../db/repositories/record-sources.ts';
import * as repo from '../db/repositories/registers.ts';
import { deriveFields } from '../domain/derive.ts';
import { can } from '../domain/permissions.ts';
import { Problem } from '../domain/problem.ts';
import { factDate, type RegisterDef } from '../domain/records.ts';
import { OPERATOR_ROLES } from '../domain/reports.ts';
import { type Actor, assertCan } from './actor.ts';
import { recordInput } from './changes.ts';
import { ADMIN_AREA_COLUMN, isUuid, type RecordFilter } from './list-query.ts';
import { decryptIdentity, type Keyring, recordIdentityRead } from './personal-data.ts';
import type { ReportService } from './reports.ts';
import {
  renderTile,
  type TileAddress,
  type TileEncoder,
  type TileFilters,
  type TileLayer,
  type TileRenderer,
} from './tiles.ts';

export type RecordOut = repo.Row;

/**
 * GeoJSON text as `JSON.stringify(JSON.parse(text))` would write it. PostGIS writes numbers with
 * at most 9 decimals and no exponent, which JavaScript writes the same way, except magnitudes
 * below 10⁻⁶ (JavaScript: 1e-7), negative zero and exponents: those few are parsed and written.
 */
export function geoJsonText(text: string | null): string {
  if (text === null) return 'null';
  return /[0-9.]e|-0[,\]]|\.0{6}/i.test(text) ? JSON.stringify(JSON.parse(text)) : text;
}

/**
 * A copy of a record without some of its fields, in the same key order. A loop rather than a
 * spread and `delete` (or a rest pattern): lists copy hundreds of records a request, and those
 * copies cost three times as much.
 */
function without(record: RecordOut, fields: ReadonlySet<string>): RecordOut {
  const out: RecordOut = {};
  for (const k in record) if (!fields.has(k)) out[k] = record[k];
  return out;
}

/**
 * Writes records that all have the same keys in the same order (the rows of one statement) as
 * the JSON text `JSON.stringify` makes of them without `fields`, then `last` as their last
 * member. The members' names are written once for the page instead of once a record: the list
 * route writes hundreds of records of some thirty fields a request.
 */
function recordsJsonWriter(
  first: RecordOut | undefined,
  fields: ReadonlySet<string>,
  last: string,
): (record: RecordOut, lastValue: unknown) => string {
  const keys = first ? Object.keys(first).filter((k) => !fields.has(k) && k !== last) : [];
  const names = keys.map((k) => `${JSON.stringify(k)}:`);
  const lastName = `${JSON.stringify(last)}:`;
  return (record, lastValue) => {
    let out = '{';
    for (let i = 0; i < keys.length; i++) {
      const json = JSON.stringify(record[keys[i]!]);
      // As JSON.stringify leaves out a member whose value has no JSON (undefined).
      if (json !== undefined) out += `${names[i]}${json},`;
    }
    return `${out}${lastName}${JSON.stringify(lastValue)}}`;
  };
}

/** A page by position (OGC API - Features pages by offset). */
export type OffsetQuery = Omit<repo.ListQuery, 'after'> & { offset: number };

/** Records read per query while a whole register is read out (exports, CSV lists). */
const READ_OUT_PAGE = 5000;

/**
 * A register as the HTTP routes and the CLI see it: reads, and direct writes by authority roles,
 * which go through the report path (src/services/reports.ts → changes.ts) like every change.
 *
 * This is the one read path of a register: REST lists, records, history and sources, OGC API
 * items, vector tiles and exports all read through the methods below, which make the
 * permission check (`record.read`, `data.export`, `audit.read`) and strip identity fields in
 * one place (`published`); only `get` with `identity` asked by a role that may read it decrypts them.
 */
export class RegisterService {
  /** Fields never published (identity, write-only fields). */
  private readonly unpublished: ReadonlySet<string>;
  /** Neither published nor a feature's property in a list (`archivedAt` too). */
  private readonly notProperties: ReadonlySet<string>;

  constructor(
    private readonly database: Database,
    readonly def: RegisterDef,
    private readonly reports: ReportService,
    private readonly keyring: Keyring,
  ) {
    this.unpublished = new Set([...(def.protectedFields ?? []), 'identity']);
    this.notProperties = new Set([...this.unpublished, 'archivedAt']);
  }

  async create(actor: Actor, body: unknown): Promise<RecordOut> {
    const input = recordInput(this.def, body);
    const record = await this.reports.directWrite(
      actor,
      this.def,
      { op: 'create', register: this.def.slug, record: body },
      {
        dateOfInformation: factDate(this.def, input.properties),
      },
    );
    return this.visible(actor, record, false);
  }

  async update(actor: Actor, id: string, expectedVersion: number, body: unknown): Promise<RecordOut> {
    const input = recordInput(this.def, body);
    const record = await this.reports.directWrite(
      actor,
      this.def,
      { op: 'update', register: this.def.slug, id, record: body },
      {
        expectedVersion,
        dateOfInformation: factDate(this.def, input.properties),
      },
    );
    return this.visible(actor, record, false);
  }

  async archive(actor: Actor, id: string, expectedVersion: number): Promise<RecordOut> {
    const record = await this.reports.directWrite(
      actor,
      this.def,
      { op: 'archive', register: this.def.slug, id },
      { expectedVersion },
    );
    return this.visible(actor, record, false);
  }

  /**
   * Whether the actor may write this register (and, given an id, whether the record exists),
   * decided before anything the write carries (body, If-Match) is looked at.
   */
  async authoriseWrite(actor: Actor, id?: string): Promise<void> {
    assertCan(actor, 'record.write', this.def);
    if (id !== undefined && !(await repo.recordExists(this.database.db, this.def.table, id)))
      throw new Problem('record.not_found', { entity: this.def.entity, id }, { pointer: '' });
  }

  /**
   * One record; identity fields only when a role that may read them asks explicitly. As at a
   * date, the record as it stood then (not found if it did not exist yet).
   */
  async get(actor: Actor, id: string, opts: { identity?: boolean; asAt?: string } = {}): Promise<RecordOut> {
    assertCan(actor, 'record.read', this.def);
    if (opts.identity) assertCan(actor, 'identity.read', this.def);
    const record = await repo.getRecord(this.database.db, this.def, id, {
      identity: opts.identity === true,
      asAt: opts.asAt,
    });
    if (!record || !this.inScope(actor, record))
      throw new Problem('record.not_found', { entity: this.def.entity, id }, { pointer: '' });
    if (opts.identity) await this.logIdentityRead(actor, id, record.identity, opts.asAt);
    return this.visible(actor, this.derived(record, opts.asAt), opts.identity === true);
  }

  /** A read of an identity that holds one is recorded first (which fields, never their values). */
  private async logIdentityRead(actor: Actor, id: string, stored: unknown, asAt: string | undefined) {
    const fields = Object.entries((stored ?? {}) as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k]) => k);
    if (fields.length === 0) return;
    await recordIdentityRead(this.database, actor.id, this.def.entity, id, {
      fields,
      ...(asAt ? { asAt } : {}),
    });
  }

  async list(
    actor: Actor,
    query: repo.ListQuery,
  ): Promise<{ records: RecordOut[]; next?: { value: unknown; id: string } }> {
    assertCan(actor, 'record.read', this.def);
    query = this.scoped(actor, query);
    const db = this.reads(actor);
    const rows = await repo.listRecords(db, this.def, { ...query, limit: query.limit + 1 });
    const records = await this.withAdminArea(
      db,
      rows.slice(0, query.limit).map((r) => this.published(this.derived(r, query.asAt))),
    );
    const last = records[records.length - 1];
    return {
      records,
      next:
        rows.length > query.limit && last
          ? { value: last[query.sortField], id: last.id as string }
          : undefined,
    };
  }

  /**
   * A page of a register with a geometry as it is today, as the JSON text of its GeoJSON features:
   * the same features, in the same order and with the same bytes, as `list` turned into features
   * and written by `JSON.stringify` (the list route's answer), without parsing each geometry
   * PostGIS wrote and writing it again. Admin-area names come in the same statement.
   */
  async listFeatureJson(
    actor: Actor,
    query: Omit<repo.ListQuery, 'asAt'>,
  ): Promise<{ features: string[]; next?: { value: unknown; id: string } }> {
    assertCan(actor, 'record.read', this.def);
    if (!this.def.geometry) throw new Error(`${this.def.slug} has no geometry`);
    query = this.scoped(actor, query);
    const rows = await repo.listFeatureRows(this.reads(actor), this.def, {
      ...query,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    // As present() in the list route: no archivedAt, the geometry outside the properties, the
    // admin area's name last.
    const properties = recordsJsonWriter(page[0]?.record, this.notProperties, ADMIN_AREA_COLUMN);
    const features = page.map(
      ({ record, geometryText, adminAreaName }) =>
        `{"type":"Feature","id":${JSON.stringify(record.id)},"geometry":${geoJsonText(geometryText)},"properties":${properties(record, adminAreaName ?? null)}}`,
    );
    const last = page[page.length - 1]?.record;
    return {
      features,
      next:
        rows.length > query.limit && last
          ? { value: last[query.sortField], id: last.id as string }
          : undefined,
    };
  }

  async count(
    actor: Actor,
    query: Omit<repo.ListQuery, 'sortField' | 'descending' | 'limit' | 'after'>,
  ): Promise<number> {
    assertCan(actor, 'record.read', this.def);
    return repo.countRecords(this.reads(actor), this.def, this.scoped(actor, query));
  }

  /** The change history of one record (audit readers only). */
  async history(actor: Actor, id: string) {
    assertCan(actor, 'audit.read', this.def);
    await this.get(actor, id);
    return recordHistory(this.database.db, this.def.entity, id);
  }

  /** One page by position and the number of records the filters match (OGC API items). */
  async page(actor: Actor, query: OffsetQuery): Promise<{ records: RecordOut[]; numberMatched: number }> {
    assertCan(actor, 'record.read', this.def);
    query = this.scoped(actor, query);
    const { offset: _offset, ...countQuery } = query;
    const db = this.reads(actor);
    const numberMatched = await repo.countRecords(db, this.def, countQuery);
    // Past the end there is nothing to read; skip the query.
    const rows = query.offset >= numberMatched ? [] : await repo.listRecordsOffset(db, this.def, query);
    return { records: rows.map((r) => this.published(this.derived(r, query.asAt))), numberMatched };
  }

  /**
   * One record as published to GIS clients: never archived, never with identity fields; as at a
   * date, as it stood then (not found if it did not exist yet or was archived by then).
   */
  async publishedRecord(actor: Actor, id: string, asAt?: string): Promise<RecordOut> {
    assertCan(actor, 'record.read', this.def);
    const record = await repo.getRecord(this.reads(actor), this.def, id, { identity: false, asAt });
    if (!record || record.archived || !this.inScope(actor, record))
      throw new Problem('record.not_found', { entity: this.def.entity, id }, { pointer: '' });
    return this.published(record);
  }

  /** Spatial and temporal extent of the register's records that are not archived (as at a date if given). */
  async extent(actor: Actor, asAt?: string): Promise<repo.RegisterExtent> {
    assertCan(actor, 'record.read', this.def);
    return repo.registerExtent(this.reads(actor), this.def, asAt);
  }

  /**
   * Every record matching the filter, page by page in id order, for files (exports, CSV lists).
   * The checks are made before the first record is read; identity fields are never read.
   */
  readOut(
    actor: Actor,
    filter: RecordFilter,
    opts: { maxRecords?: number; pageSize?: number } = {},
  ): AsyncGenerator<RecordOut> {
    assertCan(actor, 'data.export', this.def);
    assertCan(actor, 'record.read', this.def);
    return this.readAll(
      this.reads(actor),
      this.scoped(actor, filter),
      opts.maxRecords ?? Number.POSITIVE_INFINITY,
      opts.pageSize ?? READ_OUT_PAGE,
    );
  }

  private async *readAll(
    db: Kysely<Schema>,
    filter: RecordFilter,
    maxRecords: number,
    pageSize: number,
  ): AsyncGenerator<RecordOut> {
    let after: repo.ListQuery['after'];
    let read = 0;
    for (;;) {
      const rows = await repo.listRecords(db, this.def, {
        ...filter,
        sortField: 'id',
        descending: false,
        limit: pageSize,
        after,
      });
      for (const record of await this.withAdminArea(
        db,
        rows.map((r) => this.published(this.derived(r, filter.asAt))),
      )) {
        if (read++ >= maxRecords) return;
        yield record;
      }
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1]!;
      after = { value: last.id, id: last.id as string };
    }
  }

  /**
   * Records of a register with a geometry, each with `adminAreaName`: the lowest admin area it
   * lies in (null outside every one). Lists and files carry it as a column; it is not a field.
   */
  private async withAdminArea(db: Kysely<Schema>, records: RecordOut[]): Promise<RecordOut[]> {
    if (!this.def.geometry) return records;
    const names = await adminAreaNames(
      db,
      this.def,
      records.map((r) => r.id as string),
    );
    return records.map((r) => ({ ...r, [ADMIN_AREA_COLUMN]: names.get(r.id as string) ?? null }));
  }

  /**
   * A vector tile of one of the register's map layers (the layer's properties never hold
   * identity); `render` makes it (the tile service passes one that keeps a cache).
   */
  async tile(
    actor: Actor,
    layer: TileLayer,
    address: TileAddress,
    filters: TileFilters,
    encoder: TileEncoder,
    render: TileRenderer = renderTile,
  ): Promise<Uint8Array> {
    assertCan(actor, 'record.read', this.def);
    return render({ ...this.database, db: this.reads(actor) }, layer, address, filters, encoder);
  }

  async sources(actor: Actor, id: string): Promise<RecordOut[]> {
    await this.get(actor, id);
    return sourcesOf(this.database.db, this.def.slug, id);
  }

  /** Links or unlinks a supporting document; an audited change by an authority role. */
  async setSource(actor: Actor, id: string, sourceId: unknown, linked: boolean): Promise<void> {
    assertCan(actor, 'record.write', this.def);
    if (typeof sourceId !== 'string' || !isUuid(sourceId)) {
      throw new Problem(
        'validation.format',
        { field: 'sourceId', value: String(sourceId), format: 'uuid' },
        { pointer: '/sourceId' },
      );
    }
    await withTransaction(this.database.db, async (trx) => {
      if (!(await repo.recordExists(trx, this.def.table, id)))
        throw new Problem('record.not_found', { entity: this.def.entity, id }, { pointer: '' });
      if (!(await repo.recordExists(trx, 'sources', sourceId))) {
        throw new Problem(
          'record.reference_not_found',
          { field: 'sourceId', id: sourceId },
          { pointer: '/sourceId' },
        );
      }
      const changed = linked
        ? await linkSource(trx, this.def.slug, id, sourceId, actor.id)
        : await unlinkSource(trx, this.def.slug, id, sourceId);
      if (!changed && !linked)
        throw new Problem('record.not_found', { entity: 'source_link', id: sourceId }, { pointer: '' });
      if (changed) {
        await appendAudit(trx, {
          actorId: actor.id,
          action: linked ? 'link_source' : 'unlink_source',
          entity: this.def.entity,
          recordId: id,
          before: linked ? null : { sourceId },
          after: linked ? { sourceId } : null,
        });
      }
    });
  }

  /**
   * The database for this actor's reads that may lag: lists, counts, OGC API pages and items,
   * extents, files and tiles. A replica when there are any (src/db/replicas.ts decides which, and
   * keeps the actor on the primary until a replica has their last write); the primary otherwise.
   * One record (`get`, history, sources) and every check before a write read the primary: that
   * is the record a user acts on next, with its version for If-Match.
   */
  private reads(actor: Actor): Kysely<Schema> {
    return this.database.reader(actor.id);
  }

  /**
   * A register read by organisation (`organisationScope`): operators see only their own
   * organisation's records; every other role sees all.
   */
  private scopedTo(actor: Actor): string | undefined {
    const field = this.def.organisationScope;
    if (!field || !OPERATOR_ROLES.includes(actor.role)) return undefined;
    return actor.organisationId ?? '00000000-0000-0000-0000-000000000000';
  }

  private scoped<Q extends { equals: Array<[string, string]> }>(actor: Actor, query: Q): Q {
    const organisationId = this.scopedTo(actor);
    if (!organisationId) return query;
    const column = repo.snake(this.def.organisationScope!);
    return { ...query, equals: [...query.equals, [column, organisationId]] };
  }

  private inScope(actor: Actor, record: RecordOut): boolean {
    const organisationId = this.scopedTo(actor);
    return !organisationId || record[this.def.organisationScope!] === organisationId;
  }

  /** A record read as at a date gets its derived fields from the values of that date. */
  private derived(record: RecordOut, asAt: string | undefined): RecordOut {
    if (!asAt) return record;
    // Fields left empty are not given (an age band given without an age stays as given).
    const given = Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null && v !== undefined));
    return { ...record, ...deriveFields(this.def, given) };
  }

  /** A record without its identity fields: what every reader but an explicit identity read gets. */
  private published(record: RecordOut): RecordOut {
    return without(record, this.unpublished);
  }

  private visible(actor: Actor, record: RecordOut, identity: boolean): RecordOut {
    const { identity: stored, ...rest } = record;
    if (!identity || !stored || !can(actor.role, 'identity.read')) return rest;
    return { ...rest, identity: decryptIdentity(this.keyring, stored as Record<string, string>) };
  }
}
