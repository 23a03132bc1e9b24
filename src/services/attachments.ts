import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database } from '../db/connect.ts';
import * as repo from '../db/repositories/attachments.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { recordExists } from '../db/repositories/registers.ts';
import { Problem } from '../domain/problem.ts';
import { registerBySlug } from '../domain/records.ts';
import { type Actor, assertCan } from './actor.ts';

/**
 * Attachments are stored as files named by their SHA-256 (content-addressed: the same photo
 * uploaded twice is kept once), with their metadata and link to a record in the database.
 */
export class AttachmentService {
  constructor(
    private readonly database: Database,
    private readonly dir: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  async store(
    actor: Actor,
    input: { recordType: string; recordId: string; filename: string; mediaType: string; content: Readable },
  ) {
    assertCan(actor, 'record.write');
    const def = registerBySlug(input.recordType);
    if (!def) {
      throw new Problem(
        'validation.enum',
        { field: 'recordType', value: input.recordType, allowed: 'register slugs' },
        { pointer: '/recordType' },
      );
    }
    if (!(await recordExists(this.database.db, def.table, input.recordId))) {
      throw new Problem(
        'record.reference_not_found',
        { field: 'recordId', id: input.recordId },
        { pointer: '/recordId' },
      );
    }
    const tmp = join(this.dir, `.upload-${randomUUID()}`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        input.content,
        async function* (source) {
          for await (const chunk of source) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(tmp),
      );
      const sha256 = hash.digest('hex');
      await rename(tmp, join(this.dir, sha256));
      return await this.database.db.transaction().execute(async (trx) => {
        const row = await repo.insertAttachment(trx, {
          recordType: input.recordType,
          recordId: input.recordId,
          filename: input.filename,
          mediaType: input.mediaType,
          sizeBytes: size,
          sha256,
          storageKey: sha256,
          createdBy: actor.id,
        });
        await appendAudit(trx, {
          actorId: actor.id,
          action: 'attach',
          entity: def.entity,
          recordId: input.recordId,
          before: null,
          after: { attachmentId: row.id, filename: row.filename, sha256, sizeBytes: size },
        });
        return present(row);
      });
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async list(actor: Actor, recordType: string, recordId: string) {
    assertCan(actor, 'record.read');
    // A report's own files are read through the report (src/services/report-attachments.ts).
    if (!registerBySlug(recordType)) return [];
    return (await repo.attachmentsOf(this.database.db, recordType, recordId)).map(present);
  }

  async open(actor: Actor, id: string) {
    assertCan(actor, 'record.read');
    const row = await repo.attachmentById(this.database.db, id);
    if (!row || !registerBySlug(row.recordType))
      throw new Problem('record.not_found', { entity: 'attachment', id }, { pointer: '' });
    const path = join(this.dir, row.storageKey);
    await stat(path).catch(() => {
      throw new Problem('attachment.content_missing', { id }, { pointer: '' });
    });
    return { row: present(row), stream: createReadStream(path) };
  }
}

function present(row: repo.AttachmentRow) {
  const { storageKey: _k, ...rest } = row;
  return { ...rest, sizeBytes: Number(rest.sizeBytes) };
}
