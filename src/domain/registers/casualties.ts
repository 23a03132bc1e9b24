import type { RegisterModule } from './module.ts';

/**
 * A casualty's age band, from the age in years; 'unknown' without one.
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

/** Casualties: the age band follows the age (a create without either is 'unknown'). */
export const casualtiesModule: RegisterModule = {
  derive(values, before) {
    const out = { ...values };
    if ('age' in values && values.age !== undefined) out.ageBand = ageBandOf(values.age as number | null);
    if (before === undefined && out.ageBand === undefined)
      out.ageBand = ageBandOf(values.age as number | null | undefined);
    return out;
  },
};
