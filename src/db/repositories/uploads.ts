import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

export interface UploadRow {
  id: string;
  clientId: string;
  createdBy: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  offsetBytes: number;
  completedAt: string | null;
  reportId: string | null;
  attachmentId: string | null;
  createdAt: string;
  updatedAt: string;
}

const columns = sql`id, client_id, created_by, file_name, content_type, size_bytes::float8 as size_bytes, sha256,
  offset_bytes::float8 as offset_bytes, completed_at, report_id, attachment_id, created_at, updated_at`;

/** Creates an upload, or returns the one the user already made with this client id (`created` false). */
export async function insertUpload(
  db: Kysely<Schema>,
  u: {
    clientId: string;
    createdBy: string;
    fileName: string;
    contentType: string;
    size: number;
    sha256: string;
  },
): Promise<{ row: UploadRow; created: boolean }> {
  const inserted = await sql<UploadRow>`
    insert into uploads (client_id, created_by, file_name, content_type, size_bytes, sha256)
    values (${u.clientId}, ${u.createdBy}, ${u.fileName}, ${u.contentType}, ${u.size}, ${u.sha256})
    on conflict (created_by, client_id) do nothing
    returning ${columns}`.execute(db);
  if (inserted.rows[0]) return { row: inserted.rows[0], created: true };
  const existing = await sql<UploadRow>`select ${columns} from uploads
    where created_by = ${u.createdBy} and client_id = ${u.clientId}`.execute(db);
  return { row: existing.rows[0]!, created: false };
}

/** One of a user's uploads (another user's is not found). */
export async function uploadOf(
  db: Kysely<Schema>,
  createdBy: string,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<UploadRow | undefined> {
  const r = await sql<UploadRow>`select ${columns} from uploads where id = ${id} and created_by = ${createdBy}
    ${opts.forUpdate ? sql`for update` : sql``}`.execute(db);
  return r.rows[0];
}

/** Moves the offset from `from` to `to` (false when another request moved it first). */
export async function advanceUpload(
  db: Kysely<Schema>,
  id: string,
  from: number,
  to: number,
): Promise<boolean> {
  const r = await sql`update uploads set offset_bytes = ${to}, updated_at = now()
    where id = ${id} and offset_bytes = ${from} and completed_at is null returning id`.execute(db);
  return r.rows.length > 0;
}

export async function completeUpload(db: Kysely<Schema>, id: string): Promise<void> {
  await sql`update uploads set completed_at = now(), updated_at = now() where id = ${id}`.execute(db);
}

/** Starts an upload over (its content did not have the declared hash). */
export async function resetUpload(db: Kysely<Schema>, id: string): Promise<void> {
  await sql`update uploads set offset_bytes = 0, updated_at = now() where id = ${id}`.execute(db);
}

export async function markUploadAttached(
  db: Kysely<Schema>,
  id: string,
  reportId: string,
  attachmentId: string,
): Promise<void> {
  await sql`update uploads set report_id = ${reportId}, attachment_id = ${attachmentId}, updated_at = now()
    where id = ${id}`.execute(db);
}

/** Deletes incomplete uploads untouched for `days` days; returns their ids (their partial files go too). */
export async function deleteStaleUploads(db: Kysely<Schema>, days: number): Promise<string[]> {
  const r = await sql<{ id: string }>`delete from uploads
    where completed_at is null and updated_at < now() - make_interval(days => ${days})
    returning id`.execute(db);
  return r.rows.map((x) => x.id);
}
