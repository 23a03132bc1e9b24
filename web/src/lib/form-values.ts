import type { Point } from 'geojson';
import { AGE_BANDS } from '../../../src/domain/vocabularies.ts';
import type { SubfieldDesc } from './registers.ts';

/**
 * Structured values of a register form as the form holds them (text as typed) and back as the
 * register takes them (numbers as numbers, blanks left out), with the error a user can fix:
 * the items of a list of objects, one object of parts, a table of counts, a map of names.
 */

/** One item of a list of objects as the form holds it: text as typed, a position as a Point. */
export type ListItem = Record<string, string | Point | null | undefined>;

/** One stored object as the form's parts: numbers and text as text, a position as it is. */
export function itemInput(item: unknown): ListItem {
  return Object.fromEntries(
    Object.entries((item ?? {}) as Record<string, unknown>).map(([k, x]) => [
      k,
      x == null ? '' : typeof x === 'object' ? (x as Point) : String(x),
    ]),
  );
}

/** A number as typed, or undefined when blank; NaN when it is not a number of the part's kind. */
export function numberOf(text: string, kind: 'integer' | 'number'): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  const n = Number(s.replace(',', '.'));
  return Number.isFinite(n) && (kind === 'number' || Number.isInteger(n)) ? n : Number.NaN;
}

/**
 * One object as a register takes it: text trimmed, numbers as numbers, blank parts left out;
 * null when every part is blank. An error key when a number part is not a number.
 */
export function itemValue(
  item: ListItem,
  parts: SubfieldDesc[],
): { value: Record<string, unknown> | null; error?: string } {
  const out: Record<string, unknown> = {};
  let error: string | undefined;
  for (const [k, v] of Object.entries(item)) {
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string') {
      out[k] = v;
      continue;
    }
    const part = parts.find((p) => p.name === k);
    if (part?.number) {
      const n = numberOf(v, part.number);
      if (n === undefined) continue;
      if (Number.isNaN(n)) error = 'form.notANumber';
      else out[k] = n;
    } else if (v.trim() !== '') out[k] = v.trim();
  }
  return { value: Object.keys(out).length > 0 ? out : null, error };
}

/** The items as a register takes them (itemValue of each), blank rows dropped. */
export function listItems(
  items: ListItem[],
  parts: SubfieldDesc[],
): { value: Record<string, unknown>[]; error?: string } {
  const values = items.map((item) => itemValue(item, parts));
  return {
    value: values.flatMap((v) => (v.value ? [v.value] : [])),
    error: values.find((v) => v.error)?.error,
  };
}

/** Age bands youngest first ("5-12" before "13-17" before "18+"), bands without a number last. */
function byAge(a: string, b: string): number {
  const x = Number.parseInt(a, 10);
  const y = Number.parseInt(b, 10);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
  return x - y;
}

/** A table of counts as the form holds it: the columns, and each row's cells as typed. */
export interface CountsValue {
  bands: string[];
  cells: Record<string, Record<string, string>>;
}

/**
 * A register's counts (by sex, then by band) as the form's table, bands youngest first: the
 * record's own bands, or the standard ones (`standard`) for a record without counts, so a record
 * counted as "18+" is not offered "18-59" beside it to count the same people twice.
 */
export function countsInput(v: unknown, standard = true): CountsValue {
  const stored = (v && typeof v === 'object' ? v : {}) as Record<string, Record<string, number>>;
  const bands: string[] = [];
  const cells: CountsValue['cells'] = {};
  for (const [row, byBand] of Object.entries(stored)) {
    cells[row] = {};
    for (const [band, n] of Object.entries(byBand ?? {})) {
      if (!bands.includes(band)) bands.push(band);
      cells[row][band] = String(n);
    }
  }
  if (standard && bands.length === 0) bands.push(...AGE_BANDS);
  return { bands: bands.sort(byAge), cells };
}

/** The table as a register takes it: whole numbers, blank cells and empty rows left out. */
export function countsValue(v: CountsValue): {
  value: Record<string, Record<string, number>>;
  error?: string;
} {
  const out: Record<string, Record<string, number>> = {};
  let error: string | undefined;
  for (const [row, byBand] of Object.entries(v.cells)) {
    for (const band of v.bands) {
      const n = numberOf(byBand[band] ?? '', 'integer');
      if (n === undefined) continue;
      if (Number.isNaN(n) || n < 0) error = 'form.notACount';
      else out[row] = { ...out[row], [band]: n };
    }
  }
  return { value: out, error };
}

/** The parts of a map of texts by language (a settlement's names) as rows of a list. */
export const TEXT_MAP_PARTS: SubfieldDesc[] = [
  { name: 'language', maxLength: 3 },
  { name: 'name', maxLength: 300 },
];

/** A map of texts by language as rows of the list editor. */
export function textMapInput(v: unknown): ListItem[] {
  return Object.entries((v && typeof v === 'object' ? v : {}) as Record<string, string>).map(
    ([language, name]) => ({ language, name }),
  );
}

/** The rows as a map of texts by language; an error when a language is missing or given twice. */
export function textMapValue(items: ListItem[]): { value: Record<string, string>; error?: string } {
  const out: Record<string, string> = {};
  let error: string | undefined;
  for (const item of listItems(items, TEXT_MAP_PARTS).value) {
    const language = String(item.language ?? '').toLowerCase();
    if (!language || !item.name || language in out) error = 'form.languageOnce';
    else out[language] = String(item.name);
  }
  return { value: out, error };
}
