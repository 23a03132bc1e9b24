import type { Database } from '../db/connect.ts';
import { aggregatesByAdminArea, hazardHexagons } from '../db/repositories/public.ts';
import { Problem } from '../domain/problem.ts';

/**
 * What anyone may read, signed in or not: aggregate figures by admin area and a generalised
 * hazard map. No record, no open hazard's exact coordinates and no personal data leave here.
 */
export class PublicService {
  constructor(
    private readonly database: Database,
    /** The smallest hexagon the hazard map is generalised to, metres. */
    private readonly minHexagonM: number,
  ) {}

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
    const sizeM = Number.isFinite(asked) ? Math.max(asked, this.minHexagonM) : this.minHexagonM;
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
