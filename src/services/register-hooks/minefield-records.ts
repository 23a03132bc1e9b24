import { minefieldRecordGeometry } from '../minefield-records.ts';
import type { WriteHooks } from './hooks.ts';

/** Minefield records: the map polygon is decoded from the laying record on every write. */
export const minefieldRecordsHooks: WriteHooks = {
  computeGeometry: minefieldRecordGeometry,
};
