import type { OutputContext } from './context.ts';
import { type Block, type Cell, type Column, totalsRow } from './document.ts';
import type { OutputModule } from './types.ts';

/**
 * The planning tables (docs/planning.md): readiness of settlements, priorities of open hazards,
 * and task orders with their progress and the planning board. Readiness and priorities are the
 * set-based planning reads; task orders are read through the register service (operators get
 * their own organisation's), all as at the report's date.
 */

function planning(ctx: OutputContext) {
  if (!ctx.planning) throw new Error('planning reads are not available to this output service');
  return ctx.planning;
}

export const readinessTable: OutputModule = {
  name: 'readiness',
  params: [],
  async build(ctx) {
    const out = await planning(ctx).planning.readiness(ctx.actor, {
      asAt: ctx.params.asAt,
      locale: ctx.locale,
    });
    const levels = [...new Set(out.items.map((i) => i.level))];
    const columns: Column[] = [
      { key: 'settlement', label: ctx.t('outputs.col.settlement'), width: 2 },
      { key: 'level', label: ctx.t('outputs.col.readiness') },
      { key: 'near', label: ctx.t('outputs.col.hazards_first_band'), numeric: true },
      { key: 'outer', label: ctx.t('outputs.col.hazards_outer_bands'), numeric: true },
      { key: 'displaced', label: ctx.t('outputs.col.displaced_households'), numeric: true },
      { key: 'accidents', label: ctx.t('outputs.col.accidents'), numeric: true },
      { key: 're', label: ctx.t('outputs.col.re_sessions'), numeric: true },
      { key: 'rule', label: ctx.t('outputs.col.rule'), width: 3 },
    ];
    const rows: Cell[][] = out.items.map((i) => [
      i.settlement.name,
      ctx.t(`planning.level.${i.level}`),
      i.bands[0]?.hazards.length ?? 0,
      i.bands.slice(1).reduce((s, b) => s + b.hazards.length, 0),
      i.settlement.displacedHouseholds ?? 0,
      i.accidents.count,
      i.riskEducation.sessions,
      i.rule.statement,
    ]);
    return [
      {
        kind: 'facts',
        title: ctx.t('outputs.readiness.headline', { version: out.rules.version }),
        items: [
          [ctx.t('outputs.col.settlements'), out.items.length],
          ...levels.map(
            (l) =>
              [ctx.t(`planning.level.${l}`), out.items.filter((i) => i.level === l).length] as [string, Cell],
          ),
        ],
      },
      {
        kind: 'table',
        title: ctx.t('outputs.readiness.table'),
        sheet: ctx.t('outputs.sheet.readiness'),
        columns,
        rows,
      },
    ];
  },
};

export const prioritiesTable: OutputModule = {
  name: 'priorities',
  params: [],
  async build(ctx) {
    const out = await planning(ctx).planning.priorities(ctx.actor, { asAt: ctx.params.asAt });
    const columns: Column[] = [
      { key: 'rank', label: ctx.t('outputs.col.rank'), numeric: true },
      { key: 'hazard', label: ctx.t('outputs.col.code') },
      { key: 'score', label: ctx.t('outputs.col.score'), numeric: true },
      { key: 'remaining', label: ctx.t('outputs.col.remaining_m2'), numeric: true },
      { key: 'days', label: ctx.t('outputs.col.effort_days'), numeric: true },
      { key: 'factors', label: ctx.t('outputs.col.factors'), width: 4 },
    ];
    const rows: Cell[][] = out.items.map((i) => [
      i.rank,
      i.hazard.code,
      i.score,
      Math.round(i.hazard.remainingAreaM2),
      i.effort ? i.effort.days : null,
      i.factors
        .filter((f) => f.contribution > 0)
        .sort((a, b) => b.contribution - a.contribution)
        .map((f) => `${ctx.t(`planning.factor.${f.factor}`)} ${f.value} × ${f.weight}`)
        .join(ctx.separator),
    ]);
    return [
      {
        kind: 'facts',
        title: ctx.t('outputs.priorities.headline', { version: out.weights.version }),
        items: [[ctx.t('outputs.col.open_hazards'), out.items.length]],
      },
      {
        kind: 'table',
        title: ctx.t('outputs.priorities.table'),
        sheet: ctx.t('outputs.sheet.priorities'),
        note: ctx.t('outputs.priorities.note'),
        columns,
        rows,
      },
    ];
  },
};

export const taskOrdersTable: OutputModule = {
  name: 'task-orders',
  params: ['from', 'to', 'organisation'],
  async build(ctx) {
    const { tasking } = planning(ctx);
    const list = await tasking.list(ctx.actor, {
      asAt: ctx.params.asAt,
      organisationId: ctx.params.organisation,
    });
    const from = ctx.params.from;
    const to = ctx.params.to;
    // Orders planned to be under way in the period (all when no period is given).
    const items = list.items.filter(
      (o) => (!to || (o.plannedStart as string) <= to) && (!from || (o.plannedEnd as string) >= from),
    );
    const organisations = await ctx.byId('organisations');
    const columns: Column[] = [
      { key: 'code', label: ctx.t('outputs.col.code') },
      { key: 'reference', label: ctx.t('outputs.col.reference') },
      { key: 'organisation', label: ctx.t('outputs.col.organisation'), width: 2 },
      { key: 'kind', label: ctx.t('outputs.col.kind') },
      { key: 'state', label: ctx.t('outputs.col.state') },
      { key: 'plannedStart', label: ctx.t('outputs.col.planned_start') },
      { key: 'plannedEnd', label: ctx.t('outputs.col.planned_end') },
      { key: 'actualStart', label: ctx.t('outputs.col.actual_start') },
      { key: 'released', label: ctx.t('outputs.col.released_m2'), numeric: true },
      { key: 'remaining', label: ctx.t('outputs.col.remaining_m2'), numeric: true },
      { key: 'late', label: ctx.t('outputs.col.days_late'), numeric: true },
      { key: 'left', label: ctx.t('outputs.col.effort_days'), numeric: true },
    ];
    const rows: Cell[][] = items.map((o) => [
      o.code as string,
      (o.reference as string | null) ?? '',
      organisationName(organisations.get(o.organisationId as string), o.organisationId as string),
      ctx.vocab(o.activityKind),
      ctx.vocab(o.state),
      o.plannedStart as string,
      o.plannedEnd as string,
      o.progress.dates.actualStart ?? '',
      Math.round(o.progress.area.releasedM2),
      Math.round(o.progress.area.remainingM2),
      o.progress.dates.daysLate,
      o.progress.effort ? o.progress.effort.days : null,
    ]);
    const states = [...new Set(items.map((o) => o.state as string))];
    const blocks: Block[] = [
      {
        kind: 'facts',
        title: ctx.t('outputs.task_orders.headline'),
        items: [
          [ctx.t('outputs.col.task_orders'), items.length],
          ...states.map((s) => [ctx.vocab(s), items.filter((o) => o.state === s).length] as [string, Cell]),
        ],
      },
      {
        kind: 'table',
        title: ctx.t('outputs.task_orders.table'),
        sheet: ctx.t('outputs.sheet.task_orders'),
        note: ctx.t('outputs.task_orders.note'),
        columns,
        rows,
        totals: totalsRow(columns, rows, ctx.t('outputs.total')).map((c, i) =>
          columns[i]?.key === 'late' ? null : c,
        ),
      },
    ];
    if (from && to) {
      const board = await tasking.board(ctx.actor, {
        from: from.slice(0, 7),
        to: to.slice(0, 7),
        organisationId: ctx.params.organisation,
        asAt: ctx.params.asAt,
      });
      blocks.push({
        kind: 'table',
        title: ctx.t('outputs.task_orders.board'),
        sheet: ctx.t('outputs.sheet.board'),
        columns: [
          { key: 'organisation', label: ctx.t('outputs.col.organisation'), width: 2 },
          ...board.months.map((m) => ({ key: m, label: m })),
        ],
        rows: board.rows.map((r) => [
          r.organisation.name,
          ...r.cells.map((c) => c.orders.map((o) => `${o.code} (${ctx.vocab(o.state)})`).join(', ')),
        ]),
      });
    }
    return blocks;
  },
};

function organisationName(r: Record<string, unknown> | undefined, id: string): string {
  if (!r) return id;
  return r.acronym ? `${r.name as string} (${r.acronym as string})` : (r.name as string);
}
