import type { Geometry } from '../../io/types.ts';
import type { RecordOut } from '../registers.ts';
import { areaLocator, OutputContext, representativePoint } from './context.ts';
import { type Block, type Cell, type Column, totalsRow } from './document.ts';
import { round } from './operations-summary.ts';
import type { OutputModule } from './types.ts';

/**
 * Treaty transparency tables, laid out as the forms are, to be pasted into or sent as the
 * report: APMBC Article 7 (Form C: mined areas; Form F: release in the period by method; Form G/B:
 * items destroyed by model) and CCW Amended Protocol II (Form B: mined areas) / Protocol V
 * (ERW: areas and items cleared).
 */

const AP_CATEGORIES = new Set(['AP', 'improvised_mine']);
const ERW_CATEGORIES = new Set(['other_erw', 'cluster_munition']);
const DESTROYED = new Set(['destroyed_in_situ', 'removed_destroyed']);

async function common(ctx: OutputContext) {
  const level = ctx.params.level ?? 1;
  const [hazards, areas, ordnance] = await Promise.all([
    ctx.read('hazards', ctx.area()),
    ctx.read('admin-areas', { equals: [['level', String(level)]] }),
    ctx.byId('ordnance'),
  ]);
  return { open: hazards.filter((h) => h.status !== 'closed'), locate: areaLocator(areas), ordnance };
}

function locationCells(
  h: RecordOut,
  locate: (g: Geometry | null | undefined) => RecordOut | undefined,
): Cell[] {
  const p = representativePoint(h.geometry as Geometry);
  return [
    OutputContext.referenceLabel(locate(h.geometry as Geometry)),
    p ? Number(p[1].toFixed(5)) : null,
    p ? Number(p[0].toFixed(5)) : null,
  ];
}

function modelOf(f: RecordOut, ordnance: Map<string, RecordOut>): string {
  return (
    (f.ordnanceId ? (ordnance.get(f.ordnanceId as string)?.model as string | undefined) : undefined) ??
    (f.modelText as string | null) ??
    ''
  );
}

function itemsByModel(
  ctx: OutputContext,
  findings: RecordOut[],
  ordnance: Map<string, RecordOut>,
  keep: (f: RecordOut) => boolean,
): Cell[][] {
  const groups = new Map<string, Cell[]>();
  for (const f of findings) {
    if (!keep(f)) continue;
    const model = modelOf(f, ordnance) || ctx.t('outputs.model_not_recorded');
    const key = `${f.category}\u0000${model}`;
    const row = groups.get(key) ?? [ctx.vocab(f.category), model, 0];
    row[2] = (row[2] as number) + Number(f.quantity ?? 1);
    groups.set(key, row);
  }
  return [...groups.values()].sort(
    (a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1])),
  );
}

function withTotals(ctx: OutputContext, columns: Column[], rows: Cell[][]) {
  return {
    columns,
    rows,
    totals: totalsRow(columns, rows, ctx.t('outputs.total')).map((c) =>
      typeof c === 'number' ? round(c) : c,
    ),
  };
}

export const article7: OutputModule = {
  name: 'apmbc-article7',
  params: ['from', 'to', 'area', 'level'],
  async build(ctx) {
    const { open, locate, ordnance } = await common(ctx);
    const scope = { ...ctx.period(), ...ctx.area() };
    const [released, findings] = await Promise.all([
      ctx.read('land-release', scope),
      ctx.read('findings', scope),
    ]);
    const mined = open.filter(
      (h) =>
        ((h.deviceCategories as string[] | undefined) ?? []).some(
          (c) => AP_CATEGORIES.has(c) || c === 'AV' || c === 'unknown',
        ) || !(h.deviceCategories as string[] | undefined)?.length,
    );
    const formC: Column[] = [
      { key: 'code', label: ctx.t('outputs.col.code') },
      { key: 'area', label: ctx.t('outputs.col.admin_area'), width: 1.8 },
      { key: 'lat', label: ctx.t('outputs.col.lat'), numeric: false },
      { key: 'lon', label: ctx.t('outputs.col.lon'), numeric: false },
      { key: 'type', label: ctx.t('outputs.col.type') },
      { key: 'devices', label: ctx.t('outputs.col.device_types'), width: 1.5 },
      { key: 'areaM2', label: ctx.t('outputs.col.area_m2'), numeric: true, unit: 'm2' },
      { key: 'remainingM2', label: ctx.t('outputs.col.remaining_m2'), numeric: true, unit: 'm2' },
    ];
    const formCRows: Cell[][] = mined.map((h) => [
      h.code as string,
      ...locationCells(h, locate),
      ctx.vocab(h.type),
      ((h.deviceCategories as string[] | undefined) ?? []).map((c) => ctx.vocab(c)).join(ctx.separator) ||
        ctx.t('outputs.unknown'),
      round(Number(h.areaM2 ?? 0)),
      round(Number(h.remainingAreaM2 ?? 0)),
    ]);
    const byMethod = new Map<string, Cell[]>();
    for (const r of released) {
      const key = `${r.outcome}\u0000${r.method ?? ''}`;
      const row = byMethod.get(key) ?? [ctx.vocab(r.outcome), ctx.vocab(r.method), 0, 0];
      row[2] = (row[2] as number) + 1;
      row[3] = round((row[3] as number) + Number(r.areaM2 ?? 0));
      byMethod.set(key, row);
    }
    const releaseColumns: Column[] = [
      { key: 'outcome', label: ctx.t('outputs.col.outcome') },
      { key: 'method', label: ctx.t('outputs.col.method'), width: 1.5 },
      { key: 'count', label: ctx.t('outputs.col.records'), numeric: true },
      { key: 'areaM2', label: ctx.t('outputs.col.area_m2'), numeric: true, unit: 'm2' },
    ];
    const destroyedColumns: Column[] = [
      { key: 'category', label: ctx.t('outputs.col.category') },
      { key: 'model', label: ctx.t('outputs.col.model'), width: 1.5 },
      { key: 'quantity', label: ctx.t('outputs.col.quantity'), numeric: true },
    ];
    const blocks: Block[] = [
      {
        kind: 'table',
        title: ctx.t('outputs.a7.form_c'),
        sheet: 'Form C',
        note: ctx.t('outputs.a7.form_c_note'),
        ...withTotals(ctx, formC, formCRows),
      },
      {
        kind: 'table',
        title: ctx.t('outputs.a7.form_f'),
        sheet: 'Form F',
        note: ctx.t('outputs.a7.form_f_note'),
        ...withTotals(
          ctx,
          releaseColumns,
          [...byMethod.values()].sort(
            (a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1])),
          ),
        ),
      },
      // Stockpiles (Forms B and D) are not registers of this system: said plainly, not left blank.
      { kind: 'text', title: ctx.t('outputs.a7.stockpile'), text: ctx.t('outputs.a7.no_stockpile') },
      {
        kind: 'table',
        title: ctx.t('outputs.a7.destroyed'),
        sheet: 'Form G',
        note: ctx.t('outputs.a7.destroyed_note'),
        ...withTotals(
          ctx,
          destroyedColumns,
          itemsByModel(
            ctx,
            findings,
            ordnance,
            (f) => AP_CATEGORIES.has(f.category as string) && DESTROYED.has(f.disposition as string),
          ),
        ),
      },
      {
        kind: 'table',
        title: ctx.t('outputs.a7.other_destroyed'),
        sheet: 'Other items',
        ...withTotals(
          ctx,
          destroyedColumns,
          itemsByModel(
            ctx,
            findings,
            ordnance,
            (f) => !AP_CATEGORIES.has(f.category as string) && DESTROYED.has(f.disposition as string),
          ),
        ),
      },
    ];
    return blocks;
  },
};

export const ccw: OutputModule = {
  name: 'ccw-protocols',
  params: ['from', 'to', 'area', 'level'],
  async build(ctx) {
    const { open, locate, ordnance } = await common(ctx);
    const scope = { ...ctx.period(), ...ctx.area() };
    const [released, findings] = await Promise.all([
      ctx.read('land-release', scope),
      ctx.read('findings', scope),
    ]);
    const erwHazard = (h: RecordOut) =>
      ((h.deviceCategories as string[] | undefined) ?? []).some((c) => ERW_CATEGORIES.has(c));
    const areaColumns: Column[] = [
      { key: 'code', label: ctx.t('outputs.col.code') },
      { key: 'area', label: ctx.t('outputs.col.admin_area'), width: 1.8 },
      { key: 'lat', label: ctx.t('outputs.col.lat') },
      { key: 'lon', label: ctx.t('outputs.col.lon') },
      { key: 'devices', label: ctx.t('outputs.col.device_types'), width: 1.5 },
      { key: 'remainingM2', label: ctx.t('outputs.col.remaining_m2'), numeric: true, unit: 'm2' },
    ];
    const row = (h: RecordOut): Cell[] => [
      h.code as string,
      ...locationCells(h, locate),
      ((h.deviceCategories as string[] | undefined) ?? []).map((c) => ctx.vocab(c)).join(ctx.separator) ||
        ctx.t('outputs.unknown'),
      round(Number(h.remainingAreaM2 ?? 0)),
    ];
    const clearedM2 = round(
      released.filter((r) => r.outcome === 'cleared').reduce((s, r) => s + Number(r.areaM2 ?? 0), 0),
    );
    const itemColumns: Column[] = [
      { key: 'category', label: ctx.t('outputs.col.category') },
      { key: 'model', label: ctx.t('outputs.col.model'), width: 1.5 },
      { key: 'quantity', label: ctx.t('outputs.col.quantity'), numeric: true },
    ];
    return [
      {
        kind: 'table',
        title: ctx.t('outputs.ccw.apii_b'),
        sheet: 'APII Form B',
        note: ctx.t('outputs.ccw.apii_b_note'),
        ...withTotals(ctx, areaColumns, open.filter((h) => !erwHazard(h)).map(row)),
      },
      {
        kind: 'table',
        title: ctx.t('outputs.ccw.pv_areas'),
        sheet: 'PV ERW areas',
        note: ctx.t('outputs.ccw.pv_note'),
        ...withTotals(ctx, areaColumns, open.filter(erwHazard).map(row)),
      },
      {
        kind: 'table',
        title: ctx.t('outputs.ccw.pv_items'),
        sheet: 'PV ERW cleared',
        ...withTotals(
          ctx,
          itemColumns,
          itemsByModel(ctx, findings, ordnance, (f) => ERW_CATEGORIES.has(f.category as string)),
        ),
      },
      {
        kind: 'facts',
        title: ctx.t('outputs.ccw.cleared'),
        items: [[ctx.t('outputs.col.cleared_m2'), clearedM2, 'm2']],
      },
    ];
  },
};
