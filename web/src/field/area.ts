import type { Feature } from 'geojson';
import type { ServerConfig } from '../api/types.ts';
import type { BasemapArchive } from '../map/style.ts';
import { fieldRequest } from './api.ts';
import { type AreaRecord, type FieldArea, fieldDb, getMeta, MAP_CACHE, setMeta } from './store.ts';
import { type Bbox, fitZoom, tilesOf } from './tiles.ts';

/**
 * Downloading an area onto the device: its records, page by page from GET /api/v1/sync/area
 * (everything the first time, then only what changed since the kept cursor), and the basemap
 * tiles, glyphs and basemap description the offline map needs, into the map cache that the
 * service worker answers from when the network is gone.
 */
export const AREA_REGISTERS = [
  'hazards',
  'land-release',
  'findings',
  'minefield-records',
  'settlements',
  'accidents',
] as const;

interface AreaPage {
  cursor: string;
  next?: string;
  registers: Record<string, { upserts: Feature[]; removed: string[] }>;
}

export interface Progress {
  phase: 'records' | 'map';
  done: number;
  total: number | null;
}

const PAGE_SIZE = 2000;

function areaQuery(area: Pick<FieldArea, 'adminAreaId' | 'bbox'>): Record<string, string> {
  return area.adminAreaId ? { adminAreaId: area.adminAreaId } : { bbox: (area.bbox ?? []).join(',') };
}

/**
 * Reads the area's pages until there is no `next`, writing each page in one transaction; the
 * cursor is kept only once every page is in, so a download cut half-way starts again from the
 * same cursor (upserts are idempotent).
 */
export async function downloadRecords(
  area: FieldArea,
  onProgress: (p: Progress) => void,
): Promise<FieldArea> {
  const db = await fieldDb();
  if (!area.cursor) await db.clear('records');
  let since = area.cursor;
  let done = 0;
  let cursor = area.cursor;
  for (;;) {
    const sp = new URLSearchParams({ ...areaQuery(area), limit: String(PAGE_SIZE) });
    if (since) sp.set('since', since);
    const page = (await fieldRequest<AreaPage>(`/api/v1/sync/area?${sp}`)).data;
    const tx = db.transaction('records', 'readwrite');
    for (const [register, change] of Object.entries(page.registers)) {
      for (const id of change.removed) void tx.store.delete(`${register}:${id}`);
      for (const feature of change.upserts) {
        const id = String(feature.id ?? feature.properties?.id);
        const row: AreaRecord = { key: `${register}:${id}`, register, id, feature };
        void tx.store.put(row);
        done++;
      }
    }
    await tx.done;
    onProgress({ phase: 'records', done, total: null });
    cursor = page.cursor;
    if (!page.next) break;
    since = page.next;
  }
  const counts: Record<string, number> = {};
  for (const r of AREA_REGISTERS) counts[r] = await db.countFromIndex('records', 'register', r);
  const updated: FieldArea = { ...area, cursor, counts, syncedAt: new Date().toISOString() };
  await setMeta('area', updated);
  return updated;
}

/** Every record of one register held on the device, as GeoJSON features. */
export async function areaFeatures(register: string): Promise<Feature[]> {
  const rows = await (await fieldDb()).getAllFromIndex('records', 'register', register);
  return rows.map((r) => ({ ...r.feature, id: r.id, properties: { ...r.feature.properties, id: r.id } }));
}

export async function areaRecord(register: string, id: string): Promise<Feature | null> {
  const row = await (await fieldDb()).get('records', `${register}:${id}`);
  return row ? row.feature : null;
}

/** The box around every record held (the map opens on it), or the area's own box. */
export function bboxOfFeatures(features: Feature[]): Bbox | null {
  let b: Bbox | null = null;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as number[];
      b = b ? [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)] : [x, y, x, y];
    } else if (Array.isArray(c)) for (const x of c) visit(x);
  };
  for (const f of features) if (f.geometry && 'coordinates' in f.geometry) visit(f.geometry.coordinates);
  return b;
}

/** Glyph ranges of the labels' font: Latin, Cyrillic, Arabic and its presentation forms. */
const GLYPH_RANGES = [
  '0-255',
  '256-511',
  '1024-1279',
  '1536-1791',
  '1792-2047',
  '64256-64511',
  '64512-64767',
  '64768-65023',
  '65024-65279',
  '65280-65535',
];
const GLYPH_FONT = 'Noto Sans Regular';

/**
 * Puts the area's map into the map cache: the basemap description and the tiles of the
 * programme's own basemap layers (admin areas, settlements) and of the deployment's basemap
 * archive for a few zooms, and the labels' glyphs. Returns how many were kept.
 */
export async function cacheMap(bbox: Bbox, onProgress: (p: Progress) => void): Promise<number> {
  const origin = window.location.origin;
  const config = (await fieldRequest<ServerConfig>('/api/v1/config')).data;
  await setMeta('config', config);
  let archive: BasemapArchive | null = null;
  if (config.basemap?.archive) {
    archive = await fieldRequest<BasemapArchive>('/basemap/tiles.json')
      .then((r) => r.data)
      .catch(() => null);
  }
  await setMeta('archive', archive);
  const minZoom = Math.max(0, fitZoom(bbox) - 1);
  const urls: string[] = [];
  for (const t of tilesOf(bbox, minZoom, Math.min(minZoom + 5, 15))) {
    urls.push(`${origin}/tiles/admin-areas/${t.z}/${t.x}/${t.y}.mvt`);
    urls.push(`${origin}/tiles/settlements/${t.z}/${t.x}/${t.y}.mvt`);
  }
  if (archive) {
    for (const t of tilesOf(
      bbox,
      Math.max(minZoom, archive.minzoom),
      Math.min(minZoom + 5, archive.maxzoom),
    )) {
      for (const template of archive.tiles)
        urls.push(
          `${origin}${template.replace('{z}', String(t.z)).replace('{x}', String(t.x)).replace('{y}', String(t.y))}`,
        );
    }
  }
  for (const range of GLYPH_RANGES)
    urls.push(`${origin}/fonts/${encodeURIComponent(GLYPH_FONT)}/${range}.pbf`);
  urls.push(`${origin}/basemap/rtl-text.mjs`);
  const cache = await caches.open(MAP_CACHE);
  let done = 0;
  let kept = 0;
  const queue = [...urls];
  const worker = async () => {
    for (let url = queue.shift(); url; url = queue.shift()) {
      try {
        const res = await fetch(url, { credentials: 'same-origin' });
        if (res.ok) {
          await cache.put(url, res);
          kept++;
        }
      } catch {
        // a tile that cannot be fetched now is fetched at the next sync
      }
      done++;
      if (done % 20 === 0 || done === urls.length) onProgress({ phase: 'map', done, total: urls.length });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return kept;
}

/** The kept basemap settings for the offline map. */
export async function keptBasemap(): Promise<{
  config: ServerConfig | null;
  archive: BasemapArchive | null;
}> {
  return {
    config: ((await getMeta('config')) as ServerConfig | undefined) ?? null,
    archive: ((await getMeta('archive')) as BasemapArchive | undefined) ?? null,
  };
}
