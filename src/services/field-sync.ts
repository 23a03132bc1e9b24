import type { Database } from '../db/connect.ts';
import { changedIds, databaseNow } from '../db/repositories/field-sync.ts';
import { Problem } from '../domain/problem.ts';
import type { RegisterDef } from '../domain/records.ts';
import { type Actor, assertCan } from './actor.ts';
import { isUuid, type ListQuery } from './list-query.ts';
import type { RecordOut, RegisterService } from './registers.ts';

/** The registers a device holds for its area, in the order the feed sends them. */
export const SYNC_REGISTERS = [
  'hazards',
  'land-release',
  'findings',
  'minefield-records',
  'settlements',
  'accidents',
] as const;
export type SyncRegister = (typeof SYNC_REGISTERS)[number];

export const DEFAULT_SYNC_LIMIT = 2000;
export const MAX_SYNC_LIMIT = 5000;
/**
 * An incremental feed reads what was written after the cursor less this margin, so that a write
 * whose transaction began before the cursor and committed after it is not missed (it may come
 * twice: an upsert of what the device already holds changes nothing).
 */
export const SYNC_MARGIN_MS = 10 * 60 * 1000;

/** Fields left out of what a device holds: the minefield record's content (the perimeter is kept). */
const LEFT_OUT: Partial<Record<SyncRegister, string[]>> = { 'minefield-records': ['record'] };

export type SyncArea = { adminAreaId: string } | { bbox: [number, number, number, number] };

interface Position {
  /** The cursor this feed runs up to (the database's clock when it began). */
  t: string;
  /** The cursor it runs from (absent: everything in the area). */
  f?: string;
  /** Register index and the last id sent in it. */
  r: number;
  a: string | null;
}

export interface Feature {
  type: 'Feature';
  id: string;
  geometry: unknown;
  properties: Record<string, unknown>;
}

export interface AreaPage {
  /** Keep this once every page is read: the next sync sends it as `since`. */
  cursor: string;
  /** More pages: send this as `since` for the next one. */
  next?: string;
  registers: Record<SyncRegister, { upserts: Feature[]; removed: string[] }>;
}

/**
 * The data of an area a device holds offline (docs/field-sync.md): hazards, land release,
 * findings, minefield-record perimeters, settlements and accidents, read through the register
 * service (so the permission checks and identity stripping apply; casualties are never sent).
 * Without a cursor, everything in the area; with one, what was written since: records created
 * or changed (upserts), and records archived or moved out of the area (removed). Paged in id
 * order, register after register.
 */
export class FieldSyncService {
  constructor(
    private readonly database: Database,
    private readonly registers: Map<string, RegisterService>,
  ) {}

  async area(actor: Actor, area: SyncArea, since: string | undefined, limit: number): Promise<AreaPage> {
    const services = SYNC_REGISTERS.map((slug) => this.registers.get(slug)!);
    for (const s of services) assertCan(actor, 'record.read', s.def);
    if ('adminAreaId' in area) await this.registers.get('admin-areas')!.get(actor, area.adminAreaId);
    const pos = since ? decodeSince(since) : { t: await databaseNow(this.database.db), r: 0, a: null };
    const registers = Object.fromEntries(
      SYNC_REGISTERS.map((slug) => [slug, { upserts: [] as Feature[], removed: [] as string[] }]),
    ) as AreaPage['registers'];
    const filter: Pick<ListQuery, 'equals' | 'includeArchived' | 'adminAreaId' | 'bbox'> = {
      equals: [],
      includeArchived: false,
      ...('adminAreaId' in area ? { adminAreaId: area.adminAreaId } : { bbox: area.bbox }),
    };
    let room = limit;
    let r = pos.r;
    let after = pos.a;
    while (r < services.length && room > 0) {
      const service = services[r]!;
      const slug = SYNC_REGISTERS[r]!;
      let more: boolean;
      if (pos.f === undefined) {
        const page = await service.list(actor, {
          ...filter,
          sortField: 'id',
          descending: false,
          limit: room,
          ...(after ? { after: { value: after, id: after } } : {}),
        });
        registers[slug].upserts.push(...page.records.map((rec) => feature(service.def, slug, rec)));
        more = page.next !== undefined;
        after = (page.records[page.records.length - 1]?.id as string | undefined) ?? after;
        room -= page.records.length;
      } else {
        const from = new Date(Date.parse(pos.f) - SYNC_MARGIN_MS).toISOString();
        const ids = await changedIds(this.database.db, service.def, from, after, room + 1);
        more = ids.length > room;
        const slice = ids.slice(0, room);
        if (slice.length) {
          const page = await service.list(actor, {
            ...filter,
            ids: slice,
            sortField: 'id',
            descending: false,
            limit: slice.length,
          });
          const kept = new Set(page.records.map((rec) => rec.id as string));
          registers[slug].upserts.push(...page.records.map((rec) => feature(service.def, slug, rec)));
          registers[slug].removed.push(...slice.filter((id) => !kept.has(id)));
          after = slice[slice.length - 1]!;
        }
        room -= slice.length;
      }
      if (more) break;
      r++;
      after = null;
    }
    const cursor = encode({ t: pos.t, r: 0, a: null });
    if (r >= services.length) return { cursor, registers };
    return { cursor, next: encode({ t: pos.t, ...(pos.f ? { f: pos.f } : {}), r, a: after }), registers };
  }
}

/** Reads `bbox` (west,south,east,north) or `adminAreaId` as the area of a feed. */
export function parseSyncArea(q: { adminAreaId?: string; bbox?: string }): SyncArea {
  if (q.adminAreaId !== undefined && q.bbox === undefined && isUuid(q.adminAreaId))
    return { adminAreaId: q.adminAreaId };
  if (q.bbox !== undefined && q.adminAreaId === undefined) {
    const n = q.bbox.split(',').map(Number);
    if (
      n.length === 4 &&
      n.every((x) => Number.isFinite(x)) &&
      n[0]! <= n[2]! &&
      n[1]! <= n[3]! &&
      Math.abs(n[1]!) <= 90 &&
      Math.abs(n[3]!) <= 90
    )
      return { bbox: n as [number, number, number, number] };
  }
  throw new Problem('sync.area', {}, { pointer: '/area', field: 'area' });
}

function encode(p: Position): string {
  return Buffer.from(JSON.stringify({ v: 1, ...p })).toString('base64url');
}

/**
 * A cursor kept from a finished feed starts an incremental one from it, up to now; a `next`
 * token continues the feed it came from.
 */
function decodeSince(since: string): Position {
  let p: Partial<Position> & { v?: number };
  try {
    p = JSON.parse(Buffer.from(since, 'base64url').toString('utf8'));
  } catch {
    p = {};
  }
  const valid =
    p.v === 1 &&
    typeof p.t === 'string' &&
    !Number.isNaN(Date.parse(p.t)) &&
    (p.f === undefined || (typeof p.f === 'string' && !Number.isNaN(Date.parse(p.f)))) &&
    Number.isInteger(p.r) &&
    p.r! >= 0 &&
    p.r! <= SYNC_REGISTERS.length &&
    (p.a === null || (typeof p.a === 'string' && isUuid(p.a)));
  if (!valid) throw new Problem('sync.cursor', {}, { pointer: '/since', field: 'since' });
  const continued = p.r! > 0 || p.a !== null;
  if (continued) return p as Position;
  return { t: p.t!, f: p.t!, r: 0, a: null };
}

/** A record as a GeoJSON Feature with what the device keeps of it. */
function feature(def: RegisterDef, slug: SyncRegister, record: RecordOut): Feature {
  const { geometry, archivedAt: _a, ...properties } = record;
  for (const f of LEFT_OUT[slug] ?? []) delete properties[f];
  return {
    type: 'Feature',
    id: record.id as string,
    geometry: def.geometry ? (geometry ?? null) : null,
    properties,
  };
}
