import type { Database } from '../db/connect.ts';
import { aggregatesByAdminArea, hazardHexagons } from '../db/repositories/public.ts';
import { tileGenerations } from '../db/repositories/tiles.ts';
import { Problem } from '../domain/problem.ts';

/**
 * What anyone may read, signed in or not: aggregate figures by admin area and a generalised
 * hazard map. No record, no open hazard's exact coordinates and no personal data leave here.
 */
/** The tables each public answer is made from: its cache key carries their generations. */
const SUMMARY_TABLES = ['admin_areas', 'hazards', 'land_release', 'findings', 'accidents', 'casualties'];
const HAZARD_MAP_TABLES = ['hazards'];
/** Answers kept; a new key beyond these drops the least recently used. */
const CACHE_ENTRIES = 64;

export class PublicService {
  /** Answers by query and the generations of their tables (migrations 016, 031): never older than a write. */
  private readonly cache = new Map<string, unknown>();
  /** Answers being made: a burst of the same request waits for one computation. */
  private readonly pending = new Map<string, Promise<unknown>>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly database: Database,
    /** The smallest hexagon the hazard map is generalised to, metres. */
    private readonly minHexagonM: number,
  ) {}

  /**
   * The answer for `query` from the cache while none of `tables` has been written since it was
   * made, else made once by `make` however many ask for it at the same time.
   */
  private async cached<T>(query: string, tables: string[], make: () => Promise<T>): Promise<T> {
    const generations = await tileGenerations(this.database.reader());
    const key = `${query}|${tables.map((t) => `${t}:${generations.get(t) ?? '-'}`).join(',')}`;
    if (this.cache.has(key)) {
      this.hits++;
      const value = this.cache.get(key) as T;
      this.cache.delete(key);
      this.cache.set(key, value);
      return value;
    }
    const running = this.pending.get(key);
    if (running) return running as Promise<T>;
    this.misses++;
    const made = make().then(
      (value) => {
        this.pending.delete(key);
        this.cache.set(key, value);
        for (const k of this.cache.keys()) {
          if (this.cache.size <= CACHE_ENTRIES) break;
          this.cache.delete(k);
        }
        return value;
      },
      (error) => {
        this.pending.delete(key);
        throw error;
      },
    );
    this.pending.set(key, made);
    return made;
  }

  /**
   * Figures by admin area and year. Example: `summary({ level: '1', from: '2020', to: '2024' })`;
   * each parameter defaults (level 1, the last ten years).
   */
  async summary(q: { level?: string; from?: string; to?: string }) {
    const thisYear = new Date().getUTCFullYear();
    const level = q.level === undefined ? 1 : Number(q.level);
    const from = q.from === undefined ? thisYear - 9 : Number(q.from);
    const to = q.to === undefined ? thisYear : Number(q.to);
    for (const [field, v, min, max] of [
      ['level', level, 0, 5],
      ['from', from, 1900, 2200],
      ['to', to, 1900, 2200],
    ] as const) {
      if (!Number.isInteger(v) || v < min || v > max) {
        throw new Problem(
          'validation.range',
          { field, value: String(v), rule: 'between', limit: `${min}–${max}` },
          { pointer: `/${field}` },
        );
      }
    }
    if (from > to || to - from > 50)
      throw new Problem(
        'validation.range',
        { field: 'from', value: `${from}–${to}`, rule: 'span', limit: '≤ 50 years' },
        { pointer: '/from' },
      );
    return this.cached(`summary:${level}:${from}:${to}`, SUMMARY_TABLES, () =>
      this.makeSummary(level, from, to),
    );
  }

  private async makeSummary(level: number, from: number, to: number) {
    const a = await aggregatesByAdminArea(this.database.reader(), level, from, to);
    const years = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    return {
      level,
      from,
      to,
      areas: a.areas.map((area) => ({
        pcode: area.pcode,
        name: area.name,
        names: area.names,
        openHazards: area.openHazards,
        remainingAreaM2: Math.round(area.remainingAreaM2),
        years: years.map((year) => {
          const released = { cancelled: 0, reduced: 0, cleared: 0 } as Record<string, number>;
          for (const r of a.released)
            if (r.areaId === area.id && r.year === year) released[r.outcome] = Math.round(r.areaM2);
          const devices: Record<string, number> = {};
          for (const f of a.found) if (f.areaId === area.id && f.year === year) devices[f.category] = f.n;
          const casualties = { killed: 0, injured: 0, unknown: 0 } as Record<string, number>;
          for (const c of a.hurt) if (c.areaId === area.id && c.year === year) casualties[c.outcome] = c.n;
          return { year, releasedM2: released, devicesFound: devices, casualties };
        }),
      })),
    };
  }

  /** Open hazards generalised to hexagons of at least the server's minimum size. */
  async hazardMap(askedM?: string) {
    const asked = Number(askedM ?? this.minHexagonM);
    const sizeM = publicHexagonSize(asked, this.minHexagonM);
    return this.cached(`hazard-map:${sizeM}`, HAZARD_MAP_TABLES, () => this.makeHazardMap(sizeM));
  }

  private async makeHazardMap(sizeM: number) {
    const cells = await hazardHexagons(this.database.reader(), sizeM);
    return {
      type: 'FeatureCollection',
      sizeM,
      features: cells.map((c) => ({
        type: 'Feature',
        geometry: c.geometry,
        properties: { hazards: c.hazards, remainingAreaM2: c.remainingAreaM2 },
      })),
    };
  }
}

/**
 * The hexagon size used for an asked size: never below the floor, and rounded up to two
 * significant figures (1 234 m → 1 300 m), so the sizes anyone can ask make a bounded set of
 * answers to compute and keep.
 */
export function publicHexagonSize(asked: number, floorM: number): number {
  if (!Number.isFinite(asked) || asked <= floorM) return floorM;
  const step = 10 ** Math.max(0, Math.floor(Math.log10(asked)) - 1);
  return Math.max(floorM, Math.ceil(asked / step) * step);
}
