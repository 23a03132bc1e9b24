import type { RegisterModule } from './module.ts';

/**
 * Findings: a date of manufacture read from the markings gives the year of manufacture, so
 * that filters and provenance on the year never disagree with the date.
 * Example: findingsModule.derive!({ manufacturedOn: '2021-03-01' }).yearOfManufacture === 2021
 */
export const findingsModule: RegisterModule = {
  derive(values) {
    const on = values.manufacturedOn;
    if (typeof on !== 'string' || !/^\d{4}-/.test(on)) return values;
    return { ...values, yearOfManufacture: Number(on.slice(0, 4)) };
  },
};
