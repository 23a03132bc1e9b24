import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { type TableRecord, tableFeatures } from './csv.ts';
import { inputSize, ProgressMeter } from './source.ts';
import type { FileInput, ReadOptions, SourceFeature } from './types.ts';

/** XLSX: the first sheet, row 1 as header, read like a CSV (streamed by exceljs's WorkbookReader). */
export async function* readXlsx(file: FileInput, opts: ReadOptions): AsyncGenerator<SourceFeature> {
  const meter = new ProgressMeter(await inputSize(file), opts.onProgress);
  const input = 'path' in file ? file.path : Readable.from([Buffer.from(file.bytes)]);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell date cells from numbers
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  });
  const rows = (async function* (): AsyncGenerator<TableRecord> {
    for await (const sheet of reader) {
      let width = 0;
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        // row.values is 1-based and sparse.
        const values = (row.values as unknown[]).slice(1).map(cellValue);
        if (width === 0) width = values.length;
        while (values.length < width) values.push(null);
        // Trailing empty cells beyond the header are not extra columns.
        while (
          values.length > width &&
          (values[values.length - 1] === null || values[values.length - 1] === '')
        )
          values.pop();
        yield { fields: values, line: row.number };
      }
      break; // sheet 1 only
    }
  })();
  yield* tableFeatures(rows, opts, false, undefined, meter);
}

/**
 * A cell as a plain value: text, number, boolean, a date as `YYYY-MM-DD` (or ISO date-time
 * when it has a time), a formula as its result, rich text joined.
 * Example: `cellValue(new Date(Date.UTC(2024, 2, 1)))` → `'2024-03-01'`.
 */
export function cellValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.richText)) return (o.richText as Array<{ text: string }>).map((r) => r.text).join('');
  if ('result' in o) return cellValue(o.result);
  if ('text' in o) return cellValue(o.text);
  if ('error' in o) return null;
  return JSON.stringify(v);
}
