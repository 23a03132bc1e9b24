import { setReopenReason } from '../../db/repositories/rules.ts';
import type { WriteHooks } from './hooks.ts';
import { completeTaskOrders } from './task-orders.ts';

/**
 * Hazards: the report's reason reaches the database trigger that keeps the status history; a
 * hazard closed completes the task orders whose every hazard is then closed.
 */
export const hazardsHooks: WriteHooks = {
  async beforeWrite(ctx, state, recordId) {
    return async () => {
      if (recordId && state.status === 'closed') await completeTaskOrders(ctx, recordId);
    };
  },
  async beforeUpdate(ctx) {
    if (ctx.report.reason) await setReopenReason(ctx.trx, ctx.report.reason);
  },
};
