import { setReopenReason } from '../../db/repositories/rules.ts';
import type { WriteHooks } from './hooks.ts';

/** Hazards: the report's reason reaches the database trigger that keeps the status history. */
export const hazardsHooks: WriteHooks = {
  async beforeUpdate(ctx) {
    if (ctx.report.reason) await setReopenReason(ctx.trx, ctx.report.reason);
  },
};
