import { taskOrderStates } from '../../db/repositories/planning.ts';
import { isUuid } from '../list-query.ts';
import type { WriteHooks } from './hooks.ts';
import { startTaskOrder } from './task-orders.ts';
import { teamOfOrganisation } from './team-organisation.ts';

/** Task order states under which no new activity is done. */
const HALTED: readonly string[] = ['suspended', 'cancelled'];

/**
 * Activities: work an organisation must be accredited for (kind, dates, place); an activity approved under an issued task order starts the order; one linked to a
 * suspended or cancelled order is a warning the approver must confirm before it is approved; its
 * team must be one of its organisation's.
 */
export const activitiesHooks: WriteHooks = {
  accreditationScope: {
    organisation: 'organisationId',
    kind: 'kind',
    dates: ['startDate', 'endDate'],
    hazard: 'hazardId',
  },
  async beforeWrite(ctx, state, _recordId, pointer) {
    const wrongTeam = await teamOfOrganisation(ctx, state, `${pointer}/properties`);
    if (wrongTeam) throw wrongTeam;
    const taskOrderId = state.taskOrderId;
    return async () => {
      if (typeof taskOrderId === 'string') await startTaskOrder(ctx, taskOrderId);
    };
  },
  async warnings(db, change) {
    if (change.op === 'archive') return [];
    const record = (change.record ?? {}) as { properties?: Record<string, unknown> } & Record<
      string,
      unknown
    >;
    const id = record.properties?.taskOrderId ?? record.taskOrderId;
    if (typeof id !== 'string' || !isUuid(id)) return [];
    const [order] = await taskOrderStates(db, [id]);
    if (!order || !HALTED.includes(order.state)) return [];
    return [
      {
        code: 'task_order.not_active',
        other: { id: order.id, code: order.code },
        params: { state: order.state },
      },
    ];
  },
};
