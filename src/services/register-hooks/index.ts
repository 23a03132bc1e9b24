import type { RegisterDef } from '../../domain/records.ts';
import { activitiesHooks } from './activities.ts';
import { accreditationsHooks, projectsHooks } from './capacity.ts';
import { controlPeriodsHooks } from './control-periods.ts';
import { hazardsHooks } from './hazards.ts';
import type { WriteHooks } from './hooks.ts';
import { landReleaseHooks } from './land-release.ts';
import { minefieldRecordsHooks } from './minefield-records.ts';
import { siteVisitsHooks } from './site-visits.ts';
import { taskOrdersHooks } from './task-orders.ts';

export type { AccreditationScope, AfterWrite, HookWarning, WriteHooks } from './hooks.ts';

/** Register slug → its write hooks; registers without rules of their own have none. */
const HOOKS: Readonly<Record<string, WriteHooks>> = {
  accreditations: accreditationsHooks,
  activities: activitiesHooks,
  'control-periods': controlPeriodsHooks,
  hazards: hazardsHooks,
  'land-release': landReleaseHooks,
  'minefield-records': minefieldRecordsHooks,
  projects: projectsHooks,
  'site-visits': siteVisitsHooks,
  'task-orders': taskOrdersHooks,
};

const NONE: WriteHooks = {};

export function writeHooks(def: Pick<RegisterDef, 'slug'>): WriteHooks {
  return HOOKS[def.slug] ?? NONE;
}
