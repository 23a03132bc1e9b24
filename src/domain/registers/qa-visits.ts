import type { RegisterModule } from './module.ts';

/** QA visits: QA officers record their own visits directly, without a report to approve. */
export const qaVisitsModule: RegisterModule = {
  alsoAllowed: { 'record.write': 'qa.write' },
};
