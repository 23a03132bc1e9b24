import { createHash } from 'node:crypto';
import type { Geometry } from '../../io/types.ts';

/**
 * What a standard report is, before it is a page, a PDF, a workbook or a CSV: a title, the
 * parameters that make it, and blocks (facts, tables, a map, text, a signature block). Every
 * renderer draws the same document, so the figures are the same in every format, and the
 * content hash (contentHash) is computed from it, not from the bytes of one file.
 */

export type Cell = string | number | null;

export interface Column {
  key: string;
  label: string;
  /** Right-aligned, summed in totals, written as a number in XLSX/CSV. */
  numeric?: boolean;
  /** Relative width in the PDF (default 1). */
  width?: number;
  /**
   * The unit of the figures (`m2`: square metres, the label ending in ", m²"): the files keep
   * square metres; the page may show them in hectares or km² with the unit named.
   */
  unit?: 'm2';
}

export interface TableBlock {
  kind: 'table';
  title: string;
  /** Sheet name in the XLSX (31 characters at most); the title when left out. */
  sheet?: string;
  /** Text above the table (what it counts, how). */
  note?: string;
  columns: Column[];
  rows: Cell[][];
  /** A last row of totals (numeric columns summed), labelled in the first column. */
  totals?: Cell[];
}

export interface FactsBlock {
  kind: 'facts';
  title: string;
  /** Label and value; `m2` third when the value is an area in square metres (see Column.unit). */
  items: Array<[label: string, value: Cell, unit?: 'm2']>;
}

export interface TextBlock {
  kind: 'text';
  title?: string;
  text: string;
}

export type MapStyle = 'boundary' | 'hazard' | 'cancelled' | 'reduced' | 'cleared' | 'finding';

export interface MapLayer {
  style: MapStyle;
  label: string;
  geometries: Geometry[];
}

export interface MapBlock {
  kind: 'map';
  title: string;
  /** Layers drawn in order (the first is the base); the extent is that of the non-base layers. */
  layers: MapLayer[];
}

export interface SignaturesBlock {
  kind: 'signatures';
  title: string;
  /** One signature line per role, with name, date and signature boxes. */
  roles: string[];
  labels: { name: string; date: string; signature: string };
}

export type Block = TableBlock | FactsBlock | TextBlock | MapBlock | SignaturesBlock;

/** The parameters a report was made with: what regenerates it. */
export interface OutputParams {
  asAt: string;
  from?: string;
  to?: string;
  area?: string;
  organisation?: string;
  level?: number;
  hazard?: string;
  /** A selection of records for the evidence dossier: `register:id`. */
  records?: string[];
  /** A project (the project output). */
  project?: string;
}

export interface OutputDocument {
  output: string;
  locale: string;
  title: string;
  params: OutputParams;
  /** The filters as people read them: `[label, value]`, e.g. `['Admin area', 'North (NR-01)']`. */
  filters: Array<[string, string]>;
  blocks: Block[];
}

/** Who made a file and when: on every output, outside the content hash. */
export interface Provenance {
  generatedBy: string;
  generatedAt: string;
}

/** JSON with object keys sorted at every level and numbers rounded to 9 significant digits. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number')
    return JSON.stringify(Number.isFinite(value) ? Number(value.toPrecision(12)) : null);
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/**
 * The content hash of a report: SHA-256 (hex) of the canonical JSON (keys sorted, UTF-8) of
 * its name, language, parameters, filters and blocks — every figure, row, map geometry and text
 * — and not of who generated it or when. The same report asked again for the same as-at date
 * and filters on unchanged data has the same hash, in whichever format it is written.
 */
export function contentHash(doc: OutputDocument): string {
  return createHash('sha256').update(canonicalJson(doc), 'utf8').digest('hex');
}

/** The table's rows, with its totals row at the end when it has one. */
export function tableRows(table: TableBlock): Cell[][] {
  return table.totals ? [...table.rows, table.totals] : table.rows;
}

/** Totals of the numeric columns, the first cell being `label`. */
export function totalsRow(columns: Column[], rows: Cell[][], label: string): Cell[] {
  return columns.map((c, i) => {
    if (i === 0) return label;
    if (!c.numeric) return null;
    return rows.reduce<number>((s, r) => s + (typeof r[i] === 'number' ? (r[i] as number) : 0), 0);
  });
}
