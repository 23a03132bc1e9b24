import { Problem } from '../../domain/problem.ts';
import { withOthers } from '../../domain/schema-check.ts';
import type { WriteHooks } from './hooks.ts';

/**
 * Control periods: a period covers a polygon or an admin area, and does not end before it
 * starts (the database checks both again; here the fault names the field).
 */
export const controlPeriodsHooks: WriteHooks = {
  async beforeWrite(_ctx, state, _recordId, pointer) {
    const problems: Problem[] = [];
    if (!state.geometry && !state.adminAreaId) {
      problems.push(
        new Problem('control_period.area_missing', {}, { pointer: `${pointer}/properties/adminAreaId` }),
      );
    }
    const start = state.startDate as string | null | undefined;
    const end = state.endDate as string | null | undefined;
    if (start && end && end < start) {
      problems.push(
        new Problem(
          'control_period.dates_reversed',
          { startDate: start, endDate: end },
          { pointer: `${pointer}/properties/endDate`, field: 'endDate' },
        ),
      );
    }
    if (problems.length) throw withOthers(problems);
    return async () => {};
  },
};
