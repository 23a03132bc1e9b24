import type { Database } from '../db/connect.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import * as repo from '../db/repositories/devices.ts';
import { can } from '../domain/permissions.ts';
import { Problem } from '../domain/problem.ts';
import { type Actor, assertCan } from './actor.ts';
import { isUuid } from './list-query.ts';

/** The area a device keeps data for: an admin area, or a box west,south,east,north (WGS 84). */
export type DeviceArea = { adminAreaId: string } | { bbox: [number, number, number, number] };

export interface DeviceOut {
  id: string;
  userId: string;
  userEmail?: string;
  userName?: string | null;
  label: string;
  appVersion: string;
  area: DeviceArea;
  pending: number;
  sent: number;
  refused: number;
  registeredAt: string;
  lastSyncAt: string | null;
  revokedAt: string | null;
}

/** The header naming the device a request comes from (docs/field-sync.md). */
export const DEVICE_HEADER = 'x-safeground-device';

/**
 * The phones and tablets that hold a user's area data (docs/field-sync.md). A device registers
 * itself with an id it made; it reports its last sync (pending, sent and refused reports) and an
 * administrator sees every user's devices and may revoke one. Any request naming a revoked
 * device is refused (`device.revoked`, 401) and the app then wipes what it holds.
 */
export class DeviceService {
  constructor(private readonly database: Database) {}

  async register(
    actor: Actor,
    input: { id: string; label: string; appVersion: string; area: unknown },
  ): Promise<{ device: DeviceOut; created: boolean }> {
    const user = signedIn(actor);
    const area = checkArea(input.area);
    return this.database.db.transaction().execute(async (trx) => {
      const before = await repo.deviceById(trx, input.id, { forUpdate: true });
      if (before?.revokedAt) throw new Problem('device.revoked', {}, { pointer: '' });
      if (before && before.userId !== user)
        throw new Problem('device.other_user', { id: input.id }, { pointer: '/id' });
      const row = await repo.upsertDevice(trx, {
        id: input.id,
        userId: user,
        label: input.label.trim(),
        appVersion: input.appVersion,
        area,
      });
      if (!row) throw new Problem('device.other_user', { id: input.id }, { pointer: '/id' });
      if (!before)
        await appendAudit(trx, {
          actorId: actor.id,
          action: 'device.register',
          entity: 'device',
          recordId: row.id,
          before: null,
          after: { label: row.label, appVersion: row.appVersion, area: row.area, userId: row.userId },
        });
      return { device: present(row), created: !before };
    });
  }

  async status(
    actor: Actor,
    id: string,
    s: { appVersion: string; pending: number; sent: number; refused: number },
  ): Promise<DeviceOut> {
    const user = signedIn(actor);
    const device = isUuid(id) ? await repo.deviceById(this.database.db, id) : undefined;
    if (!device || device.userId !== user) throw new Problem('device.not_found', { id }, { pointer: '' });
    if (device.revokedAt) throw new Problem('device.revoked', {}, { pointer: '' });
    const row = await repo.recordDeviceStatus(this.database.db, id, s);
    if (!row) throw new Problem('device.revoked', {}, { pointer: '' });
    return present(row);
  }

  /** Administrators: every user's devices; others: their own. */
  async list(actor: Actor): Promise<DeviceOut[]> {
    const user = signedIn(actor);
    const rows = await repo.listDevices(this.database.db, can(actor.role, 'user.manage') ? undefined : user);
    return rows.map((r) => ({ ...present(r), userEmail: r.userEmail, userName: r.userName }));
  }

  /** Administrators: the device is refused from now on (its next request wipes its data). */
  async revoke(actor: Actor, id: string): Promise<DeviceOut> {
    assertCan(actor, 'user.manage');
    return this.database.db.transaction().execute(async (trx) => {
      const before = isUuid(id) ? await repo.deviceById(trx, id, { forUpdate: true }) : undefined;
      if (!before) throw new Problem('device.not_found', { id }, { pointer: '' });
      const row = (await repo.revokeDevice(trx, id, actor.id))!;
      if (!before.revokedAt)
        await appendAudit(trx, {
          actorId: actor.id,
          action: 'device.revoke',
          entity: 'device',
          recordId: id,
          before: { label: before.label, userId: before.userId, revokedAt: null },
          after: { label: row.label, userId: row.userId, revokedAt: row.revokedAt },
        });
      return present(row);
    });
  }

  /** Refuses a request that names a revoked device (any route, signed in or not). */
  async assertNotRevoked(header: string | string[] | undefined): Promise<void> {
    const id = Array.isArray(header) ? header[0] : header;
    if (!id || !isUuid(id.trim())) return;
    if (await repo.isDeviceRevoked(this.database.db, id.trim()))
      throw new Problem('device.revoked', {}, { pointer: '' });
  }
}

function signedIn(actor: Actor): string {
  assertCan(actor, 'token.manage_own');
  if (!actor.id) throw new Problem('auth.required', {}, { pointer: '' });
  return actor.id;
}

function checkArea(area: unknown): DeviceArea {
  const a = area as { adminAreaId?: unknown; bbox?: unknown } | null;
  if (a && typeof a.adminAreaId === 'string' && isUuid(a.adminAreaId)) return { adminAreaId: a.adminAreaId };
  const b = a?.bbox;
  if (
    Array.isArray(b) &&
    b.length === 4 &&
    b.every((n) => typeof n === 'number' && Number.isFinite(n)) &&
    b[0] <= b[2] &&
    b[1] <= b[3] &&
    Math.abs(b[1]) <= 90 &&
    Math.abs(b[3]) <= 90
  )
    return { bbox: b as [number, number, number, number] };
  throw new Problem('sync.area', {}, { pointer: '/area', field: 'area' });
}

function present(row: repo.DeviceRow): DeviceOut {
  return {
    id: row.id,
    userId: row.userId,
    label: row.label,
    appVersion: row.appVersion,
    area: row.area as DeviceArea,
    pending: row.pending,
    sent: row.sent,
    refused: row.refused,
    registeredAt: row.registeredAt,
    lastSyncAt: row.lastSyncAt,
    revokedAt: row.revokedAt,
  };
}
