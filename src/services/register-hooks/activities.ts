import type { WriteHooks } from './hooks.ts';

/** Activities: work an organisation must be accredited for (kind, dates, place). */
export const activitiesHooks: WriteHooks = {
  accreditationScope: {
    organisation: 'organisationId',
    kind: 'kind',
    dates: ['startDate', 'endDate'],
    hazard: 'hazardId',
  },
};
