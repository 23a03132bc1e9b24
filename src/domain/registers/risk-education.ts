import type { RegisterModule } from './module.ts';

/**
 * The number of people a session reached: the sum of its breakdown by age band and sex.
 * Example: beneficiariesTotal({ '5-12': { female: 10, male: 8 } }) === 18
 */
export function beneficiariesTotal(b: unknown): number {
  let total = 0;
  for (const bySex of Object.values((b ?? {}) as Record<string, Record<string, number>>)) {
    for (const n of Object.values(bySex ?? {})) total += Number(n) || 0;
  }
  return total;
}

/** Risk education sessions: the total follows the breakdown. */
export const riskEducationModule: RegisterModule = {
  derive(values) {
    if (values.beneficiaries === undefined) return values;
    return { ...values, beneficiariesTotal: beneficiariesTotal(values.beneficiaries) };
  },
};
