import type { RegisterDef } from './records.ts';

/**
 * Fields the server derives from others, so they can never disagree with their source:
 * a casualty's age band from the age, a risk education session's total from its breakdown.
 * Example: ageBandOf(9) === '5-12'
 */
export function ageBandOf(age: number | null | undefined): string {
  if (age === null || age === undefined) return 'unknown';
  if (age <= 4) return '0-4';
  if (age <= 12) return '5-12';
  if (age <= 17) return '13-17';
  if (age <= 59) return '18-59';
  return '60+';
}

export function beneficiariesTotal(b: unknown): number {
  let total = 0;
  for (const bySex of Object.values((b ?? {}) as Record<string, Record<string, number>>)) {
    for (const n of Object.values(bySex ?? {})) total += Number(n) || 0;
  }
  return total;
}

export function deriveFields(
  def: RegisterDef,
  values: Record<string, unknown>,
  before?: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...values };
  if (def.table === 'casualties' && 'age' in values && values.age !== undefined) {
    out.ageBand = ageBandOf(values.age as number | null);
  }
  if (def.table === 'casualties' && before === undefined && out.ageBand === undefined) {
    out.ageBand = ageBandOf(values.age as number | null | undefined);
  }
  if (def.table === 'risk_education_sessions' && values.beneficiaries !== undefined) {
    out.beneficiariesTotal = beneficiariesTotal(values.beneficiaries);
  }
  return out;
}
