import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '../db/connect.ts';
import { reportAttachmentById } from '../db/repositories/report-attachments.ts';
import * as repo from '../db/repositories/uploads.ts';
import { Problem } from '../domain/problem.ts';
import { type Actor, assertCan } from './actor.ts';
import { storeContent } from './attachments.ts';
import { isUuid } from './list-query.ts';
import type { ReportAttachment, ReportAttachmentService } from './report-attachments.ts';

/** Incomplete uploads untouched for this many days are deleted with their partial file. */
export const STALE_UPLOAD_DAYS = 7;
/** Stale uploads are looked for at most this often (on the next new upload). */
const CLEAN_EVERY_MS = 60 * 60 * 1000;
const SHA256 = /^[0-9a-f]{64}$/;

export interface UploadOut {
  id: string;
  clientId: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  offset: number;
  complete: boolean;
}

/**
 * Resumable uploads (docs/field-sync.md): a file declared with its size and SHA-256, then sent
 * in chunks, each at the offset the server holds, so a connection cut in the middle costs only
 * the chunk it was sending. The bytes received are kept in `<attachments>/uploads/<id>.part`;
 * the last chunk's arrival checks the hash and stores the content like any attachment (a file
 * named by its SHA-256). A complete upload is attached to a report once. Each upload belongs to
 * the user who began it; nobody else sees it.
 */
export class UploadService {
  private readonly partDir: string;
  private lastClean = 0;
  /** Chunks of one upload are written one at a time (per process). */
  private readonly busy = new Map<string, Promise<unknown>>();

  constructor(
    private readonly database: Database,
    private readonly dir: string,
    private readonly reportAttachments: ReportAttachmentService,
    private readonly staleDays = STALE_UPLOAD_DAYS,
  ) {
    this.partDir = join(dir, 'uploads');
    mkdirSync(this.partDir, { recursive: true });
  }

  /** Begins an upload, or answers the one the user began with this client id (its current offset). */
  async begin(
    actor: Actor,
    input: { clientId: string; fileName: string; contentType: string; size: number; sha256: string },
    maxBytes: number,
  ): Promise<{ upload: UploadOut; created: boolean }> {
    const user = this.user(actor);
    if (!SHA256.test(input.sha256))
      throw new Problem(
        'validation.format',
        { field: 'sha256', value: input.sha256, format: 'sha256' },
        { pointer: '/sha256', field: 'sha256' },
      );
    if (input.size > maxBytes) throw new Problem('request.too_large', {}, { pointer: '/size' });
    await this.cleanStale();
    const { row, created } = await repo.insertUpload(this.database.db, { ...input, createdBy: user });
    return { upload: present(row), created };
  }

  async get(actor: Actor, id: string): Promise<UploadOut> {
    return present(await this.load(actor, id));
  }

  /**
   * Writes one chunk at `offset`, which must be the upload's current offset (409 `upload.offset`
   * otherwise, with the current one). When the last byte arrives the content's SHA-256 is
   * checked: a mismatch starts the upload over (`upload.hash`).
   */
  async append(actor: Actor, id: string, offset: number, chunk: Buffer): Promise<UploadOut> {
    return this.oneAtATime(id, async () => {
      const row = await this.load(actor, id);
      if (row.completedAt || offset !== row.offsetBytes) throw offsetProblem(offset, row.offsetBytes);
      const end = offset + chunk.length;
      if (end > row.sizeBytes)
        throw new Problem(
          'upload.beyond_size',
          { size: row.sizeBytes, end },
          { pointer: '', field: 'Upload-Offset' },
        );
      const part = this.partPath(id);
      // A positional write: a chunk sent again after a lost answer writes the same bytes again.
      const file = await open(part, offset === 0 ? 'w' : 'r+').catch(async () => open(part, 'w'));
      try {
        await file.write(chunk, 0, chunk.length, offset);
      } finally {
        await file.close();
      }
      if (!(await repo.advanceUpload(this.database.db, id, offset, end))) {
        const now = await this.load(actor, id);
        throw offsetProblem(offset, now.offsetBytes);
      }
      if (end < row.sizeBytes) return present({ ...row, offsetBytes: end });
      const hash = createHash('sha256');
      for await (const c of createReadStream(part)) hash.update(c as Buffer);
      if (hash.digest('hex') !== row.sha256) {
        await repo.resetUpload(this.database.db, id);
        await rm(part, { force: true });
        throw new Problem('upload.hash', { expected: row.sha256 }, { pointer: '' });
      }
      await storeContent(this.dir, createReadStream(part));
      await repo.completeUpload(this.database.db, id);
      await rm(part, { force: true });
      return present({ ...row, offsetBytes: end, completedAt: new Date().toISOString() });
    });
  }

  /**
   * Attaches a complete upload to a draft or rejected report, once: the same upload sent again
   * answers the attachment it already made (`replay`). An upload belongs to one report.
   */
  async attach(
    actor: Actor,
    reportId: string,
    uploadId: unknown,
  ): Promise<{ attachment: ReportAttachment; replay: boolean }> {
    if (typeof uploadId !== 'string' || !isUuid(uploadId))
      throw new Problem(
        'validation.required',
        { field: 'uploadId' },
        { pointer: '/uploadId', field: 'uploadId' },
      );
    return this.oneAtATime(uploadId, async () => {
      const row = await this.load(actor, uploadId);
      if (row.reportId && row.attachmentId) {
        if (row.reportId !== reportId)
          throw new Problem('upload.attached_elsewhere', { id: uploadId }, { pointer: '/uploadId' });
        const existing = await reportAttachmentById(this.database.db, reportId, row.attachmentId);
        if (existing)
          return {
            attachment: (await this.reportAttachments.list(actor, reportId)).find(
              (a) => a.id === row.attachmentId,
            )!,
            replay: true,
          };
      }
      if (!row.completedAt)
        throw new Problem(
          'upload.incomplete',
          { offset: row.offsetBytes, size: row.sizeBytes },
          { pointer: '/uploadId' },
        );
      const attachment = await this.reportAttachments.store(actor, reportId, {
        filename: row.fileName,
        mediaType: row.contentType,
        content: createReadStream(join(this.dir, row.sha256)),
      });
      await repo.markUploadAttached(this.database.db, uploadId, reportId, attachment.id);
      return { attachment, replay: false };
    });
  }

  /** Deletes incomplete uploads untouched for `staleDays` days and their partial files. */
  async cleanStale(force = false): Promise<number> {
    if (!force && Date.now() - this.lastClean < CLEAN_EVERY_MS) return 0;
    this.lastClean = Date.now();
    const ids = await repo.deleteStaleUploads(this.database.db, this.staleDays);
    for (const id of ids) await rm(this.partPath(id), { force: true });
    return ids.length;
  }

  private user(actor: Actor): string {
    assertCan(actor, 'report.create');
    if (!actor.id) throw new Problem('auth.required', {}, { pointer: '' });
    return actor.id;
  }

  private async load(actor: Actor, id: string): Promise<repo.UploadRow> {
    const user = this.user(actor);
    const row = isUuid(id) ? await repo.uploadOf(this.database.db, user, id) : undefined;
    if (!row) throw new Problem('upload.not_found', { id }, { pointer: '' });
    return row;
  }

  private partPath(id: string): string {
    return join(this.partDir, `${id}.part`);
  }

  private async oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.busy.get(key) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(work);
    this.busy.set(key, run);
    try {
      return await run;
    } finally {
      if (this.busy.get(key) === run) this.busy.delete(key);
    }
  }

  /** Whether the partial file of an upload is on disk (tests). */
  async hasPart(id: string): Promise<boolean> {
    return stat(this.partPath(id)).then(
      () => true,
      () => false,
    );
  }
}

function offsetProblem(sent: number, current: number): Problem {
  const p = new Problem('upload.offset', { sent, current }, { pointer: '', field: 'Upload-Offset' });
  p.data = { offset: current };
  return p;
}

function present(row: repo.UploadRow): UploadOut {
  return {
    id: row.id,
    clientId: row.clientId,
    fileName: row.fileName,
    contentType: row.contentType,
    size: Number(row.sizeBytes),
    sha256: row.sha256,
    offset: Number(row.offsetBytes),
    complete: row.completedAt !== null,
  };
}
