import type { LayingRecord, Reading } from './types.ts';

type Translate = (key: string, params?: Record<string, unknown>) => string;
type Num = (value: number, opts?: Intl.NumberFormatOptions) => string;

/** Length of one unit in metres when the record does not say (src/domain/minefield-record.ts). */
const DEFAULT_UNIT_M = { m: 1, pace: 0.75, pair_of_steps: 1.5 } as const;

/**
 * A reading in words, in the reader's language: "magnetic bearings, mils of 6000, paces of
 * 0.75 m, as written".
 */
export function readingWords(t: Translate, num: Num, reading: Reading, stated: boolean): string {
  return t('minefield.reading.words', {
    reference: reading.bearingReference,
    angle: reading.milCircle === null ? 'deg' : `mil${reading.milCircle}`,
    distance: reading.distanceUnit,
    unitM: num(reading.distanceUnitM),
    direction: reading.direction,
    stated: stated ? 'yes' : 'no',
  });
}

/** Metres per distance unit of a record. */
export function unitM(record: LayingRecord, unit: Reading['distanceUnit']): number {
  if (unit === 'pace') return record.paceLengthM ?? DEFAULT_UNIT_M.pace;
  if (unit === 'pair_of_steps') return record.pairOfStepsLengthM ?? DEFAULT_UNIT_M.pair_of_steps;
  return 1;
}
