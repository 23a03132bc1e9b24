import type { Feature } from 'geojson';
import { type DBSchema, deleteDB, type IDBPDatabase, openDB } from 'idb';
import type { User } from '../api/types.ts';
import type { FieldDraft } from './drafts.ts';

/**
 * What the field app keeps on the device, in one IndexedDB database: the signed-in user and the
 * device's id, the chosen area with its sync cursor, the area's records (one row per record, by
 * register), the drafts with their sync state, and the drafts' photos as Blobs. Nothing else is
 * kept, and sign-out or revocation deletes the whole database (`wipeDevice`).
 */
export const DB_NAME = 'safeground-field';

/** The chosen area: an admin area or a box drawn from the map's view, and where its sync stands. */
export interface FieldArea {
  adminAreaId: string | null;
  bbox: [number, number, number, number] | null;
  label: string;
  /** The server's cursor after the last complete download; the next sync asks for changes since it. */
  cursor: string | null;
  syncedAt: string | null;
  /** Records held, by register. */
  counts: Record<string, number>;
  /** Basemap tiles kept for offline use. */
  tiles: number;
}

export interface FieldPhoto {
  id: string;
  draftId: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  blob: Blob;
  /** The server's upload once created, and how many bytes it holds. */
  uploadId: string | null;
  offset: number;
  attached: boolean;
}

export interface AreaRecord {
  key: string;
  register: string;
  id: string;
  feature: Feature;
}

interface Meta {
  user: User;
  deviceId: string;
  area: FieldArea;
  /** The basemap settings (GET /api/v1/config and /basemap/tiles.json) for the offline map. */
  config: unknown;
  archive: unknown;
  /** The non-extractable AES-GCM key that encrypts casualty identities in drafts. */
  identityKey: CryptoKey;
  lastStatus: { pending: number; sent: number; refused: number };
}

interface FieldSchema extends DBSchema {
  meta: { key: string; value: unknown };
  records: { key: string; value: AreaRecord; indexes: { register: string } };
  drafts: { key: string; value: FieldDraft; indexes: { queuedAt: string } };
  photos: { key: string; value: FieldPhoto; indexes: { draftId: string } };
}

let dbPromise: Promise<IDBPDatabase<FieldSchema>> | null = null;

export function fieldDb(): Promise<IDBPDatabase<FieldSchema>> {
  dbPromise ??= openDB<FieldSchema>(DB_NAME, 1, {
    upgrade(db) {
      db.createObjectStore('meta');
      db.createObjectStore('records', { keyPath: 'key' }).createIndex('register', 'register');
      db.createObjectStore('drafts', { keyPath: 'clientId' }).createIndex('queuedAt', 'queuedAt');
      db.createObjectStore('photos', { keyPath: 'id' }).createIndex('draftId', 'draftId');
    },
    blocking() {
      // Another tab wipes or upgrades the database: let it.
      void dbPromise?.then((db) => db.close());
      dbPromise = null;
    },
  });
  return dbPromise;
}

export async function getMeta<K extends keyof Meta>(key: K): Promise<Meta[K] | undefined> {
  return (await (await fieldDb()).get('meta', key)) as Meta[K] | undefined;
}

export async function setMeta<K extends keyof Meta>(key: K, value: Meta[K]): Promise<void> {
  await (await fieldDb()).put('meta', value, key);
}

/** The device's own id, made once and kept until the device is wiped. */
export async function deviceId(): Promise<string> {
  const known = await getMeta('deviceId');
  if (known) return known;
  const id = crypto.randomUUID();
  await setMeta('deviceId', id);
  return id;
}

/** Caches the field app fills: the map's tiles, glyphs and basemap description for the area. */
export const MAP_CACHE = 'safeground-field-map';

/**
 * Removes everything the field app keeps: the database (area, drafts, photos, keys) and the map
 * cache. Used on sign-out and when the server says the device is revoked.
 */
export async function wipeDevice(): Promise<void> {
  const db = await dbPromise?.catch(() => null);
  db?.close();
  dbPromise = null;
  await deleteDB(DB_NAME);
  if (typeof caches !== 'undefined') await caches.delete(MAP_CACHE);
}
