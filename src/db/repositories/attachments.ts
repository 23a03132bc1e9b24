import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

export interface AttachmentRow {
  id: string;
  recordType: string;
  recordId: string;
  filename: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  storageKey: string;
  createdAt: string;
  createdBy: string | null;
}

const columns = sql`id, record_type, record_id, filename, media_type, size_bytes, sha256, storage_key, created_at, created_by`;

export async function insertAttachment(
  db: Kysely<Schema>,
  a: Omit<AttachmentRow, 'id' | 'createdAt'>,
): Promise<AttachmentRow> {
  const r = await sql<AttachmentRow>`
    insert into attachments (record_type, record_id, filename, media_type, size_bytes, sha256, storage_key, created_by)
    values (${a.recordType}, ${a.recordId}, ${a.filename}, ${a.mediaType}, ${a.sizeBytes}, ${a.sha256}, ${a.storageKey}, ${a.createdBy})
    returning ${columns}`.execute(db);
  return r.rows[0]!;
}

export async function attachmentById(db: Kysely<Schema>, id: string): Promise<AttachmentRow | undefined> {
  const r = await sql<AttachmentRow>`select ${columns} from attachments where id = ${id}`.execute(db);
  return r.rows[0];
}

export async function attachmentsOf(
  db: Kysely<Schema>,
  recordType: string,
  recordId: string,
): Promise<AttachmentRow[]> {
  const r = await sql<AttachmentRow>`select ${columns} from attachments
    where record_type = ${recordType} and record_id = ${recordId} order by created_at`.execute(db);
  return r.rows;
}
