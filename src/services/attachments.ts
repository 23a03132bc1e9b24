import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
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
import { factDateField, type RegisterDef, registerBySlug } from '../domain/records.ts';
import { t } from '../i18n/catalogue.ts';
import { type Actor, assertCan } from './actor.ts';
import {
  checkEvidence,
  type EvidenceCheck,
  type EvidenceLimits,
  type EvidenceTarget,
  makeThumbnail,
  readPhotoMetadata,
} from './evidence.ts';
import type { RegisterService } from './registers.ts';

/** Folder, under the attachments folder, of the server-made thumbnails (derived, remade when missing). */
const THUMBNAILS = 'thumbnails';

export interface AttachmentOptions {
  /** How near in place and time a photo must be to its record (SAFEGROUND_EVIDENCE_DISTANCE_M, _DAYS). */
  evidence?: EvidenceLimits;
  /** The registers' read path, through which the record an attachment belongs to is read for the check. */
  registers?: Map<string, RegisterService>;
}

/**
 * Attachments are stored as files named by their SHA-256 (content-addressed: the same photo
 * uploaded twice is kept once), with their metadata and link to a record in the database.
 */
export class AttachmentService {
  private readonly limits: EvidenceLimits;

  constructor(
    private readonly database: Database,
    private readonly dir: string,
    private readonly opts: AttachmentOptions = {},
  ) {
    mkdirSync(join(dir, THUMBNAILS), { recursive: true });
    this.limits = opts.evidence ?? { distanceM: 500, days: 7 };
  }

  async store(
    actor: Actor,
    input: { recordType: string; recordId: string; filename: string; mediaType: string; content: Readable },
    locale = 'en',
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
    const { sha256, size } = await storeContent(this.dir, input.content);
    const metadata = await readPhotoMetadata(join(this.dir, sha256));
    const thumbnailKey = (await this.thumbnail(sha256)) ? thumbnailKeyOf(sha256) : null;
    const stored = await this.database.db.transaction().execute(async (trx) => {
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
      const { readWith, ...read } = metadata;
      await repo.insertMetadata(trx, { attachmentId: row.id, readWith, ...read, thumbnailKey });
      await appendAudit(trx, {
        actorId: actor.id,
        action: 'attach',
        entity: def.entity,
        recordId: input.recordId,
        before: null,
        after: { attachmentId: row.id, filename: row.filename, sha256, sizeBytes: size },
      });
      return row;
    });
    const [out] = await this.withEvidence(actor, def, input.recordId, [stored], locale);
    return out!;
  }

  /** The attachments of a record, each with its metadata and the check against the record as it stands. */
  async list(actor: Actor, recordType: string, recordId: string, locale = 'en') {
    assertCan(actor, 'record.read');
    // A report's own files are read through the report (src/services/report-attachments.ts).
    const def = registerBySlug(recordType);
    if (!def) return [];
    const rows = await repo.attachmentsOf(this.database.db, recordType, recordId);
    if (rows.length === 0) return [];
    return this.withEvidence(actor, def, recordId, rows, locale);
  }

  /**
   * The rows as answered: file facts, the metadata read on upload, a thumbnail URL and the
   * check against the record, recomputed from the record as it is now (never stored).
   */
  private async withEvidence(
    actor: Actor,
    def: RegisterDef,
    recordId: string,
    rows: repo.AttachmentRow[],
    locale: string,
  ) {
    const metadata = await repo.metadataOf(
      this.database.db,
      rows.map((r) => r.id),
    );
    const record = await this.recordFor(actor, def, recordId);
    const out = [];
    for (const row of rows) {
      const m = metadata.get(row.id);
      const { attachmentId: _a, thumbnailKey, ...read } = m ?? { attachmentId: '', thumbnailKey: null };
      const target = await this.target(def, record, m?.position?.coordinates ?? null, row.mediaType);
      const check = m ? checkEvidence(m, target, this.limits) : null;
      out.push({
        ...present(row),
        thumbnailUrl: thumbnailKey ? `/api/v1/attachments/${row.id}/thumbnail` : null,
        metadata: m ? read : null,
        evidence: check ? withMessages(check, locale) : null,
      });
    }
    return out;
  }

  /** The record, read through its register's one read path (permission and scope checked there). */
  private async recordFor(
    actor: Actor,
    def: RegisterDef,
    id: string,
  ): Promise<Record<string, unknown> | null> {
    const register = this.opts.registers?.get(def.slug);
    return register ? register.get(actor, id) : null;
  }

  private async target(
    def: RegisterDef,
    record: Record<string, unknown> | null,
    point: [number, number] | null,
    mediaType: string,
  ): Promise<EvidenceTarget> {
    const dateField = factDateField(def) ?? null;
    const date = dateField && record ? record[dateField] : null;
    const geometry = record?.geometry;
    return {
      distanceM: point && geometry ? await repo.distanceToGeometryM(this.database.db, geometry, point) : null,
      recordDate: typeof date === 'string' ? date.slice(0, 10) : null,
      recordDateField: dateField,
      mediaType,
    };
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

  /** The thumbnail of an image attachment (JPEG), remade from the original when it is missing. */
  async openThumbnail(actor: Actor, id: string) {
    assertCan(actor, 'record.read');
    const row = await repo.attachmentById(this.database.db, id);
    if (!row) throw new Problem('record.not_found', { entity: 'attachment', id }, { pointer: '' });
    const path = join(this.dir, thumbnailKeyOf(row.storageKey));
    const present = await stat(path).then(
      () => true,
      () => false,
    );
    if (!present && !(await this.thumbnail(row.storageKey)))
      throw new Problem('attachment.no_thumbnail', { id }, { pointer: '' });
    return { sha256: row.sha256, stream: createReadStream(path) };
  }

  /**
   * What a stored file (named by its SHA-256) says of itself and its thumbnail, as kept for an
   * attachment: for files that arrive another way (a report's photos), so that they show the same.
   */
  async describe(sha256: string): Promise<Omit<repo.AttachmentMetadataRow, 'attachmentId'>> {
    const metadata = await readPhotoMetadata(join(this.dir, sha256));
    const thumbnailKey = (await this.thumbnail(sha256)) ? thumbnailKeyOf(sha256) : null;
    return { ...metadata, thumbnailKey };
  }

  /** Makes the thumbnail of the stored file `key`; false when it is not an image. */
  private async thumbnail(key: string): Promise<boolean> {
    const target = join(this.dir, thumbnailKeyOf(key));
    const tmp = `${target}.${randomUUID()}.tmp`;
    if (!(await makeThumbnail(join(this.dir, key), tmp))) {
      await rm(tmp, { force: true });
      return false;
    }
    await rename(tmp, target);
    return true;
  }
}

function thumbnailKeyOf(storageKey: string): string {
  return join(THUMBNAILS, `${storageKey}.jpg`);
}

/** The check with each finding's message in `locale`. */
function withMessages(check: EvidenceCheck, locale: string) {
  return {
    ...check,
    findings: check.findings.map((f) => ({ ...f, message: t(f.code, f.params, locale) })),
  };
}

export interface AttachmentFault {
  id: string;
  sha256: string;
  filename: string;
  recordType: string;
  recordId: string;
  fault: 'missing' | 'altered';
  /** The SHA-256 of the file as found, for an altered one. */
  foundSha256?: string;
}

/**
 * Re-hashes every stored attachment and names those whose file is missing or no longer has the
 * SHA-256 recorded at upload. Files shared by several attachments (the same content) are hashed once.
 */
export async function verifyAttachments(
  database: Database,
  dir: string,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<{ checked: number; faults: AttachmentFault[] }> {
  const rows = await repo.allAttachments(database.db);
  const found = new Map<string, string | null>();
  const faults: AttachmentFault[] = [];
  for (const [i, row] of rows.entries()) {
    if (!found.has(row.storageKey)) found.set(row.storageKey, await sha256Of(join(dir, row.storageKey)));
    const sha = found.get(row.storageKey);
    if (sha !== row.sha256) {
      faults.push({
        id: row.id,
        sha256: row.sha256,
        filename: row.filename,
        recordType: row.recordType,
        recordId: row.recordId,
        fault: sha === null ? 'missing' : 'altered',
        ...(sha ? { foundSha256: sha } : {}),
      });
    }
    onProgress(i + 1, rows.length);
  }
  return { checked: rows.length, faults };
}

async function sha256Of(path: string): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(path), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) hash.update(chunk);
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return hash.digest('hex');
}

function present(row: repo.AttachmentRow) {
  const { storageKey: _k, ...rest } = row;
  return { ...rest, sizeBytes: Number(rest.sizeBytes) };
}

/** Writes a stream to the attachments folder under its SHA-256 (kept once however often it is sent). */
export async function storeContent(
  dir: string,
  content: Readable,
): Promise<{ sha256: string; size: number }> {
  const tmp = join(dir, `.upload-${randomUUID()}`);
  try {
    const stored = await writeHashed(tmp, content);
    await rename(tmp, join(dir, stored.sha256));
    return stored;
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Writes a stream to a file, hashing it on the way. When the stream fails (a body cut short) the
 * file is removed before the error is passed on: the pipeline can fail before the file is even
 * opened, and the write stream still opens and closes it afterwards, so the removal waits for
 * that close, or the file would be left behind.
 */
export async function writeHashed(
  path: string,
  content: Readable,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const out = createWriteStream(path);
  try {
    await pipeline(
      content,
      async function* (source) {
        for await (const chunk of source) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
          yield chunk;
        }
      },
      out,
    );
  } catch (e) {
    if (!out.closed) await once(out, 'close').catch(() => undefined);
    await rm(path, { force: true });
    throw e;
  }
  return { sha256: hash.digest('hex'), size };
}
