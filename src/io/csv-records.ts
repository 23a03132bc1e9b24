/**
 * RFC 4180 records from text arriving in chunks: quoted fields, doubled quotes, CR/LF or LF,
 * newlines inside quotes. Written by hand because csv-parse stops for good at the first
 * record over its size limit, and an import must report that one record (`io.line.too_long`)
 * and carry on with the next.
 */

export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
  /** Characters in the record, counted even when it was dropped for being too long. */
  chars: number;
  tooLong: boolean;
  /** The file ended inside a quoted field. */
  unterminatedQuote: boolean;
}

/**
 * Splits CSV text into records. Example: chunks `['a,"b\n', 'c"\n1,2\n']` → records
 * `['a', 'b\nc']` (line 1) and `['1', '2']` (line 3).
 */
export async function* csvRecords(
  chunks: AsyncIterable<string>,
  delimiter: string,
  maxChars: number,
): AsyncGenerator<CsvRecord> {
  const delim = delimiter.charCodeAt(0);
  let fields: string[] = [];
  let field: string[] = [];
  let inQuotes = false;
  let quoteSeen = false; // a quote inside quotes: either the closing one or the first of a doubled pair
  let line = 1;
  let recordLine = 1;
  let chars = 0;
  let empty = true;
  let pendingCr = false;

  const endField = () => {
    if (chars <= maxChars) fields.push(field.join(''));
    field = [];
  };
  const endRecord = (unterminatedQuote = false): CsvRecord | null => {
    endField();
    const tooLong = chars > maxChars;
    const rec: CsvRecord | null =
      empty && !tooLong
        ? null
        : { fields: tooLong ? [] : fields, line: recordLine, chars, tooLong, unterminatedQuote };
    fields = [];
    chars = 0;
    empty = true;
    recordLine = line;
    return rec;
  };

  for await (const chunk of chunks) {
    let runStart = 0; // start of a run of ordinary characters copied in one slice
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (pendingCr) {
        pendingCr = false;
        if (c === 10) {
          runStart = i + 1;
          continue;
        }
      }
      if (inQuotes) {
        if (quoteSeen) {
          quoteSeen = false;
          if (c === 34) {
            // Doubled quote: one literal quote, which starts the next run of text.
            runStart = i;
            continue;
          }
          inQuotes = false; // fall through: c is read outside quotes
        } else {
          if (c === 34) {
            add(chunk, runStart, i);
            runStart = i + 1;
            quoteSeen = true;
          } else if (c === 10) line++;
          continue;
        }
      }
      if (c === delim) {
        add(chunk, runStart, i);
        runStart = i + 1;
        endField();
        empty = false;
        chars++;
      } else if (c === 10 || c === 13) {
        add(chunk, runStart, i);
        runStart = i + 1;
        line++;
        const rec = endRecord();
        if (rec) yield rec;
        if (c === 13) pendingCr = true;
      } else if (c === 34 && isFieldStart(i, runStart)) {
        inQuotes = true;
        empty = false;
        runStart = i + 1;
      }
    }
    add(chunk, runStart, n);

    function add(s: string, from: number, to: number) {
      if (to <= from) return;
      chars += to - from;
      empty = false;
      if (chars <= maxChars) field.push(s.slice(from, to));
      else field = [];
    }
    function isFieldStart(i: number, from: number): boolean {
      // A quote opens a field only as its first character; elsewhere it is literal (lenient).
      return i === from && field.length === 0;
    }
  }
  if (inQuotes && !quoteSeen) {
    const rec = endRecord(true);
    if (rec) yield rec;
    return;
  }
  const rec = endRecord();
  if (rec) yield rec;
}

/**
 * The delimiter of a CSV from its first line: the most frequent of `,`, `;`, tab and `|`
 * outside quotes. Example: `detectDelimiter('a;b;c\n1;2;3')` → `';'`.
 */
export function detectDelimiter(head: string): string {
  const candidates = [',', ';', '\t', '|'];
  const counts = new Map(candidates.map((c) => [c, 0]));
  let inQuotes = false;
  for (const ch of head) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) break;
    else if (!inQuotes && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const c of candidates) if (counts.get(c)! > counts.get(best)!) best = c;
  return best;
}
