import type { Problem } from '../domain/problem.ts';
import { type ToWgs84, toWgs84 } from './crs.ts';
import { csvRecords, detectDelimiter } from './csv-records.ts';
import { inputHead, inputSize, ProgressMeter } from './source.ts';
import { type GeometryPlan, koboIdColumn, planColumns, planGeometry, rowToFeature } from './tabular.ts';
import { decodeChunks, decoderFor, REPLACEMENT_CHAR, sniffEncoding } from './text.ts';
import {
  DEFAULT_MAX_LINE_BYTES,
  type FileInput,
  fault,
  type ReadOptions,
  type SourceFeature,
} from './types.ts';

/** CSV and KoboToolbox/ODK CSV exports: encoding and delimiter detected, geometry columns found by name or content. */
export async function* readCsv(
  file: FileInput,
  opts: ReadOptions,
  kobo: boolean,
): AsyncGenerator<SourceFeature> {
  const meter = new ProgressMeter(await inputSize(file), opts.onProgress);
  const head = await inputHead(file);
  const sniffed = sniffEncoding(head);
  const encoding = opts.csv?.encoding ?? sniffed.encoding;
  const decoder = decoderFor(encoding);
  const delimiter = opts.csv?.delimiter ?? detectDelimiter(decoderFor(encoding).decode(head));
  const counted = meter.chunks(file);
  const records = csvRecords(
    decodeChunks(counted, decoder),
    delimiter,
    opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
  );
  yield* tableFeatures(
    (async function* () {
      for await (const r of records) yield r;
    })(),
    opts,
    kobo,
    encoding,
    meter,
  );
}

export interface TableRecord {
  fields: unknown[];
  line: number;
  chars?: number;
  tooLong?: boolean;
  unterminatedQuote?: boolean;
}

/** Header plus rows (CSV or a spreadsheet sheet) into features. Throws `io.csv.columns` when geometry columns are missing. */
export async function* tableFeatures(
  records: AsyncIterable<TableRecord>,
  opts: ReadOptions,
  kobo: boolean,
  encoding: string | undefined,
  meter: ProgressMeter,
): AsyncGenerator<SourceFeature> {
  const convert: ToWgs84 = toWgs84(opts.crs);
  const maxChars = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let columns: string[] | undefined;
  let plan: GeometryPlan | undefined;
  let idColumn: string | undefined;
  let index = 0;
  for await (const rec of records) {
    if (!columns) {
      if (rec.tooLong)
        throw fault(
          'io.line.too_long',
          { line: rec.line, chars: rec.chars ?? 0, maxChars },
          { row: rec.line },
        );
      columns = headerNames(rec.fields);
      continue;
    }
    const where = (field?: string) => (field === undefined ? { row: rec.line } : { row: rec.line, field });
    if (rec.tooLong) {
      yield {
        index: index++,
        row: rec.line,
        geometry: null,
        properties: {},
        problems: [fault('io.line.too_long', { line: rec.line, chars: rec.chars ?? 0, maxChars }, where())],
      };
      meter.feature();
      continue;
    }
    // Excel saves rows whose cells were only formatted as `;;;`: like an empty line, not a record.
    if (!rec.unterminatedQuote && rec.fields.every(isBlank)) continue;
    const problems: Problem[] = [];
    if (rec.fields.length !== columns.length) {
      problems.push(
        fault('io.csv.row_length', { expected: columns.length, found: rec.fields.length }, where()),
      );
    }
    if (rec.unterminatedQuote) problems.push(fault('io.csv.quote', {}, where()));
    const values: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) {
      const v = rec.fields[c];
      values[columns[c]!] = v ?? null;
      if (typeof v === 'string' && v.includes(REPLACEMENT_CHAR)) {
        problems.push(fault('io.encoding.invalid', { encoding: encoding ?? '' }, where(columns[c])));
      }
    }
    if (!plan) {
      const chosen = planGeometry(columns, opts.csv ?? {}, values, kobo);
      if (chosen.missing !== undefined) {
        throw fault(
          'io.csv.columns',
          { missing: chosen.missing, found: columns.join(', ') },
          { row: 1, field: chosen.missing },
        );
      }
      if (chosen.plan.kind === 'none' && opts.geometry === 'required') {
        throw fault(
          'io.csv.columns',
          { missing: 'lat/lon, wkt, mgrs', found: columns.join(', ') },
          { row: 1 },
        );
      }
      plan = chosen.plan;
      idColumn = kobo ? koboIdColumn(columns) : undefined;
    }
    yield rowToFeature(values, index++, rec.line, plan, convert, idColumn, problems);
    meter.feature();
  }
  if (!columns) throw fault('io.csv.empty', {});
  // A header and no rows (a one-line text file): its columns alone say whether it could hold geometry.
  if (!plan && opts.geometry === 'required') {
    const chosen = planGeometry(columns, opts.csv ?? {}, undefined, kobo);
    if (chosen.missing !== undefined || chosen.plan.kind === 'none')
      throw fault(
        'io.csv.columns',
        { missing: chosen.missing ?? 'lat/lon, wkt, mgrs', found: columns.join(', ') },
        { row: 1 },
      );
  }
  meter.done();
}

function isBlank(cell: unknown): boolean {
  return cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '');
}

/** Header cells as unique, non-empty column names (`column_3`, `name_2` for blanks and repeats). */
export function headerNames(cells: unknown[]): string[] {
  const seen = new Map<string, number>();
  return cells.map((cell, i) => {
    let name = cell === null || cell === undefined ? '' : String(cell).trim();
    if (i === 0) name = name.replace(/^\uFEFF/, '');
    if (name === '') name = `column_${i + 1}`;
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name}_${count}`;
  });
}

export { planColumns };
