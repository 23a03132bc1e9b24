import { rm } from 'node:fs/promises';
import type { Database } from '../db/connect.ts';
import {
  failInterruptedImportJobs,
  type ImportJobRow,
  importJobById,
  importJobRejects,
  insertImportJob,
  updateImportJob,
} from '../db/repositories/imports.ts';
import { isProblem, Problem } from '../domain/problem.ts';
import { t } from '../i18n/catalogue.ts';
import { type Mapping, rejectsCsv } from '../io/index.ts';
import { type Actor, assertCan } from './actor.ts';
import {
  type ImportProgress,
  type ImportService,
  importableRegister,
  SUMMARY_REJECTS_MAX,
  summaryLine,
} from './imports.ts';

export type { ImportJobRow } from '../db/repositories/imports.ts';

/** A file received for an import: where it lies (its folder is removed when the job ends). */
export interface ImportUpload {
  dir: string;
  path: string;
  filename: string;
  mapping?: Mapping;
}

export interface ImportJobOptions {
  repair: boolean;
  strict: boolean;
  dryRun: boolean;
  crs?: string;
}

/** An import job as clients see it, with its live progress while it runs. */
export interface ImportJobView {
  id: string;
  register: string;
  filename: string;
  options: Record<string, unknown>;
  status: ImportJobRow['status'];
  progress: ImportProgress;
  result: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  createdAt: string;
}

/** A job running in this process. */
interface LiveJob {
  status: ImportJobRow['status'];
  progress: ImportProgress;
  row: ImportJobRow;
  /** Who may poll it without signing in against the database (e.g. a hash of their token). */
  watcher: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Imports as background jobs: a job is written when it starts and when it ends, and runs the
 * import service in between. Live state of running jobs is kept in memory: on the embedded
 * database the import's transaction holds the one connection until it ends, so polls of a
 * running job are answered from here (to its watcher without touching the database).
 */
export class ImportJobService {
  private readonly live = new Map<string, LiveJob>();

  private constructor(
    private readonly database: Database,
    private readonly imports: ImportService,
    private readonly onUnexpected: (err: unknown) => void,
  ) {}

  /** The job service of a starting process: jobs a previous process left running are marked failed. */
  static async open(
    database: Database,
    imports: ImportService,
    onUnexpected: (err: unknown) => void = () => undefined,
  ): Promise<ImportJobService> {
    await failInterruptedImportJobs(database.db);
    return new ImportJobService(database, imports, onUnexpected);
  }

  /** Checks the caller may import into the register before anything is received. */
  authorise(actor: Actor, register: string) {
    assertCan(actor, 'data.import');
    return importableRegister(register);
  }

  /** Records the job and starts it on the next turn of the event loop; answers the job as queued. */
  async start(
    actor: Actor,
    register: string,
    upload: ImportUpload,
    options: ImportJobOptions,
    ctx: { locale: string; watcher: string | null },
  ): Promise<ImportJobView> {
    const def = this.authorise(actor, register);
    const job = await insertImportJob(this.database.db, {
      register: def.slug,
      filename: upload.filename,
      options: { ...options, mapping: upload.mapping ?? null },
      locale: ctx.locale,
      createdBy: actor.id,
    });
    this.live.set(job.id, { status: 'queued', progress: { read: 0 }, row: job, watcher: ctx.watcher });
    setImmediate(() => void this.run(job, actor, upload, options));
    return this.view(job);
  }

  /** A running job answered from memory to the one watching it, else undefined. */
  watched(id: string, watcher: string | null): ImportJobView | undefined {
    const running = this.live.get(id);
    if (running?.watcher && watcher && running.watcher === watcher) return this.view(running.row);
    return undefined;
  }

  /** A job the actor may see: their own, or any for administrators. */
  async job(actor: Actor, id: string): Promise<ImportJobView> {
    return this.view(await this.load(actor, id));
  }

  /** Every fault of a finished import as CSV (index, row, field, code, message). */
  async rejects(actor: Actor, id: string): Promise<{ id: string; csv: string }> {
    const job = await this.load(actor, id);
    return { id: job.id, csv: (await importJobRejects(this.database.db, job.id)) ?? rejectsCsv([]) };
  }

  private async load(actor: Actor, id: string): Promise<ImportJobRow> {
    assertCan(actor, 'data.import');
    const job = UUID.test(id) ? await importJobById(this.database.db, id) : undefined;
    if (!job || (job.createdBy !== actor.id && actor.role !== 'admin')) {
      throw new Problem('record.not_found', { entity: 'import_job', id }, { pointer: '' });
    }
    return job;
  }

  private view(job: ImportJobRow): ImportJobView {
    const now = this.live.get(job.id);
    return {
      id: job.id,
      register: job.register,
      filename: job.filename,
      options: job.options,
      status: now?.status ?? job.status,
      progress: now?.progress ?? job.progress,
      result: job.result,
      error: job.error,
      createdAt: job.createdAt,
    };
  }

  private async run(job: ImportJobRow, actor: Actor, upload: ImportUpload, options: ImportJobOptions) {
    const state: LiveJob = this.live.get(job.id) ?? {
      status: 'running',
      progress: { read: 0 },
      row: job,
      watcher: null,
    };
    state.status = 'running';
    this.live.set(job.id, state);
    const db = this.database.db;
    try {
      await updateImportJob(db, job.id, { status: 'running' });
      const summary = await this.imports.importFile(
        actor,
        { path: upload.path },
        {
          register: job.register,
          mapping: upload.mapping,
          ...options,
          locale: job.locale,
          sourceName: upload.filename,
          onProgress: (p) => {
            state.progress = p;
          },
        },
      );
      // The importer reads what they imported from now on, replicas or not (src/db/replicas.ts).
      await this.database.wrote(actor.id);
      const { rejects, ...rest } = summary;
      const result = {
        ...rest,
        line: summaryLine(summary, job.locale),
        rejects: rejects.slice(0, SUMMARY_REJECTS_MAX),
        rejectLines: rejects.length,
      };
      await updateImportJob(db, job.id, {
        status: 'done',
        progress: state.progress,
        result,
        rejectsCsv: rejectsCsv(rejects),
      });
    } catch (err) {
      const error = isProblem(err)
        ? {
            code: err.code,
            message: t(err.code, { ...err.params, ...err.where }, job.locale),
            params: err.params,
          }
        : {
            code: 'import.job.failed',
            message: t(
              'import.job.failed',
              { message: err instanceof Error ? err.message : String(err) },
              job.locale,
            ),
          };
      if (!isProblem(err)) this.onUnexpected(err);
      await updateImportJob(db, job.id, { status: 'failed', progress: state.progress, error }).catch(
        () => undefined,
      );
    } finally {
      this.live.delete(job.id);
      await rm(upload.dir, { recursive: true, force: true });
    }
  }
}
