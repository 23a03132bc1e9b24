import type { Database } from '../../db/connect.ts';
import * as repo from '../../db/repositories/planning.ts';
import { Problem } from '../../domain/problem.ts';
import type { Actor } from '../actor.ts';
import type { RegisterService } from '../registers.ts';
import type { PlanningService } from './index.ts';

/**
 * Tasking: the progress of task orders against their plan and the planning board (docs/planning.md,
 * "Tasking"). The orders are read through the register service (so operators see only their own
 * organisation's); the figures (land released, activities, effort) through the planning reads.
 */

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
/** The board shows at most this many months. */
export const BOARD_MAX_MONTHS = 36;
/** Task orders read per page while the board collects them. */
const PAGE = 1000;

type Row = Record<string, unknown>;

export interface HazardProgress {
  id: string;
  code: string;
  status: string;
  areaM2: number;
  releasedM2: number;
  remainingM2: number;
}

export interface TaskOrderProgress {
  id: string;
  code: string;
  state: string;
  asAt: string;
  area: { totalM2: number; releasedM2: number; remainingM2: number; releasedShare: number };
  hazards: HazardProgress[];
  dates: {
    plannedStart: string;
    plannedEnd: string;
    actualStart: string | null;
    lastEnd: string | null;
    startDaysLate: number;
    daysLate: number;
  };
  activities: number;
  /** Estimated team-days left to release the remaining area (docs/planning.md, "Estimated effort"). */
  effort: { days: number; low: number; high: number } | null;
}

export interface BoardOrder {
  id: string;
  code: string;
  reference: string | null;
  state: string;
  activityKind: string;
  plannedStart: string;
  plannedEnd: string;
  hazards: string[];
  progress: Pick<TaskOrderProgress, 'area' | 'dates' | 'activities'>;
  effort: TaskOrderProgress['effort'];
}

export interface PlanningBoard {
  asAt: string;
  from: string;
  to: string;
  months: string[];
  rows: Array<{
    organisation: { id: string; name: string };
    cells: Array<{ month: string; orders: BoardOrder[] }>;
  }>;
}

const today = () => new Date().toISOString().slice(0, 10);
const round1 = (n: number) => Math.round(n * 10) / 10;
const days = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

function checkDate(value: string | undefined, field: string): void {
  if (value !== undefined && (!DATE.test(value) || Number.isNaN(Date.parse(value))))
    throw new Problem('validation.format', { field, value, format: 'date' }, { pointer: `/${field}`, field });
}

/** The months from `from` to `to` (YYYY-MM), both included. */
export function monthsBetween(from: string, to: string): string[] {
  for (const [field, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!MONTH.test(value))
      throw new Problem(
        'validation.format',
        { field, value, format: 'YYYY-MM' },
        { pointer: `/${field}`, field },
      );
  }
  const months: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  const end = to;
  while (`${y}-${String(m).padStart(2, '0')}` <= end) {
    months.push(`${y}-${String(m).padStart(2, '0')}`);
    if (months.length > BOARD_MAX_MONTHS) break;
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  if (!months.length || months.length > BOARD_MAX_MONTHS)
    throw new Problem(
      'planning.board_range',
      { from, to, max: BOARD_MAX_MONTHS },
      { pointer: '/to', field: 'to' },
    );
  return months;
}

function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

export class TaskingService {
  constructor(
    private readonly database: Pick<Database, 'db'>,
    private readonly taskOrders: RegisterService,
    private readonly organisations: RegisterService,
    private readonly planning: PlanningService,
  ) {}

  /** Whether the actor may see the order (before anything else of the request is looked at). */
  async authoriseRead(actor: Actor, id: string): Promise<void> {
    await this.taskOrders.get(actor, id);
  }

  /** One task order's progress against its plan, as at a date (default today). */
  async progress(actor: Actor, id: string, q: { asAt?: string } = {}): Promise<TaskOrderProgress> {
    checkDate(q.asAt, 'asAt');
    // As at a date, the order's plan and state as they stood then (not found before it was issued).
    const order = await this.taskOrders.get(actor, id, { asAt: q.asAt });
    const [progress] = await this.progressOf(actor, [order], q.asAt ?? today());
    return progress!;
  }

  /** The progress of many orders (read by the caller through the register service) as at a date. */
  async progressOf(actor: Actor, orders: Row[], asAt: string): Promise<TaskOrderProgress[]> {
    if (!orders.length) return [];
    const ids = orders.map((o) => o.id as string);
    const [hazards, activities, priorities] = await Promise.all([
      repo.taskOrderHazards(this.database.db, ids, asAt),
      repo.taskOrderActivities(this.database.db, ids, asAt),
      this.planning.priorities(actor, { asAt }),
    ]);
    const effortOf = new Map(priorities.items.map((i) => [i.hazard.id, i.effort]));
    return orders.map((order) => {
      const own = hazards.filter((h) => h.taskOrderId === order.id);
      const done = activities.find((a) => a.taskOrderId === order.id);
      const totalM2 = own.reduce((s, h) => s + h.areaM2, 0);
      const remainingM2 = own.reduce((s, h) => s + h.remainingM2, 0);
      const plannedStart = order.plannedStart as string;
      const plannedEnd = order.plannedEnd as string;
      const actualStart = done?.firstStart ?? null;
      const lastEnd = done?.lastEnd ?? null;
      const finished = remainingM2 < 1 || order.state === 'completed' || order.state === 'cancelled';
      const endedBy = finished ? (lastEnd ?? asAt) : asAt;
      const open = own.filter((h) => h.remainingM2 >= 1 && h.status !== 'closed');
      let effort: TaskOrderProgress['effort'] = { days: 0, low: 0, high: 0 };
      for (const h of open) {
        const e = effortOf.get(h.hazardId);
        if (!e || !effort) {
          effort = null;
          break;
        }
        effort = { days: effort.days + e.days, low: effort.low + e.low, high: effort.high + e.high };
      }
      if (effort) effort = { days: round1(effort.days), low: round1(effort.low), high: round1(effort.high) };
      return {
        id: order.id as string,
        code: order.code as string,
        state: order.state as string,
        asAt,
        area: {
          totalM2: round1(totalM2),
          releasedM2: round1(totalM2 - remainingM2),
          remainingM2: round1(remainingM2),
          releasedShare: totalM2 > 0 ? Math.round(((totalM2 - remainingM2) / totalM2) * 10_000) / 10_000 : 0,
        },
        hazards: own.map((h) => ({
          id: h.hazardId,
          code: h.code,
          status: h.remainingM2 < 1 ? 'closed' : h.status,
          areaM2: round1(h.areaM2),
          releasedM2: round1(h.areaM2 - h.remainingM2),
          remainingM2: round1(h.remainingM2),
        })),
        dates: {
          plannedStart,
          plannedEnd,
          actualStart,
          lastEnd,
          startDaysLate: Math.max(
            0,
            days(plannedStart, actualStart ?? (asAt > plannedStart ? asAt : plannedStart)),
          ),
          daysLate: Math.max(0, days(plannedEnd, endedBy)),
        },
        activities: done?.activities ?? 0,
        effort,
      };
    });
  }

  /** The task orders the actor may see (not archived), in code order, each with its progress as at a date. */
  async list(
    actor: Actor,
    q: { asAt?: string; organisationId?: string; state?: string } = {},
  ): Promise<{ asAt: string; items: Array<Row & { progress: TaskOrderProgress }> }> {
    checkDate(q.asAt, 'asAt');
    const asAt = q.asAt ?? today();
    const orders = await this.orders(actor, q);
    const progress = await this.progressOf(actor, orders, asAt);
    return { asAt, items: orders.map((o, i) => ({ ...o, progress: progress[i]! })) };
  }

  /**
   * The orders the actor may see; given `asAt`, as they stood at the end of that day (the history
   * fold of every register: changes dated and approved by then), else as they stand now.
   */
  private async orders(
    actor: Actor,
    q: { organisationId?: string; state?: string; asAt?: string },
  ): Promise<Row[]> {
    const equals: Array<[string, string]> = [];
    if (q.organisationId) equals.push(['organisation_id', q.organisationId]);
    if (q.state) equals.push(['state', q.state]);
    const orders: Row[] = [];
    let after: { value: unknown; id: string } | undefined;
    for (;;) {
      const page = await this.taskOrders.list(actor, {
        equals,
        includeArchived: false,
        asAt: q.asAt,
        sortField: 'code',
        descending: false,
        limit: PAGE,
        after,
      });
      orders.push(...page.records);
      if (!page.next) return orders;
      after = page.next;
    }
  }

  /**
   * The planning board: a row per organisation with orders in the months asked, a cell per month
   * holding the orders planned to be under way in it (planned start to planned end), each with
   * its state, progress as at `asAt` and estimated effort left.
   */
  async board(
    actor: Actor,
    q: { from: string; to: string; organisationId?: string; asAt?: string },
  ): Promise<PlanningBoard> {
    checkDate(q.asAt, 'asAt');
    const months = monthsBetween(q.from, q.to);
    const first = `${months[0]}-01`;
    const last = monthEnd(months[months.length - 1]!);
    const asAt = q.asAt ?? today();
    const orders = (await this.orders(actor, { organisationId: q.organisationId, asAt: q.asAt })).filter(
      (o) => (o.plannedStart as string) <= last && (o.plannedEnd as string) >= first,
    );
    const progress = new Map((await this.progressOf(actor, orders, asAt)).map((p) => [p.id, p]));
    const byOrganisation = new Map<string, Row[]>();
    for (const o of orders) {
      const key = o.organisationId as string;
      byOrganisation.set(key, [...(byOrganisation.get(key) ?? []), o]);
    }
    const names = new Map<string, string>();
    for (const id of byOrganisation.keys()) {
      const org = await this.organisations.get(actor, id).catch(() => undefined);
      names.set(id, (org?.name as string | undefined) ?? id);
    }
    const rows = [...byOrganisation.entries()]
      .map(([id, own]) => ({
        organisation: { id, name: names.get(id)! },
        cells: months.map((month) => ({
          month,
          orders: own
            .filter(
              (o) =>
                (o.plannedStart as string) <= monthEnd(month) && (o.plannedEnd as string) >= `${month}-01`,
            )
            .map((o) => {
              const p = progress.get(o.id as string)!;
              return {
                id: o.id as string,
                code: o.code as string,
                reference: (o.reference as string | null) ?? null,
                state: o.state as string,
                activityKind: o.activityKind as string,
                plannedStart: o.plannedStart as string,
                plannedEnd: o.plannedEnd as string,
                hazards: p.hazards.map((h) => h.code),
                progress: { area: p.area, dates: p.dates, activities: p.activities },
                effort: p.effort,
              };
            }),
        })),
      }))
      .sort((a, b) => a.organisation.name.localeCompare(b.organisation.name));
    return { asAt, from: q.from, to: q.to, months, rows };
  }
}
