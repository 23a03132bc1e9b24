import type { RegisterDef } from './records.ts';
import { ageBandOf } from './registers/casualties.ts';
import { registerModule } from './registers/index.ts';
import { beneficiariesTotal } from './registers/risk-education.ts';

/**
 * Fields the server derives from others, so they can never disagree with their source: each
 * register's module says which (a casualty's age band from the age, a risk education
 * session's total from its breakdown).
 * Example: deriveFields(casualties, { age: 9 }).ageBand === '5-12'
 */
export function deriveFields(
  def: RegisterDef,
  values: Record<string, unknown>,
  before?: Record<string, unknown>,
): Record<string, unknown> {
  const derive = registerModule(def).derive;
  return derive ? derive(values, before) : { ...values };
}

export { ageBandOf, beneficiariesTotal };
