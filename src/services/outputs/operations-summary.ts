import type { Geometry } from '../../io/types.ts';
import type { RecordOut } from '../registers.ts';
import { areaLocator, OutputContext } from './context.ts';
import { type Block, type Cell, type Column, type TableBlock, totalsRow } from './document.ts';
import type { OutputModule } from './types.ts';

/**
 * Operations summary for a period: land released by outcome, devices found and destroyed,
 * activities and risk education, by organisation and by admin area. Land release and findings
 * count for the organisation of the activity that made them (else the hazard's organisation).
 */

interface Figures {
  activities: number;
  cancelled: number;
  reduced: number;
  cleared: number;
  devices: number;
  ap: number;
  av: number;
  erw: number;
  reBeneficiaries: number;
}

const empty = (): Figures => ({
  activities: 0,
  cancelled: 0,
  reduced: 0,
  cleared: 0,
  devices: 0,
  ap: 0,
  av: 0,
  erw: 0,
  reBeneficiaries: 0,
});

const KEYS: Array<keyof Figures> = [
  'activities',
  'cancelled',
  'reduced',
  'cleared',
  'devices',
  'ap',
  'av',
  'erw',
  'reBeneficiaries',
];

export const operationsSummary: OutputModule = {
  name: 'operations-summary',
  params: ['from', 'to', 'area', 'organisation', 'level'],
  async build(ctx) {
    const org = ctx.params.organisation;
    const level = ctx.params.level ?? 1;
    const [organisations, hazards, allActivities, areas] = await Promise.all([
      ctx.byId('organisations'),
      ctx.byId('hazards'),
      ctx.byId('activities'),
      ctx.read('admin-areas', { equals: [['level', String(level)]] }),
    ]);
    const locate = areaLocator(areas);
    const orgOf = (r: RecordOut): string | null => {
      const a = r.activityId ? allActivities.get(r.activityId as string) : undefined;
      if (a?.organisationId) return a.organisationId as string;
      const h = r.hazardId ? hazards.get(r.hazardId as string) : undefined;
      return (h?.organisationId as string | undefined) ?? (r.organisationId as string | undefined) ?? null;
    };
    const scope = { ...ctx.period(), ...ctx.area() };
    const [activities, released, findings, sessions] = await Promise.all([
      ctx.read('activities', scope),
      ctx.read('land-release', scope),
      ctx.read('findings', scope),
      ctx.read('risk-education', scope),
    ]);
    const byOrg = new Map<string, Figures>();
    const byArea = new Map<string, Figures>();
    const total = empty();
    const add = (r: RecordOut, key: keyof Figures, amount: number, geometry: Geometry | null | undefined) => {
      const o = orgOf(r);
      if (org && o !== org) return;
      const a = locate(geometry)?.id as string | undefined;
      for (const [map, k] of [
        [byOrg, o ?? ''],
        [byArea, a ?? ''],
      ] as const) {
        let f = map.get(k);
        if (!f) {
          f = empty();
          map.set(k, f);
        }
        f[key] += amount;
      }
      total[key] += amount;
    };
    for (const a of activities) add(a, 'activities', 1, a.geometry as Geometry);
    for (const lr of released) {
      const outcome = lr.outcome as 'cancelled' | 'reduced' | 'cleared';
      add(lr, outcome, Number(lr.areaM2 ?? 0), lr.geometry as Geometry);
    }
    for (const f of findings) {
      const q = Number(f.quantity ?? 1);
      add(f, 'devices', q, f.geometry as Geometry);
      const c = f.category as string;
      if (c === 'AP') add(f, 'ap', q, f.geometry as Geometry);
      else if (c === 'AV') add(f, 'av', q, f.geometry as Geometry);
      else if (c === 'other_erw' || c === 'cluster_munition') add(f, 'erw', q, f.geometry as Geometry);
    }
    for (const s of sessions)
      add(s, 'reBeneficiaries', Number(s.beneficiariesTotal ?? 0), s.geometry as Geometry);

    const figureColumns: Column[] = [
      { key: 'activities', label: ctx.t('outputs.col.activities'), numeric: true },
      { key: 'cancelled', label: ctx.t('outputs.col.cancelled_m2'), numeric: true, unit: 'm2' },
      { key: 'reduced', label: ctx.t('outputs.col.reduced_m2'), numeric: true, unit: 'm2' },
      { key: 'cleared', label: ctx.t('outputs.col.cleared_m2'), numeric: true, unit: 'm2' },
      { key: 'devices', label: ctx.t('outputs.col.devices'), numeric: true },
      { key: 'ap', label: ctx.t('outputs.col.ap'), numeric: true },
      { key: 'av', label: ctx.t('outputs.col.av'), numeric: true },
      { key: 'erw', label: ctx.t('outputs.col.erw'), numeric: true },
      { key: 'reBeneficiaries', label: ctx.t('outputs.col.re_beneficiaries'), numeric: true },
    ];
    const table = (
      title: string,
      sheet: string,
      first: string,
      map: Map<string, Figures>,
      label: (k: string) => string,
    ): TableBlock => {
      const columns: Column[] = [{ key: 'name', label: first, width: 2.4 }, ...figureColumns];
      const rows: Cell[][] = [...map.entries()]
        .map(([k, f]) => [label(k), ...KEYS.map((x) => round(f[x]))] as Cell[])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]), ctx.locale));
      return {
        kind: 'table',
        title,
        sheet,
        columns,
        rows,
        totals: totalsRow(columns, rows, ctx.t('outputs.total')).map((c) =>
          typeof c === 'number' ? round(c) : c,
        ),
      };
    };
    const unknown = ctx.t('outputs.unknown');
    const areaById = new Map(areas.map((a) => [a.id as string, a]));
    const blocks: Block[] = [
      {
        kind: 'facts',
        title: ctx.t('outputs.operations.headline'),
        items: [
          [ctx.t('outputs.col.activities'), total.activities],
          [ctx.t('outputs.col.released_m2'), round(total.cancelled + total.reduced + total.cleared), 'm2'],
          [ctx.t('outputs.col.cancelled_m2'), round(total.cancelled), 'm2'],
          [ctx.t('outputs.col.reduced_m2'), round(total.reduced), 'm2'],
          [ctx.t('outputs.col.cleared_m2'), round(total.cleared), 'm2'],
          [ctx.t('outputs.col.devices'), total.devices],
          [ctx.t('outputs.col.re_beneficiaries'), total.reBeneficiaries],
        ],
      },
      table(
        ctx.t('outputs.operations.by_organisation'),
        ctx.t('outputs.sheet.by_organisation'),
        ctx.t('outputs.col.organisation'),
        byOrg,
        (k) => (k ? OutputContext.referenceLabel(organisations.get(k)) || k : unknown),
      ),
      table(
        ctx.t('outputs.operations.by_area', { level }),
        ctx.t('outputs.sheet.by_area'),
        ctx.t('outputs.col.admin_area'),
        byArea,
        (k) => (k ? OutputContext.referenceLabel(areaById.get(k)) || k : ctx.t('outputs.outside_areas')),
      ),
    ];
    return blocks;
  },
};

/** Areas to the square metre, counts as they are. */
export function round(n: number): number {
  return Math.round(n * 100) / 100;
}
