import { appendAudit } from '../../db/repositories/audit.ts';
import { idsHeld } from '../../db/repositories/bulk.ts';
import * as planning from '../../db/repositories/planning.ts';
import { insertChange } from '../../db/repositories/reports.ts';
import { Problem } from '../../domain/problem.ts';
import { withOthers } from '../../domain/schema-check.ts';
import type { TaskOrderState } from '../../domain/vocabularies.ts';
import type { ApplyContext, Row } from '../changes.ts';
import { PlanningService } from '../planning/index.ts';
import type { WriteHooks } from './hooks.ts';
import { teamOfOrganisation } from './team-organisation.ts';

/** States an order leaves only by an administrator's or approver's write, never by a rule. */
const FINAL: readonly string[] = ['completed', 'cancelled'];

/**
 * Task orders: every hazard named must exist, the planned end may not come before the start, a
 * cancelled order stays cancelled, and the priority of its hazards when it is issued is copied
 * from the priorities service (weights in force on the issue date) into `priorityAtIssue`, which
 * no later write changes. Orders are few: a bulk write takes them one by one.
 */
export const taskOrdersHooks: WriteHooks = {
  recordByRecord: true,
  // An order for work outside the organisation's accreditation (kind, planned dates) is a
  // warning the approver sees; its place is not checked (an order names several hazards).
  accreditationScope: {
    organisation: 'organisationId',
    kind: 'activityKind',
    dates: ['plannedStart', 'plannedEnd'],
  },
  async beforeWrite(ctx, state, recordId, pointer) {
    const base = `${pointer}/properties`;
    const problems: Problem[] = [];
    const ids = Array.isArray(state.hazardIds)
      ? state.hazardIds.filter((v): v is string => typeof v === 'string')
      : [];
    const held = await idsHeld(ctx.trx, 'hazards', ids);
    for (const [i, id] of ids.entries()) {
      if (!held.has(id.toLowerCase()))
        problems.push(
          new Problem(
            'record.reference_not_found',
            { field: 'hazardIds', id },
            { pointer: `${base}/hazardIds/${i}`, field: 'hazardIds' },
          ),
        );
    }
    const start = state.plannedStart;
    const end = state.plannedEnd;
    if (typeof start === 'string' && typeof end === 'string' && end < start)
      problems.push(
        new Problem(
          'task_order.dates_reversed',
          { plannedStart: start, plannedEnd: end },
          { pointer: `${base}/plannedEnd`, field: 'plannedEnd' },
        ),
      );
    const wrongTeam = await teamOfOrganisation(ctx, state, base);
    if (wrongTeam) problems.push(wrongTeam);
    if (recordId) {
      const [before] = await planning.taskOrderStates(ctx.trx, [recordId]);
      if (before?.state === 'cancelled' && state.state !== undefined && state.state !== 'cancelled')
        problems.push(
          new Problem(
            'task_order.cancelled',
            { code: before.code },
            { pointer: `${base}/state`, field: 'state' },
          ),
        );
    }
    if (problems.length) throw withOthers(problems);
    // On issue (a create), the priority of its hazards is copied in; never on a later write.
    if (!recordId) state.priorityAtIssue = await priorityAtIssue(ctx, ids, issueDate(ctx, state));
    return async () => {};
  },
};

function issueDate(ctx: ApplyContext, state: Row): string {
  return typeof state.issuedOn === 'string' ? state.issuedOn : ctx.report.dateOfInformation;
}

type Ranking = Awaited<ReturnType<PlanningService['priorities']>>;
/**
 * The rankings computed in a transaction, by date: orders issued on the same date in one write
 * (a file of orders, the demo) share one computation. Kept as long as the transaction object.
 */
const rankings = new WeakMap<object, Map<string, Promise<Ranking>>>();

function rankingAsAt(ctx: ApplyContext, asAt: string): Promise<Ranking> {
  let byDate = rankings.get(ctx.trx);
  if (!byDate) {
    byDate = new Map();
    rankings.set(ctx.trx, byDate);
  }
  let ranking = byDate.get(asAt);
  if (!ranking) {
    ranking = new PlanningService({ db: ctx.trx }).priorities(ctx.actor, { asAt });
    byDate.set(asAt, ranking);
    ranking.catch(() => byDate.delete(asAt));
  }
  return ranking;
}

/**
 * Score and rank of each hazard of the order as at the issue date (null for a hazard that is not
 * open then), and the best of them for the order.
 */
async function priorityAtIssue(ctx: ApplyContext, hazardIds: string[], asAt: string): Promise<Row> {
  const ranking = await rankingAsAt(ctx, asAt);
  const byId = new Map(ranking.items.map((item) => [item.hazard.id, item]));
  const codes = await planning.hazardCodes(ctx.trx, hazardIds);
  const hazards = hazardIds.map((id) => {
    const item = byId.get(id);
    return {
      hazardId: id,
      code: item?.hazard.code ?? codes.get(id) ?? '',
      score: item ? item.score : null,
      rank: item ? item.rank : null,
    };
  });
  const best = hazards
    .filter((h) => h.rank !== null)
    .sort((a, b) => (a.rank as number) - (b.rank as number))[0];
  return {
    asAt,
    weightsVersion: ranking.weights.version,
    score: best?.score ?? null,
    rank: best?.rank ?? null,
    of: ranking.items.length,
    hazards,
  };
}

/**
 * Moves a task order to another state by a rule (a linked activity approved, its last hazard
 * closed): the change enters the order's history, dated like the report that caused it, and the
 * audit log with the reason.
 */
export async function moveTaskOrder(
  ctx: ApplyContext,
  order: { id: string; state: string },
  to: TaskOrderState,
  reason: string,
): Promise<void> {
  if (order.state === to) return;
  await planning.setTaskOrderState(ctx.trx, order.id, to, ctx.actor.id);
  await insertChange(ctx.trx, {
    entity: 'task_order',
    recordId: order.id,
    reportId: ctx.report.id,
    dateOfInformation: ctx.report.dateOfInformation,
    op: 'update',
    patch: { state: to },
  });
  await appendAudit(ctx.trx, {
    actorId: ctx.actor.id,
    action: 'update',
    entity: 'task_order',
    recordId: order.id,
    reportId: ctx.report.id,
    before: { state: order.state },
    after: { state: to, reason },
  });
}

/** An activity approved under an issued order starts it. */
export async function startTaskOrder(ctx: ApplyContext, taskOrderId: string): Promise<void> {
  const [order] = await planning.taskOrderStates(ctx.trx, [taskOrderId]);
  if (order?.state === 'issued') await moveTaskOrder(ctx, order, 'started', 'activity_approved');
}

/** The orders naming a hazard just closed or released whose every hazard is now closed are completed. */
export async function completeTaskOrders(ctx: ApplyContext, hazardId: string): Promise<void> {
  for (const order of await planning.taskOrdersDone(ctx.trx, hazardId))
    if (!FINAL.includes(order.state)) await moveTaskOrder(ctx, order, 'completed', 'hazards_released');
}
