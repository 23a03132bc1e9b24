import { createHash } from 'node:crypto';
import { on } from 'node:events';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { TSchema } from 'typebox';
import { canonicalJson } from '../domain/canonical-json.ts';
import { Problem } from '../domain/problem.ts';
import { REFERENCE_TARGETS, type RegisterDef } from '../domain/records.ts';
import {
  applyMapping,
  type FileInput,
  type Mapping,
  type ReadOptions,
  type ReadProgress,
  readFeatures,
  type SourceFeature,
  shapefileFieldNames,
} from '../io/index.ts';
import { type CheckedValues, checkInputUnlinked, type Reference } from './changes.ts';
import { exportFields } from './exports.ts';
import { ADMIN_AREA_COLUMN } from './list-query.ts';

/**
 * What an import does to each row before the database has a say: mapping, the row's identifier,
 * conversion of text cells to the register's types, and checkInput's checks with the references
 * to other records collected instead of looked up. No I/O but the file's own reading, so it runs
 * in this thread or in a worker thread (import-worker.ts) alike; the importer (imports.ts) then
 * looks up the references, repairs geometry with PostGIS when asked, and writes.
 */

/** Geometry faults ST_MakeValid can mend; others (out of range, too many vertices) it cannot. */
const REPAIRABLE = new Set([
  'geometry.ring_not_closed',
  'geometry.self_intersection',
  'geometry.ring_intersection',
  'geometry.hole_outside_shell',
  'geometry.holes_nested',
  'geometry.interior_disconnected',
  'geometry.polygons_overlap',
  'geometry.polygons_share_edge',
  'geometry.ring_degenerate',
]);

/** Reader faults after which a row has no fields to validate. */
const UNREADABLE = new Set(['io.line.too_long', 'io.json.parse', 'io.csv.row_length', 'io.csv.quote']);
/** Reader faults about a row's geometry or coordinates. */
const READER_GEOMETRY_FAULT = /^io\.(geometry|coordinate|wkt|mgrs)\./;

/** Columns our own exports carry that the system computes or keeps: never imported back. */
const SYSTEM_COLUMNS = [
  ADMIN_AREA_COLUMN,
  'version',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'archived',
  'archivedAt',
  'geometry_wkt',
  'geometry_geojson',
  'lon',
  'lat',
];

/** Rows per chunk handed from the reading to the importer (and per message from a worker). */
export const CHUNK_ROWS = 1000;

export const isGeometryProblem = (p: Problem) =>
  p.code.startsWith('geometry.') || (p.where?.pointer ?? '').startsWith('/geometry');

/** The identifier of a row: its own, or (content) its content's hash, to be numbered if repeated. */
export interface RowId {
  externalId: string;
  content: boolean;
}

/** A row read and checked without the database: what the importer still has to settle. */
export interface CheckedRow extends RowId {
  /** 0-based feature index in the file. */
  index: number;
  /** The file's line or sheet row, when it has one. */
  row?: number;
  /** Faults of the reading and the mapping (and a missing geometry): kept whatever a repair does. */
  read: Problem[];
  /** Faults of the register's checks (schema, geometry): those a geometry repair checks again. */
  found: Problem[];
  /** The values checked, when no fault was found; the references are still to be looked up. */
  values?: CheckedValues;
  /** References to other registers' records the values hold (each one not held refuses the row). */
  references: Reference[];
  /** With --repair: a polygon whose every geometry fault PostGIS can mend, and the faults. */
  repair?: { geometry: unknown; properties: Record<string, unknown>; faults: string[] };
}

/** The JSON Schema branch of a field that is not `null`, and whether null is allowed. */
function branches(schema: TSchema): { s: Record<string, unknown>; nullable: boolean } {
  const any = (schema as { anyOf?: Array<Record<string, unknown>> }).anyOf;
  if (!any) return { s: schema as Record<string, unknown>, nullable: false };
  return { s: any.find((b) => b.type !== 'null') ?? {}, nullable: any.some((b) => b.type === 'null') };
}

/** Each field's schema branch, nullability and requiredness, worked out once per register (not per row). */
const shapesOf = new WeakMap<
  RegisterDef,
  Map<string, { s: Record<string, unknown>; nullable: boolean; required: boolean }>
>();
function fieldShapes(def: RegisterDef) {
  let shapes = shapesOf.get(def);
  if (!shapes) {
    const required = new Set(def.fields.required ?? []);
    shapes = new Map(
      Object.entries(def.fields.properties as Record<string, TSchema>).map(([k, schema]) => [
        k,
        { ...branches(schema), required: required.has(k) },
      ]),
    );
    shapesOf.set(def, shapes);
  }
  return shapes;
}

/**
 * Brings text cells of tables (CSV, XLSX, shapefile attributes, GeoPackage TEXT) to the JSON
 * types of the register's fields: `'120'` → 120 for integers, `'true'` → true, JSON text →
 * lists and objects, GDAL's `2021/05/04` → `2021-05-04` for dates, numbers → text for text fields; an empty cell of an optional field that
 * may not be null is left out (the field's default applies). Whatever cannot be converted is
 * left as it is, for checkInput to report. This is conversion, not validation.
 * Example: `coerceToFields(hazards, { beneficiaries: '120', blockedLandUse: '["grazing"]' })`
 * → `{ beneficiaries: 120, blockedLandUse: ['grazing'] }`.
 */
export function coerceToFields(
  def: RegisterDef,
  properties: Record<string, unknown>,
): Record<string, unknown> {
  const shapes = fieldShapes(def);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(properties)) {
    const shape = shapes.get(k);
    if (!shape) {
      out[k] = v;
      continue;
    }
    const { s, nullable } = shape;
    if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) {
      if (!nullable && !shape.required) continue;
      out[k] = nullable ? null : v;
      continue;
    }
    out[k] = coerceValue(v, s);
  }
  return out;
}

function coerceValue(v: unknown, s: Record<string, unknown>): unknown {
  if (typeof v === 'string') {
    const text = v.trim();
    if (s.type === 'integer' || s.type === 'number') {
      const n = Number(text);
      return Number.isFinite(n) ? n : v;
    }
    // GDAL writes dates as `2021/05/04` in the CSV and KML it makes.
    if (s.format === 'date' && /^\d{4}\/\d{2}\/\d{2}$/.test(text)) return text.replaceAll('/', '-');
    if (s.type === 'boolean') {
      if (/^(true|1|yes)$/i.test(text)) return true;
      if (/^(false|0|no)$/i.test(text)) return false;
      return v;
    }
    if ((s.type === 'array' || s.type === 'object' || s.anyOf) && /^[[{]/.test(text)) {
      try {
        return JSON.parse(text);
      } catch {
        return v;
      }
    }
    // Lists as exports write them for people (CSV, XLSX, KML, shapefile): "agriculture; grazing".
    const items = s.items as { type?: string; enum?: unknown[] } | undefined;
    if (s.type === 'array' && (items?.type === 'string' || Array.isArray(items?.enum)))
      return text === '' ? [] : text.split(/\s*;\s*/).filter((x) => x !== '');
    return v;
  }
  if (typeof v === 'number' && s.type === 'string' && s.format === undefined) return String(v);
  return v;
}

export interface RowCheckOptions {
  mapping?: Mapping;
  /** --repair: polygons with faults PostGIS can mend are handed on to be mended, not refused. */
  repair?: boolean;
}

/** The checks of one import's rows that need no database (one per import: it keeps the file's column names). */
export class RowChecker {
  private readonly shpNames: Map<string, string>;
  /** What each column name of the file becomes (null: left out); the same few names on every row, so worked out once each. */
  private readonly columnNames = new Map<string, string | null>();

  constructor(
    private readonly def: RegisterDef,
    private readonly opts: RowCheckOptions,
  ) {
    // Shapefile attribute names are cut to 10 characters by our exports (and most GIS); without a
    // mapping, the cut names of this register's export columns are read back as the full names.
    const names = exportFields(def).map((f) => f.name);
    const cut = shapefileFieldNames(names);
    this.shpNames = new Map(
      cut.map((c, i) => [c, names[i]!]).filter(([c, n]) => c !== n) as Array<[string, string]>,
    );
  }

  /** Mapping, conversion and checkInput's checks (references collected, not looked up). */
  async check(f: SourceFeature): Promise<CheckedRow> {
    const def = this.def;
    const mapping = this.opts.mapping;
    // Registers without geometry (sources) take features of any geometry, or none.
    const read: Problem[] = def.geometry
      ? [...f.problems]
      : f.problems.filter((p) => !READER_GEOMETRY_FAULT.test(p.code));
    const mapped = applyMapping(f, mapping);
    read.push(...mapped.problems);
    let properties = mapped.properties;
    let externalId: string | undefined;
    if (!mapping) {
      properties = this.withoutSystemColumns(properties);
      const own = properties.externalId ?? properties.id;
      externalId =
        own !== null && own !== undefined && String(own).trim() !== '' ? String(own) : f.externalId;
      delete properties.id;
    } else {
      const v = properties.externalId;
      externalId = v !== null && v !== undefined && String(v).trim() !== '' ? String(v) : undefined;
    }
    // Compared with the identifiers seen before it once its batch is read (the importer's settleIds).
    const id: RowId =
      externalId === undefined ? { externalId: contentId(f), content: true } : { externalId, content: false };
    properties.externalId = id.externalId;
    properties = coerceToFields(def, properties);
    const row: CheckedRow = { ...id, index: f.index, read, found: [], references: [] };
    if (f.row !== undefined) row.row = f.row;

    // A row the reader could not split into fields has nothing more to check.
    if (read.some((p) => UNREADABLE.has(p.code))) return row;
    const geometry = def.geometry ? f.geometry : undefined;
    const readerGeometryFault = read.some((p) => READER_GEOMETRY_FAULT.test(p.code));
    if (def.geometry?.required && f.geometry === null && !readerGeometryFault) {
      read.push(new Problem('io.geometry.null', {}, { row: f.row ?? f.index, field: 'geometry' }));
    }
    // The reader's fault already says what is wrong with the geometry; checkInput would only repeat it.
    const geometryKnownBad = def.geometry !== undefined && (f.geometry === null || readerGeometryFault);
    const checked = await checkInputUnlinked(def, { geometry, properties }, 'create');
    row.references = checked.references;
    if ('values' in checked) {
      row.values = checked.values;
      return row;
    }
    row.found = geometryKnownBad ? checked.problems.filter((p) => !isGeometryProblem(p)) : checked.problems;
    const geometryFaults = row.found.filter(isGeometryProblem);
    if (
      this.opts.repair &&
      def.geometry?.kind === 'MultiPolygon' &&
      geometry &&
      geometryFaults.length > 0 &&
      geometryFaults.every((p) => REPAIRABLE.has(p.code))
    ) {
      row.repair = { geometry, properties, faults: [...new Set(geometryFaults.map((p) => p.code))] };
    }
    return row;
  }

  private withoutSystemColumns(properties: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(properties)) {
      let name = this.columnNames.get(k);
      if (name === undefined) {
        name = this.columnName(k);
        this.columnNames.set(k, name);
      }
      if (name !== null) out[name] = v;
    }
    return out;
  }

  private columnName(k: string): string | null {
    const fields = this.def.fields.properties as Record<string, unknown>;
    // The labels exports write beside reference ids (`organisation` beside `organisationId`).
    const labels = new Set(
      Object.keys(fields)
        .filter((f) => REFERENCE_TARGETS[f])
        .map((f) => f.replace(/Id$/, '')),
    );
    const skip = (c: string) =>
      SYSTEM_COLUMNS.includes(c) ||
      (c in this.def.readOnly && !(c in fields)) ||
      (labels.has(c) && !(c in fields));
    if (skip(k)) return null;
    const name = !(k in fields) && this.shpNames.has(k) ? this.shpNames.get(k)! : k;
    return skip(name) ? null : name;
  }
}

/** A stable identifier for a feature without one: its content's hash (numbered by the importer when identical features repeat). */
function contentId(f: SourceFeature): string {
  return `sha256:${createHash('sha256')
    .update(canonicalJson({ geometry: f.geometry, properties: f.properties }))
    .digest('hex')
    .slice(0, 32)}`;
}

/** Where the rows of a file come from, and what happens to the reading's notices on the way. */
export interface RowSourceOptions {
  /** The register's slug. */
  register: string;
  /** The reader's options, without its callbacks. */
  read: Omit<ReadOptions, 'onProgress' | 'onWarning'>;
  check: RowCheckOptions;
  /**
   * Chunks a worker may read ahead of the caller (default 4). The caller takes rows while the
   * database writes the batch before, so a worker should be allowed one batch or more ahead.
   */
  ahead?: number;
  onProgress: (p: ReadProgress) => void;
  onWarning: (p: Problem) => void;
}

/** The rows of a file read and checked in this thread, CHUNK_ROWS at a time. */
export async function* checkedRows(
  def: RegisterDef,
  file: FileInput,
  opts: Omit<RowSourceOptions, 'register'>,
): AsyncGenerator<CheckedRow[]> {
  const checker = new RowChecker(def, opts.check);
  let chunk: CheckedRow[] = [];
  for await (const f of readFeatures(file, {
    ...opts.read,
    onProgress: opts.onProgress,
    onWarning: opts.onWarning,
  })) {
    chunk.push(await checker.check(f));
    if (chunk.length >= CHUNK_ROWS) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** A problem as it crosses between threads (a Problem is an Error: its class would not). */
export interface WireProblem {
  code: string;
  params: Problem['params'];
  where?: Problem['where'];
}

export const toWire = (p: Problem): WireProblem => ({ code: p.code, params: p.params, where: p.where });
export const fromWire = (p: WireProblem): Problem => new Problem(p.code, p.params, p.where);

export type WireRow = Omit<CheckedRow, 'read' | 'found'> & { read: WireProblem[]; found: WireProblem[] };

export const rowToWire = (r: CheckedRow): WireRow => ({
  ...r,
  read: r.read.map(toWire),
  found: r.found.map(toWire),
});

/** A row back from a worker; its values were checked there by checkInput's checks. */
export const rowFromWire = (r: WireRow): CheckedRow => ({
  ...r,
  read: r.read.map(fromWire),
  found: r.found.map(fromWire),
});

/** What a worker is given: the file and the options, without the callbacks. */
export type WorkerJob = Omit<RowSourceOptions, 'onProgress' | 'onWarning'> & { file: FileInput };

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; progress: ReadProgress }
  | { type: 'warning'; problem: WireProblem }
  | { type: 'rows'; rows: WireRow[] }
  | { type: 'end' }
  | { type: 'error'; problem?: WireProblem; message: string };

/**
 * The import worker threads of this process. A thread takes about 1.3 s to start (it loads the
 * readers and the registers' schemas through tsx) and holds some 120 MB, so one is kept after an
 * import, idle and not holding the process open, for IDLE_MS, then ended; `warm` starts it ahead
 * of need (`safeground import`, while the database opens). Threads beyond the one kept (imports
 * running at the same time) end with their import.
 */
class ImportWorkers {
  private idle: Worker | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  /** Whether this machine has a core for a worker besides the thread that runs the database. */
  get useful(): boolean {
    return availableParallelism() > 1;
  }

  /** Whether a thread is kept, idle, for the next import. */
  get kept(): boolean {
    return this.idle !== null;
  }

  /** Starts the thread kept for the next import, if there is none. */
  warm(): void {
    if (this.useful && !this.idle) this.keep(this.start());
  }

  take(): Worker {
    const worker = this.idle ?? this.start();
    this.keep(null);
    worker.ref();
    return worker;
  }

  /** A thread whose job ended cleanly: kept if none is, else ended. */
  give(worker: Worker): void {
    worker.unref();
    if (this.idle) void worker.terminate();
    else this.keep(worker);
  }

  /** The thread kept idle (null: none), ended after IDLE_MS unless an import takes it. */
  private keep(worker: Worker | null): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.idle = worker;
    if (!worker) return;
    this.idleTimer = setTimeout(() => {
      if (this.idle === worker) this.keep(null);
      void worker.terminate();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  private start(): Worker {
    const worker = new Worker(new URL('./import-worker.mjs', import.meta.url));
    worker.unref();
    // A thread that fails while idle is forgotten; a job in progress hears of it itself.
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      if (this.idle === worker) this.keep(null);
    });
    return worker;
  }
}

/** How long a worker is kept idle for the next import. */
const IDLE_MS = 10 * 60_000;

export const importWorkers = new ImportWorkers();

/**
 * The rows of a file read and checked in a worker thread (import-worker.ts), CHUNK_ROWS at a
 * time, as checkedRows gives them: the same rows, progress and notices, in the same order; a file
 * that cannot be read throws the same Problem. The reading runs ahead of the caller by `ahead`
 * chunks at most. Stopping early (a failed write) ends the thread.
 */
export async function* checkedRowsInWorker(
  file: FileInput,
  opts: RowSourceOptions,
): AsyncGenerator<CheckedRow[]> {
  const job: WorkerJob = {
    register: opts.register,
    read: opts.read,
    check: opts.check,
    ahead: opts.ahead,
    file,
  };
  const worker = importWorkers.take();
  const stopped = new AbortController();
  const exited = (exitCode: number) => stopped.abort(new Problem('import.worker.stopped', { exitCode }));
  worker.once('exit', exited);
  let clean = false;
  try {
    worker.postMessage({ type: 'job', job });
    for await (const [message] of on(worker, 'message', { signal: stopped.signal })) {
      const m = message as WorkerMessage;
      if (m.type === 'progress') opts.onProgress(m.progress);
      else if (m.type === 'warning') opts.onWarning(fromWire(m.problem));
      else if (m.type === 'rows') {
        yield m.rows.map(rowFromWire);
        worker.postMessage({ type: 'taken' });
      } else if (m.type === 'end') {
        clean = true;
        return;
      } else if (m.type === 'error') {
        clean = true;
        throw m.problem ? fromWire(m.problem) : new Error(m.message);
      }
    }
  } catch (err) {
    throw stopped.signal.aborted ? stopped.signal.reason : err;
  } finally {
    worker.off('exit', exited);
    if (clean) importWorkers.give(worker);
    else await worker.terminate();
  }
}
