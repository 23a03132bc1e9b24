import { createReadStream, mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database, Schema } from '../db/connect.ts';
import {
  type AttachmentRow,
  attachmentsOf,
  insertAttachment,
  insertMetadata,
} from '../db/repositories/attachments.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import * as repo from '../db/repositories/report-attachments.ts';
import { reportById } from '../db/repositories/reports.ts';
import { Problem } from '../domain/problem.ts';
import { registerBySlug } from '../domain/records.ts';
import { type Actor, assertCan } from './actor.ts';
import { type AttachmentService, storeContent } from './attachments.ts';
import type { Applied } from './changes.ts';
import type { ReportService } from './reports.ts';

/** A report's files may be added or removed while the report may be edited. */
const EDITABLE = ['draft', 'rejected'];

export interface ReportAttachment {
  id: string;
  reportId: string;
  filename: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
  createdBy: string | null;
}

/**
 * Photos and documents attached to a report. They are stored like every attachment (a file
 * named by its SHA-256 in the attachments folder, a row in `attachments`), with the report as
 * their record; whoever may read the report may read them, whoever may edit it may add and
 * remove them, and when the report is approved they are linked to each record it created or
 * changed (`linkAttachmentsOnApproval`).
 */
export class ReportAttachmentService {
  constructor(
    private readonly database: Database,
    private readonly reports: ReportService,
    private readonly dir: string,
    private readonly attachments?: AttachmentService,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  async list(actor: Actor, reportId: string): Promise<ReportAttachment[]> {
    await this.reports.get(actor, reportId);
    return (await attachmentsOf(this.database.db, repo.REPORT_RECORD_TYPE, reportId)).map(present);
  }

  async store(
    actor: Actor,
    reportId: string,
    input: { filename: string; mediaType: string; content: Readable },
  ): Promise<ReportAttachment> {
    await this.reports.authorise(actor, reportId, 'edit');
    const { sha256, size } = await storeContent(this.dir, input.content);
    // A multipart file cut at the upload limit is refused, not kept in part.
    if ((input.content as { truncated?: boolean }).truncated)
      throw new Problem('request.too_large', {}, { pointer: '/file' });
    // The photo's own metadata and thumbnail, read once like any attachment's; the records the
    // report's files follow on approval share them (they are found by the file's hash).
    const described = await this.attachments?.describe(sha256);
    return this.database.db.transaction().execute(async (trx) => {
      await this.lockEditable(trx, reportId, 'attach');
      const row = await insertAttachment(trx, {
        recordType: repo.REPORT_RECORD_TYPE,
        recordId: reportId,
        filename: input.filename,
        mediaType: input.mediaType,
        sizeBytes: size,
        sha256,
        storageKey: sha256,
        createdBy: actor.id,
      });
      if (described) await insertMetadata(trx, { attachmentId: row.id, ...described });
      await appendAudit(trx, {
        actorId: actor.id,
        action: 'report.attach',
        entity: 'report',
        recordId: reportId,
        reportId,
        before: null,
        after: { attachmentId: row.id, filename: row.filename, sha256, sizeBytes: size },
      });
      return present(row);
    });
  }

  async remove(actor: Actor, reportId: string, attachmentId: string): Promise<void> {
    await this.reports.authorise(actor, reportId, 'edit');
    await this.database.db.transaction().execute(async (trx) => {
      await this.lockEditable(trx, reportId, 'detach');
      const row = await repo.reportAttachmentById(trx, reportId, attachmentId);
      if (!row || !(await repo.deleteReportAttachment(trx, reportId, attachmentId)))
        throw new Problem('record.not_found', { entity: 'attachment', id: attachmentId }, { pointer: '' });
      // The stored file stays: the same content may belong to other attachments (it is named by its hash).
      await appendAudit(trx, {
        actorId: actor.id,
        action: 'report.detach',
        entity: 'report',
        recordId: reportId,
        reportId,
        before: {
          attachmentId,
          filename: row.filename,
          sha256: row.sha256,
          sizeBytes: Number(row.sizeBytes),
        },
        after: null,
      });
    });
  }

  async open(actor: Actor, reportId: string, attachmentId: string) {
    await this.reports.get(actor, reportId);
    const row = await repo.reportAttachmentById(this.database.db, reportId, attachmentId);
    if (!row)
      throw new Problem('record.not_found', { entity: 'attachment', id: attachmentId }, { pointer: '' });
    const path = join(this.dir, row.storageKey);
    await stat(path).catch(() => {
      throw new Problem('attachment.content_missing', { id: attachmentId }, { pointer: '' });
    });
    return { row: present(row), stream: createReadStream(path) };
  }

  private async lockEditable(trx: Kysely<Schema>, reportId: string, action: string) {
    const report = await reportById(trx, reportId, { forUpdate: true });
    if (!report) throw new Problem('report.not_found', { id: reportId }, { pointer: '' });
    if (!EDITABLE.includes(report.status))
      throw new Problem('report.state_conflict', { status: report.status, action }, { pointer: '' });
  }
}

/**
 * On approval, in the approval's transaction: each record the report created or changed gets
 * the report's attachments, with an `attach` entry in its history naming the report. Archived
 * records are left alone.
 */
export async function linkAttachmentsOnApproval(
  trx: Kysely<Schema>,
  actor: Actor,
  reportId: string,
  applied: Applied[],
): Promise<number> {
  assertCan(actor, 'report.approve');
  const seen = new Set<string>();
  let linked = 0;
  for (const a of applied) {
    if (a.op === 'archive') continue;
    const key = `${a.register}/${a.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const def = registerBySlug(a.register);
    if (!def) continue;
    const rows = await repo.linkReportAttachments(trx, reportId, {
      recordType: def.slug,
      recordId: a.id,
      createdBy: actor.id,
    });
    for (const row of rows) {
      await appendAudit(trx, {
        actorId: actor.id,
        action: 'attach',
        entity: def.entity,
        recordId: a.id,
        reportId,
        before: null,
        after: {
          attachmentId: row.id,
          filename: row.filename,
          sha256: row.sha256,
          sizeBytes: Number(row.sizeBytes),
        },
      });
    }
    linked += rows.length;
  }
  return linked;
}

function present(row: AttachmentRow): ReportAttachment {
  return {
    id: row.id,
    reportId: row.recordId,
    filename: row.filename,
    mediaType: row.mediaType,
    sizeBytes: Number(row.sizeBytes),
    sha256: row.sha256,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
  };
}
