import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';
import type { AttachmentRow } from './attachments.ts';

/** Attachments of a report are rows of `attachments` with record_type 'report'. */
export const REPORT_RECORD_TYPE = 'report';

const columns = sql`id, record_type, record_id, filename, media_type, size_bytes, sha256, storage_key, created_at, created_by`;

export async function reportAttachmentById(
  db: Kysely<Schema>,
  reportId: string,
  id: string,
): Promise<AttachmentRow | undefined> {
  const r = await sql<AttachmentRow>`select ${columns} from attachments
    where id = ${id} and record_type = ${REPORT_RECORD_TYPE} and record_id = ${reportId}`.execute(db);
  return r.rows[0];
}

export async function deleteReportAttachment(
  db: Kysely<Schema>,
  reportId: string,
  id: string,
): Promise<boolean> {
  const r = await sql<{ id: string }>`delete from attachments
    where id = ${id} and record_type = ${REPORT_RECORD_TYPE} and record_id = ${reportId}
    returning id`.execute(db);
  return r.rows.length > 0;
}

/**
 * Links every attachment of a report to one record: a row of its own pointing at the same stored
 * file (files are named by their SHA-256, so nothing is copied). Returns the new rows.
 */
export async function linkReportAttachments(
  db: Kysely<Schema>,
  reportId: string,
  target: { recordType: string; recordId: string; createdBy: string | null },
): Promise<AttachmentRow[]> {
  const r = await sql<AttachmentRow>`
    insert into attachments (record_type, record_id, filename, media_type, size_bytes, sha256, storage_key, created_by)
    select ${target.recordType}, ${target.recordId}, filename, media_type, size_bytes, sha256, storage_key, ${target.createdBy}
    from attachments a
    where a.record_type = ${REPORT_RECORD_TYPE} and a.record_id = ${reportId}
      and not exists (select 1 from attachments b where b.record_type = ${target.recordType}
        and b.record_id = ${target.recordId} and b.sha256 = a.sha256 and b.filename = a.filename)
    order by a.created_at, a.id
    returning ${columns}`.execute(db);
  return r.rows;
}
