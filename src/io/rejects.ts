import { stringify } from 'csv-stringify/sync';

export interface Reject {
  index: number;
  row?: number;
  field?: string;
  code: string;
  message: string;
}

/**
 * The rejects file of an import: one line per fault, with the 0-based feature index, the
 * 1-based line of CSV/XLSX rows, the field, the problem code and the sentence in the user's
 * language. Example: `rejectsCsv([{ index: 4, row: 6, field: 'lat', code: 'io.coordinate.parse', message: '…' }])`
 * → `index,row,field,code,message\n4,6,lat,io.coordinate.parse,…\n`.
 */
export function rejectsCsv(rejects: Reject[]): string {
  return stringify([
    ['index', 'row', 'field', 'code', 'message'],
    ...rejects.map((r) => [r.index, r.row ?? '', r.field ?? '', r.code, r.message]),
  ]);
}
