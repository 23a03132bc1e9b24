import type { Kysely } from 'kysely';
import type { Database, Schema } from '../db/connect.ts';
import {
  addSeenIds,
  createSeenIds,
  deferBulkDerivedData,
  externalIdsHeld,
  finishBulkWrite,
  makeValidPolygons,
  seenIdsAmong,
} from '../db/repositories/imports.ts';
import { IMPORT_REGISTERS } from '../domain/exchange.ts';
import { eachProblem, isProblem, Problem } from '../domain/problem.ts';
import { type RegisterDef, registerBySlug } from '../domain/records.ts';
import { t } from '../i18n/catalogue.ts';
import type { FileInput, Format, Mapping, Reject } from '../io/index.ts';
import { inputSize } from '../io/source.ts';
import { type Actor, assertCan } from './actor.ts';
import {
  applyChangesBulk,
  BULK_BATCH_SIZE,
  type CheckedValues,
  checkInput,
  closeBulkReport,
  openBulkReport,
  referenceNotFound,
  referencesHeld,
} from './changes.ts';
import {
  CHUNK_ROWS,
  type CheckedRow,
  checkedRows,
  checkedRowsInWorker,
  importWorkers,
  isGeometryProblem,
  type RowId,
  type RowSourceOptions,
} from './import-check.ts';
import type { Keyring } from './personal-data.ts';
import { writeHooks } from './register-hooks/index.ts';
import { FingerprintSet } from './seen-ids.ts';

/**
 * Imports a file into one register: every feature is read (src/io), mapped, and validated by
 * the same checks as checkInput, which every write goes through (import-check.ts: in a worker
 * thread for large files); the valid ones are written in one transaction through the bulk form
 * of the one write path (applyChangesBulk), under one direct report approved at once, so that
 * history, audit and rules are the same as for any write. Bad rows never stop the import: each is
 * reported with its index, row, field, code and message.
 */

/**
 * Valid records written per call of the bulk path: one COPY and one move per 10 000 on
 * PostgreSQL (fewer, larger statements: the findings' cluster cells are summed once per
 * statement); 5 000 elsewhere, as INSERTs of 1 000 (one look-up of the ids the register holds
 * per call: 1 000 a call made an import of 100 000 findings 6–8 % slower on PGlite); a
 * `bulk_create` audit entry per 1 000 either way.
 */
const BATCH_SIZE = 5 * BULK_BATCH_SIZE;
const COPY_BATCH_SIZE = 10 * BULK_BATCH_SIZE;
/** Reject lines kept in a summary (the rejects file has them all). */
export const SUMMARY_REJECTS_MAX = 1000;

export interface ImportProgress {
  /** Features read so far. */
  read: number;
  /** Features in the file, known once it is read to the end. */
  total?: number;
  /** Share of the file read, 0–100. */
  percent?: number;
}

export interface ImportOptions {
  /** Register slug, one of IMPORT_REGISTERS. */
  register: string;
  mapping?: Mapping;
  /** CRS of the file's coordinates (overrides the file's own and the mapping's). */
  crs?: string;
  format?: Format;
  repair?: boolean;
  strict?: boolean;
  dryRun?: boolean;
  /** Language of the reject messages. */
  locale?: string;
  /** Name of the file in the report and audit (default: the path's or upload's name). */
  sourceName?: string;
  onProgress?: (p: ImportProgress) => void;
}

export interface RepairedRow {
  index: number;
  row?: number;
  externalId: string;
  /** The geometry faults the repair mended. */
  codes: string[];
}

export interface ImportSummary {
  register: string;
  read: number;
  /** Records written (0 for a dry run, or when --strict refused the file). */
  imported: number;
  /** Records that passed validation and are new: what was or would be imported. */
  valid: number;
  repaired: number;
  /** Features rejected (a feature with several faults counts once). */
  rejected: number;
  /** Features whose external id the register already holds (an earlier run imported them). */
  skipped: number;
  dryRun: boolean;
  strict: boolean;
  /** --strict and some feature was rejected: nothing was imported. */
  refused: boolean;
  reportId: string | null;
  repairedRows: RepairedRow[];
  rejectsByCode: Record<string, number>;
  /** One line per fault (index, row, field, code, message), at most SUMMARY_REJECTS_MAX in summaries sent over HTTP. */
  rejects: Reject[];
  /** File-level notices, e.g. a shapefile without .prj read as WGS 84. */
  warnings: Array<{ code: string; message: string }>;
}

/** A register open to imports, or `import.register_unsupported`. */
export function importableRegister(slug: string): RegisterDef {
  const def = registerBySlug(slug);
  if (!def || !(IMPORT_REGISTERS as readonly string[]).includes(slug)) {
    throw new Problem(
      'import.register_unsupported',
      { register: slug, registers: IMPORT_REGISTERS.join(', ') },
      { pointer: '/as', field: 'as' },
    );
  }
  return def;
}

/** The summary line of an import, in the given language. */
export function summaryLine(s: ImportSummary, locale: string): string {
  const counts = {
    read: s.read,
    imported: s.imported,
    valid: s.valid,
    repaired: s.repaired,
    rejected: s.rejected,
    skipped: s.skipped,
  };
  if (s.dryRun) return t('import.summary.dry_run', counts, locale);
  if (s.refused) return t('import.summary.refused', counts, locale);
  return t('import.summary', counts, locale);
}

/** Closes rings whose last position differs from the first, before PostGIS sees them (it refuses open rings). */
function closeRings(geometry: unknown): unknown {
  const g = geometry as { type: string; coordinates: unknown };
  const closeRing = (ring: number[][]) => {
    if (!Array.isArray(ring) || ring.length === 0) return ring;
    const [a, b] = [ring[0]!, ring[ring.length - 1]!];
    return a[0] === b[0] && a[1] === b[1] ? ring : [...ring, a];
  };
  if (g.type === 'Polygon')
    return { type: 'Polygon', coordinates: (g.coordinates as number[][][]).map(closeRing) };
  if (g.type === 'MultiPolygon') {
    return {
      type: 'MultiPolygon',
      coordinates: (g.coordinates as number[][][][]).map((p) => p.map(closeRing)),
    };
  }
  return geometry;
}

/** Field a problem is about: its own `field`, else the first segment of its pointer under properties. */
function fieldOf(p: Problem): string | undefined {
  if (p.where?.field) return p.where.field;
  const pointer = p.where?.pointer ?? '';
  if (pointer.startsWith('/geometry')) return 'geometry';
  const m = /^\/properties\/([^/]+)/.exec(pointer) ?? /^\/([^/]+)/.exec(pointer);
  return m?.[1];
}

type Checked = RowId &
  ({ ok: true; values: CheckedValues; repairedCodes: string[] } | { ok: false; problems: Problem[] });

/** Where a row is in the file: its index, and its line or sheet row when it has one. */
type Place = Pick<CheckedRow, 'index' | 'row'>;

/** A row read and checked: with its values when it passed the checks (it then waits to be written). */
interface ReadRow extends RowId {
  feature: Place;
  values?: CheckedValues;
  repairedCodes?: string[];
}

/** A row that passed the checks, in the batch waiting to be written. */
type Pending = Required<ReadRow>;

/**
 * The external ids an import has seen, to refuse one that appears earlier in the file and to
 * number identical rows without one. In memory as fingerprints up to a bound (SEEN_IN_MEMORY),
 * those seen after in a temporary table of the import's transaction, so that memory does not grow
 * with the file; all in memory for a dry run, which has no transaction.
 */
interface SeenIds {
  /** Adds the ids; returns those that were not seen before. */
  add(ids: string[]): Promise<Set<string>>;
  /** Which of the ids were seen. */
  among(ids: string[]): Promise<Set<string>>;
}

function seenInMemory(seen = new FingerprintSet()): SeenIds {
  return {
    add: async (ids) => {
      const fresh = new Set<string>();
      for (const id of ids) if (seen.add(id)) fresh.add(id);
      return fresh;
    },
    among: async (ids) => new Set(ids.filter((id) => seen.has(id))),
  };
}

/** Ids seen kept in a temporary table of the transaction `db` (made here, dropped with it). */
async function seenInDatabase(db: Kysely<Schema>): Promise<SeenIds> {
  await createSeenIds(db);
  return { add: (ids) => addSeenIds(db, ids), among: (ids) => seenIdsAmong(db, ids) };
}

/**
 * Ids seen kept in memory (as fingerprints) while they are at most `limit`; those seen after, in a
 * temporary table of the transaction `db`: most files are read without a statement for their ids,
 * and a file of millions of rows holds no more than `limit` fingerprints in memory.
 */
function seenInTransaction(db: Kysely<Schema>, limit: number): SeenIds {
  const held = new FingerprintSet();
  const memory = seenInMemory(held);
  let table: SeenIds | null = null;
  return {
    add: async (ids) => {
      if (!table && held.size + ids.length > limit) table = await seenInDatabase(db);
      if (!table) return memory.add(ids);
      const earlier = await memory.among(ids);
      return table.add(ids.filter((id) => !earlier.has(id)));
    },
    among: async (ids) => {
      const earlier = await memory.among(ids);
      if (!table) return earlier;
      for (const id of await table.among(ids.filter((id) => !earlier.has(id)))) earlier.add(id);
      return earlier;
    },
  };
}

/**
 * External ids an import keeps in memory, as fingerprints, before it keeps those it sees next in
 * its transaction's temporary table: at most 32 MB (2²¹ slots of 16 bytes), whatever the ids.
 */
const SEEN_IN_MEMORY = 1_500_000;
/** Rows read between two turns of the event loop (some tens of milliseconds of reading and checking). */
const TURN_EVERY_ROWS = 1000;

/** Thrown inside the transaction to undo it (dry run of land release, --strict refusal). */
class RollBack extends Error {}

export interface ImportServiceOptions {
  /**
   * False: write with multi-row INSERTs on PostgreSQL too (the path PGlite always takes), one
   * batch after the other. Default: rows go by COPY, and the next batch is read and checked while
   * the database writes the one before.
   */
  copy?: boolean;
  /** Rows read and checked per batch written (default 10 000 by COPY, 5 000 by INSERT). */
  batchSize?: number;
  /**
   * External ids kept in memory (as fingerprints) before those seen next go to the import's
   * temporary table (default 1 500 000).
   */
  seenInMemory?: number;
  /**
   * Where rows are read and checked: `auto` (default) in a worker thread for files of
   * WORKER_MIN_BYTES or more (KEPT_WORKER_MIN_BYTES when a worker is kept idle) when the
   * machine has more than one core, else in this thread;
   * `always` and `never` decide alone.
   */
  worker?: 'auto' | 'always' | 'never';
}

/**
 * Files from which an import reads and checks its rows in a worker thread. The worker spares the
 * server's thread some 20 µs a row of a CSV of findings (reading, mapping, checks; more for
 * polygons) for 2–3 µs of passing the row over: an import of 100 000 findings or 10 000 hazards
 * takes some 14 % less time. A worker kept from an import of the last minutes is used from
 * 1 MiB; starting one takes about 1.3 s, which pays from 4 MiB (some 70 000 rows of such a CSV).
 */
export const WORKER_MIN_BYTES = 4 << 20;
export const KEPT_WORKER_MIN_BYTES = 1 << 20;

/** Whether an import of `file` reads and checks its rows in a worker thread (ImportServiceOptions.worker). */
export async function readsInWorker(
  file: FileInput,
  worker: ImportServiceOptions['worker'] = 'auto',
): Promise<boolean> {
  if (worker !== 'auto') return worker === 'always';
  if (!importWorkers.useful) return false;
  // A file that cannot be found is the reader's fault to report, as for any other.
  const size = await inputSize(file).catch(() => 0);
  return size >= (importWorkers.kept ? KEPT_WORKER_MIN_BYTES : WORKER_MIN_BYTES);
}

/** Starts the import worker ahead of an import that will read in it (it takes about a second to start). */
export async function warmImportWorkerFor(file: FileInput): Promise<void> {
  if (await readsInWorker(file)) importWorkers.warm();
}

export class ImportService {
  constructor(
    private readonly database: Database,
    private readonly keyring: Keyring,
    private readonly options: ImportServiceOptions = {},
  ) {}

  /**
   * Imports one file. Example: `await imports.importFile(actor, { path: 'survey.csv' },
   * { register: 'hazards', mapping, repair: true })` → `{ read: 3, imported: 1, rejected: 2, … }`.
   * A file that cannot be read at all throws its problem, and nothing is written.
   */
  async importFile(actor: Actor, file: FileInput, opts: ImportOptions): Promise<ImportSummary> {
    assertCan(actor, 'data.import');
    const def = importableRegister(opts.register);
    const copy = this.options.copy !== false && this.database.kind === 'postgresql';
    const run = new ImportRun(def, actor, file, opts, this.keyring, {
      worker: await readsInWorker(file, this.options.worker),
      copy: this.options.copy !== false,
      overlap: copy,
      batchSize: this.options.batchSize ?? (copy ? COPY_BATCH_SIZE : BATCH_SIZE),
      seenInMemory: this.options.seenInMemory ?? SEEN_IN_MEMORY,
    });
    // Registers whose rules read the records before (land release within its hazard) are checked
    // as they are written, so even a dry run writes, then undoes.
    const writes = !opts.dryRun || writeHooks(def).recordByRecord === true;
    if (!writes) {
      await run.execute(this.database.db, false);
      return run.summary;
    }
    try {
      await this.database.db.transaction().execute(async (trx) => {
        await run.execute(trx, true);
        // A run that wrote nothing leaves no empty report behind either.
        if (opts.dryRun || run.summary.refused || run.summary.imported === 0) throw new RollBack();
      });
    } catch (err) {
      if (!(err instanceof RollBack)) throw err;
      run.summary.imported = 0;
      run.summary.reportId = null;
    }
    return run.summary;
  }
}

/** One import in progress: its counters, the externalIds seen, and the batch waiting to be written. */
class ImportRun {
  readonly summary: ImportSummary;
  private readonly locale: string;
  private seen!: SeenIds;
  /** How many times each content hash repeated so far (only those seen twice or more). */
  private readonly repeats = new Map<string, number>();
  private pending: Pending[] = [];
  /** Rows read whose identifiers are not yet compared with those seen before them (settleIds). */
  private unsettled: ReadRow[] = [];
  private db!: Kysely<Schema>;
  private inTransaction = false;
  private report: { id: string; dateOfInformation: string } | null = null;
  private batches = 0;
  private readonly today = new Date().toISOString().slice(0, 10);

  constructor(
    private readonly def: RegisterDef,
    private readonly actor: Actor,
    private readonly file: FileInput,
    private readonly opts: ImportOptions,
    private readonly keyring: Keyring,
    private readonly writing: {
      worker: boolean;
      copy: boolean;
      overlap: boolean;
      batchSize: number;
      seenInMemory: number;
    },
  ) {
    this.locale = opts.locale ?? 'en';
    this.summary = {
      register: def.slug,
      read: 0,
      imported: 0,
      valid: 0,
      repaired: 0,
      rejected: 0,
      skipped: 0,
      dryRun: opts.dryRun === true,
      strict: opts.strict === true,
      refused: false,
      reportId: null,
      repairedRows: [],
      rejectsByCode: {},
      rejects: [],
      warnings: [],
    };
  }

  private get sourceName(): string {
    return this.opts.sourceName ?? ('path' in this.file ? this.file.path : this.file.filename);
  }

  async execute(db: Kysely<Schema>, inTransaction: boolean): Promise<void> {
    this.db = db;
    this.inTransaction = inTransaction;
    const mapping = this.opts.mapping;
    const source: RowSourceOptions = {
      register: this.def.slug,
      read: {
        format: this.opts.format,
        crs: this.opts.crs ?? mapping?.crs,
        csv: mapping?.csv,
        geometry: this.def.geometry?.required ? 'required' : 'optional',
      },
      check: { mapping, repair: this.opts.repair === true },
      // Two batches ahead: the next batch is read while the database writes this one.
      ahead: 2 * Math.ceil(this.writing.batchSize / CHUNK_ROWS),
      onWarning: (p) =>
        this.summary.warnings.push({
          code: p.code,
          message: t(p.code, { ...p.params, ...p.where }, this.locale),
        }),
      // The reader reports every 1 000 features (ProgressMeter) and at the end of the file.
      onProgress: (p) =>
        this.opts.onProgress?.({
          read: p.features,
          percent:
            p.bytesTotal > 0
              ? Math.min(100, Math.round((p.bytesRead / p.bytesTotal) * 1000) / 10)
              : undefined,
        }),
    };
    const chunks = this.writing.worker
      ? checkedRowsInWorker(this.file, source)
      : checkedRows(this.def, this.file, source);
    this.seen = inTransaction ? seenInTransaction(db, this.writing.seenInMemory) : seenInMemory();
    if (inTransaction) {
      await this.openReport();
      // The findings' cluster cells are added once, after the last batch, not per statement.
      await deferBulkDerivedData(db);
    }
    try {
      for await (const chunk of chunks) {
        const held = await referencesHeld(
          this.db,
          chunk.flatMap((r) => r.references),
        );
        for (const checkedRow of chunk) {
          this.summary.read++;
          const feature: Place = { index: checkedRow.index, row: checkedRow.row };
          const checked = await this.settle(checkedRow, held);
          const row: ReadRow = { feature, externalId: checked.externalId, content: checked.content };
          if (checked.ok) {
            row.values = checked.values;
            row.repairedCodes = checked.repairedCodes;
            this.pending.push(row as Pending);
          } else this.reject(feature, checked.problems);
          this.unsettled.push(row);
          if (this.pending.length >= this.batchLimit) {
            await this.settleIds();
            await this.flush(this.overlaps);
          } else if (this.unsettled.length >= this.batchLimit) await this.settleIds();
          // Whatever reading and checking run in this thread: other requests get in between.
          if (this.summary.read % TURN_EVERY_ROWS === 0)
            await new Promise<void>((turned) => setImmediate(turned));
        }
      }
      await this.settleIds();
      await this.flush(false);
      // Rows refused for a repeated identifier are refused after their batch is read.
      this.summary.rejects.sort((a, b) => a.index - b.index);
    } finally {
      // A write still running when reading failed must end before the transaction rolls back.
      await this.inFlight?.catch(() => undefined);
    }
    if (inTransaction) await finishBulkWrite(db);
    if (this.summary.strict && this.summary.rejected > 0) this.summary.refused = true;
    if (inTransaction && this.report && !this.summary.refused) {
      await closeBulkReport(db, this.actor, this.report.id, [
        { register: this.def.slug, count: this.summary.imported },
      ]);
      this.summary.reportId = this.report.id;
    }
    if (this.summary.refused) this.summary.imported = 0;
    this.opts.onProgress?.({ read: this.summary.read, total: this.summary.read, percent: 100 });
  }

  /** The direct report approved at once that holds the import (one per import). */
  private async openReport(): Promise<void> {
    this.report = await openBulkReport(this.db, this.actor, this.today, {
      import: {
        register: this.def.slug,
        file: this.sourceName,
        repair: this.opts.repair === true,
        strict: this.opts.strict === true,
        crs: this.opts.crs ?? this.opts.mapping?.crs ?? null,
        mapping: this.opts.mapping ?? null,
      },
    });
  }

  /**
   * What the database adds to a row's checks (RowChecker): its references looked up (`held`),
   * and with --repair a PostGIS repair of its polygon and a second validation.
   */
  private async settle(r: CheckedRow, held: (table: string, id: string) => boolean): Promise<Checked> {
    const id: RowId = { externalId: r.externalId, content: r.content };
    const missing = r.references.filter((ref) => !held(ref.table, ref.id));
    let found = [...r.found, ...missing.map((ref) => referenceNotFound(this.def, ref))];
    let values = missing.length === 0 ? r.values : undefined;
    let repairedCodes: string[] = [];
    if (r.repair) {
      const { geometry, properties, faults } = r.repair;
      const repaired = await makeValidPolygons(this.db, closeRings(geometry), this.inTransaction);
      const again = repaired ? await this.validate(repaired, properties) : undefined;
      if (again && !again.problems.some(isGeometryProblem)) {
        repairedCodes = faults;
        found = again.problems;
        values = again.values;
      } else {
        found.push(new Problem('import.repair.failed', {}, { row: r.row ?? r.index, field: 'geometry' }));
      }
    }
    const problems = [...r.read, ...found];
    if (problems.length > 0 || !values) return { ...id, ok: false, problems };
    return { ...id, ok: true, values, repairedCodes };
  }

  /**
   * Compares the identifiers of the rows read since the last call with all those seen before
   * (and with each other): a row whose own identifier appeared earlier in the file is refused
   * (`import.external_id.duplicate`, or that fault added to a row already refused); identical
   * rows without one are numbered, the second `<hash>.2`, the third `<hash>.3`.
   */
  private async settleIds(): Promise<void> {
    const rows = this.unsettled;
    this.unsettled = [];
    if (rows.length === 0) return;
    const content = rows.filter((r) => r.content);
    const taken = await this.seen.among([...new Set(content.map((r) => r.externalId))]);
    const used = new Set<string>();
    for (const r of content) {
      const base = r.externalId;
      const before = this.repeats.get(base) ?? (taken.has(base) || used.has(base) ? 1 : 0);
      if (before === 0) {
        used.add(base);
        continue;
      }
      this.repeats.set(base, before + 1);
      r.externalId = `${base}.${before + 1}`;
      // The values checked carry the id written to the record's column.
      if (r.values) (r.values as Record<string, unknown>).externalId = r.externalId;
    }
    const fresh = await this.seen.add(rows.map((r) => r.externalId));
    const inBatch = new Set<string>();
    const refused = new Set<ReadRow>();
    for (const r of rows) {
      const repeated = !fresh.has(r.externalId) || inBatch.has(r.externalId);
      inBatch.add(r.externalId);
      if (!repeated || r.content) continue;
      const problem = new Problem(
        'import.external_id.duplicate',
        { externalId: r.externalId },
        { row: r.feature.row ?? r.feature.index, field: 'externalId' },
      );
      if (r.values) {
        refused.add(r);
        this.reject(r.feature, [problem]);
      } else this.rejectLines(r.feature, [problem]);
    }
    if (refused.size) this.pending = this.pending.filter((p) => !refused.has(p));
  }

  /** The values checkInput accepts, or its faults. */
  private async validate(
    geometry: unknown,
    properties: Record<string, unknown>,
  ): Promise<{ problems: Problem[]; values?: CheckedValues }> {
    try {
      return {
        problems: [],
        values: await checkInput(this.db, this.def, { geometry, properties }, 'create'),
      };
    } catch (err) {
      if (!isProblem(err)) throw err;
      return { problems: eachProblem(err) };
    }
  }

  private reject(f: Place, problems: Problem[]): void {
    this.summary.rejected++;
    this.rejectLines(f, problems);
  }

  /** The lines of a rejected row's faults (a row refused twice is still one row rejected). */
  private rejectLines(f: Place, problems: Problem[]): void {
    for (const p of problems) {
      this.summary.rejectsByCode[p.code] = (this.summary.rejectsByCode[p.code] ?? 0) + 1;
      this.summary.rejects.push({
        index: f.index,
        ...(f.row !== undefined ? { row: f.row } : {}),
        ...(fieldOf(p) !== undefined ? { field: fieldOf(p) } : {}),
        code: p.code,
        message: t(p.code, { ...p.params, ...p.where }, this.locale),
      });
    }
  }

  /**
   * Whether a batch may be written while the next is read and checked. Only on PostgreSQL (two
   * processes: the database writes while this one parses; PGlite is one) and only when no step
   * of the import runs under a savepoint (geometry repair; registers written record by record;
   * write-only fields), since a savepoint's rollback would undo the other's statements in between.
   */
  private get overlaps(): boolean {
    return (
      this.writing.overlap &&
      this.inTransaction &&
      !this.opts.dryRun &&
      !this.opts.repair &&
      writeHooks(this.def).recordByRecord !== true &&
      (this.def.protectedFields ?? []).length === 0
    );
  }

  /**
   * Rows read before the pending batch is written. When reading runs beside the write (a worker
   * thread, or PostgreSQL writing while this thread reads), the first batch is the first chunk's
   * rows, so that the write starts as soon as there is something to write, not after a batch.
   */
  private get batchLimit(): number {
    const first = this.summary.read <= CHUNK_ROWS && (this.writing.worker || this.overlaps);
    return first ? CHUNK_ROWS : this.writing.batchSize;
  }

  /** The batch being written while the next is read (overlaps). */
  private inFlight: Promise<void> | null = null;

  /**
   * Writes the pending batch after the one in flight has been written; with `overlap`, returns
   * while it is written (a failure surfaces at the next flush, which awaits it).
   */
  private async flush(overlap: boolean): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (this.inFlight) {
      const previous = this.inFlight;
      this.inFlight = null;
      await previous;
    }
    if (batch.length === 0) return;
    const write = this.write(batch);
    if (!overlap) return write;
    write.catch(() => undefined);
    this.inFlight = write;
  }

  /** Skips what the register already holds, then writes the batch (unless this is a dry run or --strict has refused). */
  private async write(batch: Pending[]): Promise<void> {
    const existing = await externalIdsHeld(
      this.db,
      this.def.table,
      batch.map((p) => p.externalId),
    );
    const fresh = batch.filter((p) => !existing.has(p.externalId));
    this.summary.skipped += batch.length - fresh.length;
    const writing = this.inTransaction && !(this.summary.strict && this.summary.rejected > 0);
    let written = fresh;
    if (writing && (!this.opts.dryRun || writeHooks(this.def).recordByRecord) && fresh.length > 0) {
      const outcome = await applyChangesBulk(
        {
          trx: this.db,
          actor: this.actor,
          keyring: this.keyring,
          report: this.report!,
          audit: { file: this.sourceName, batch: ++this.batches },
          copy: this.writing.copy,
        },
        this.def,
        fresh.map((p) => ({ values: p.values, externalId: p.externalId })),
      );
      for (const { index, problem } of outcome.refused)
        this.reject(fresh[index]!.feature, eachProblem(problem));
      written = fresh.filter((_, i) => outcome.ids[i] !== undefined);
    }
    this.summary.valid += written.length;
    if (writing && !this.opts.dryRun) this.summary.imported += written.length;
    for (const p of written) {
      if (p.repairedCodes.length === 0) continue;
      this.summary.repaired++;
      this.summary.repairedRows.push({
        index: p.feature.index,
        ...(p.feature.row !== undefined ? { row: p.feature.row } : {}),
        externalId: p.externalId,
        codes: p.repairedCodes,
      });
    }
  }
}
