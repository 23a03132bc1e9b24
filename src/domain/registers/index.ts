import type { RegisterDef } from '../records.ts';
import { casualtiesModule } from './casualties.ts';
import { findingsModule } from './findings.ts';
import { hazardsModule } from './hazards.ts';
import type { RegisterModule } from './module.ts';
import { qaVisitsModule } from './qa-visits.ts';
import { riskEducationModule } from './risk-education.ts';

export type { HistoryState, RegisterModule } from './module.ts';

/**
 * Register slug → its module. A register with nothing particular has none: the generic path
 * is all it needs. Adding a register means a definition in records.ts, a module here when it
 * has rules of its own, a migration and catalogue entries.
 */
const MODULES: Readonly<Record<string, RegisterModule>> = {
  casualties: casualtiesModule,
  findings: findingsModule,
  hazards: hazardsModule,
  'qa-visits': qaVisitsModule,
  'risk-education': riskEducationModule,
};

const NONE: RegisterModule = {};

/** The module of a register (an empty one when it has none). */
export function registerModule(def: Pick<RegisterDef, 'slug'>): RegisterModule {
  return MODULES[def.slug] ?? NONE;
}
