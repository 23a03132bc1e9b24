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

/** Every attachment (id, file and hash), in the order they were added, for verifying the files. */
export async function allAttachments(db: Kysely<Schema>): Promise<AttachmentRow[]> {
  const r = await sql<AttachmentRow>`select ${columns} from attachments order by created_at, id`.execute(db);
  return r.rows;
}

/** What a file's own metadata said when it was uploaded (see services/evidence.ts). */
export interface AttachmentMetadataRow {
  attachmentId: string;
  readWith: string;
  takenLocal: string | null;
  takenOffset: string | null;
  gpsTime: string | null;
  position: { type: 'Point'; coordinates: [number, number] } | null;
  altitudeM: number | null;
  horizontalErrorM: number | null;
  dop: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  orientation: number | null;
  widthPx: number | null;
  heightPx: number | null;
  thumbnailKey: string | null;
}

export async function insertMetadata(db: Kysely<Schema>, m: AttachmentMetadataRow): Promise<void> {
  const position = m.position
    ? sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(m.position)}), 4326)`
    : null;
  await sql`
    insert into attachment_metadata (attachment_id, read_with, taken_local, taken_offset, gps_time, position,
      altitude_m, horizontal_error_m, dop, camera_make, camera_model, orientation, width_px, height_px, thumbnail_key)
    values (${m.attachmentId}, ${m.readWith}, ${m.takenLocal}, ${m.takenOffset}, ${m.gpsTime}, ${position},
      ${m.altitudeM}, ${m.horizontalErrorM}, ${m.dop}, ${m.cameraMake}, ${m.cameraModel}, ${m.orientation},
      ${m.widthPx}, ${m.heightPx}, ${m.thumbnailKey})`.execute(db);
}

/** The metadata of these attachments, by attachment id (attachments stored before it was read have none). */
export async function metadataOf(
  db: Kysely<Schema>,
  attachmentIds: string[],
): Promise<Map<string, AttachmentMetadataRow>> {
  if (attachmentIds.length === 0) return new Map();
  // What a file says of itself depends only on its bytes: an attachment without its own row (a
  // report's photo that followed the report to a record) takes that of the same file.
  const r = await sql<AttachmentMetadataRow & { position: string | null }>`
    select distinct on (a.id) a.id as attachment_id, m.read_with, m.taken_local, m.taken_offset,
      to_char(m.gps_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as gps_time,
      ST_AsGeoJSON(m.position, 7) as position, m.altitude_m, m.horizontal_error_m, m.dop, m.camera_make,
      m.camera_model, m.orientation, m.width_px, m.height_px, m.thumbnail_key
    from attachments a
    join attachments o on o.storage_key = a.storage_key
    join attachment_metadata m on m.attachment_id = o.id
    where a.id = any(${attachmentIds}::uuid[])
    order by a.id, (o.id = a.id) desc`.execute(db);
  return new Map(
    r.rows.map((row) => [
      row.attachmentId,
      { ...row, position: row.position ? JSON.parse(row.position as unknown as string) : null },
    ]),
  );
}

/**
 * Metres on the WGS 84 ellipsoid from a point to a GeoJSON geometry (WGS 84), 0 when the point
 * lies inside it.
 */
export async function distanceToGeometryM(
  db: Kysely<Schema>,
  geometry: unknown,
  point: [number, number],
): Promise<number> {
  const r = await sql<{ d: number }>`
    select ST_Distance(
      ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geometry)}), 4326)::geography,
      ST_SetSRID(ST_MakePoint(${point[0]}, ${point[1]}), 4326)::geography) as d`.execute(db);
  return Number(r.rows[0]!.d);
}
