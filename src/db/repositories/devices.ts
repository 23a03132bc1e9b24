import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

export interface DeviceRow {
  id: string;
  userId: string;
  label: string;
  appVersion: string;
  area: Record<string, unknown>;
  pending: number;
  sent: number;
  refused: number;
  registeredAt: string;
  lastSyncAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

export type DeviceListRow = DeviceRow & { userEmail: string; userName: string | null };

const columns = sql`d.id, d.user_id, d.label, d.app_version, d.area, d.pending, d.sent, d.refused, d.registered_at,
  d.last_sync_at, d.revoked_at, d.revoked_by`;

export async function deviceById(
  db: Kysely<Schema>,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<DeviceRow | undefined> {
  const r = await sql<DeviceRow>`select ${columns} from devices d where d.id = ${id}
    ${opts.forUpdate ? sql`for update` : sql``}`.execute(db);
  return r.rows[0];
}

/** Registers a device for a user, or updates the label, version and area of the user's own. */
export async function upsertDevice(
  db: Kysely<Schema>,
  d: { id: string; userId: string; label: string; appVersion: string; area: unknown },
): Promise<DeviceRow | undefined> {
  const r = await sql<DeviceRow>`
    insert into devices as d (id, user_id, label, app_version, area)
    values (${d.id}, ${d.userId}, ${d.label}, ${d.appVersion}, ${JSON.stringify(d.area)}::jsonb)
    on conflict (id) do update set label = excluded.label, app_version = excluded.app_version, area = excluded.area
      where d.user_id = excluded.user_id and d.revoked_at is null
    returning ${columns}`.execute(db);
  return r.rows[0];
}

export async function recordDeviceStatus(
  db: Kysely<Schema>,
  id: string,
  s: { appVersion: string; pending: number; sent: number; refused: number },
): Promise<DeviceRow | undefined> {
  const r = await sql<DeviceRow>`update devices d set app_version = ${s.appVersion}, pending = ${s.pending},
      sent = ${s.sent}, refused = ${s.refused}, last_sync_at = now()
    where d.id = ${id} and d.revoked_at is null returning ${columns}`.execute(db);
  return r.rows[0];
}

export async function revokeDevice(
  db: Kysely<Schema>,
  id: string,
  by: string | null,
): Promise<DeviceRow | undefined> {
  const r = await sql<DeviceRow>`update devices d set revoked_at = coalesce(d.revoked_at, now()),
      revoked_by = coalesce(d.revoked_by, ${by})
    where d.id = ${id} returning ${columns}`.execute(db);
  return r.rows[0];
}

/** Whether a device is revoked (a device the server does not know is not). */
export async function isDeviceRevoked(db: Kysely<Schema>, id: string): Promise<boolean> {
  const r = await sql<{
    revoked: boolean;
  }>`select revoked_at is not null as revoked from devices where id = ${id}`.execute(db);
  return r.rows[0]?.revoked === true;
}

/** Devices with their user, newest sync first (one user's, or everyone's). */
export async function listDevices(db: Kysely<Schema>, userId?: string): Promise<DeviceListRow[]> {
  const r = await sql<DeviceListRow>`select ${columns}, u.email as user_email, u.name as user_name
    from devices d join users u on u.id = d.user_id
    ${userId ? sql`where d.user_id = ${userId}` : sql``}
    order by u.email, d.last_sync_at desc nulls last, d.registered_at desc`.execute(db);
  return r.rows;
}
