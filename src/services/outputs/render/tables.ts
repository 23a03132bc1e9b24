import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { t } from '../../../i18n/catalogue.ts';
import type { Cell, OutputDocument, Provenance } from '../document.ts';
import { tableRows } from '../document.ts';

/**
 * The report as a workbook and as CSV. The workbook has a cover sheet (title, as-at date,
 * filters, generation, content hash, and the facts blocks), then one sheet per table laid out
 * as the form it stands for — title, note, header, rows, totals — with numbers as numbers so it
 * can be edited and summed; Arabic workbooks run right to left. The CSV has the same parts, one
 * after another, separated by an empty line.
 */

function provenanceLines(doc: OutputDocument, hash: string, p: Provenance): string[] {
  return [
    t('outputs.footer.as_at', { date: doc.params.asAt }, doc.locale),
    ...doc.filters.map(([l, v]) => `${l}: ${v}`),
    t('outputs.footer.generated', { user: p.generatedBy, at: p.generatedAt }, doc.locale),
    t('outputs.footer.hash', { hash }, doc.locale),
  ];
}

function sheetName(name: string, taken: Set<string>): string {
  const clean =
    name
      .replace(/[\\/*?:[\]]/g, ' ')
      .trim()
      .slice(0, 31) || 'Sheet';
  // Excel keeps the name "History" for itself.
  let out = clean.toLowerCase() === 'history' ? `${clean} 1` : clean;
  for (let i = 2; taken.has(out.toLowerCase()); i++)
    out = `${clean.slice(0, 31 - String(i).length - 1)} ${i}`;
  taken.add(out.toLowerCase());
  return out;
}

export async function renderXlsx(doc: OutputDocument, hash: string, p: Provenance): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Safeground';
  book.title = doc.title;
  book.subject = `${doc.output} ${doc.params.asAt}`;
  book.keywords = `sha256:${hash}`;
  const rtl = doc.locale === 'ar';
  const taken = new Set<string>();
  const cover = book.addWorksheet(sheetName(t('outputs.sheet.report', {}, doc.locale), taken), {
    views: [{ rightToLeft: rtl }],
  });
  cover.addRow([doc.title]).font = { bold: true, size: 14 };
  for (const line of provenanceLines(doc, hash, p)) cover.addRow([line]);
  cover.getColumn(1).width = 48;
  cover.getColumn(2).width = 24;
  for (const b of doc.blocks) {
    if (b.kind === 'facts') {
      cover.addRow([]);
      cover.addRow([b.title]).font = { bold: true };
      for (const [label, value] of b.items) cover.addRow([label, value]);
    } else if (b.kind === 'text') {
      cover.addRow([]);
      if (b.title) cover.addRow([b.title]).font = { bold: true };
      cover.addRow([b.text]);
    }
  }
  for (const b of doc.blocks) {
    if (b.kind !== 'table') continue;
    const sheet = book.addWorksheet(sheetName(b.sheet ?? b.title, taken), {
      views: [{ rightToLeft: rtl, state: 'frozen', ySplit: b.note ? 4 : 3 }],
    });
    sheet.addRow([b.title]).font = { bold: true, size: 12 };
    if (b.note) sheet.addRow([b.note]).font = { italic: true };
    sheet.addRow([]);
    const head = sheet.addRow(b.columns.map((c) => c.label));
    head.font = { bold: true };
    head.eachCell((cell) => {
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8E8E8' } };
      cell.border = { bottom: { style: 'thin' } };
    });
    const rows = tableRows(b);
    rows.forEach((r, i) => {
      const row = sheet.addRow(r.map((c) => (c === null ? null : c)));
      if (b.totals && i === rows.length - 1) row.font = { bold: true };
    });
    b.columns.forEach((c, i) => {
      const col = sheet.getColumn(i + 1);
      col.width = Math.min(
        60,
        Math.max(10, c.label.length + 2, ...rows.map((r) => String(r[i] ?? '').length + 2)),
      );
      if (c.numeric) col.numFmt = '#,##0.##';
    });
    sheet.addRow([]);
    for (const line of provenanceLines(doc, hash, p))
      sheet.addRow([line]).font = { size: 8, color: { argb: 'FF555555' } };
  }
  return new Uint8Array(await book.xlsx.writeBuffer());
}

export function renderCsv(doc: OutputDocument, hash: string, p: Provenance): Uint8Array {
  const rows: Cell[][] = [[doc.title], ...provenanceLines(doc, hash, p).map((l) => [l])];
  for (const b of doc.blocks) {
    if (b.kind === 'facts') {
      rows.push([], [b.title], ...b.items.map(([l, v]) => [l, v]));
    } else if (b.kind === 'table') {
      rows.push([], [b.title]);
      if (b.note) rows.push([b.note]);
      rows.push(
        b.columns.map((c) => c.label),
        ...tableRows(b),
      );
    } else if (b.kind === 'text') {
      rows.push([], ...(b.title ? [[b.title]] : []), [b.text]);
    }
  }
  // The BOM makes spreadsheet programs read the file as UTF-8 (Cyrillic, Arabic).
  return new TextEncoder().encode(`\uFEFF${stringify(rows)}`);
}
