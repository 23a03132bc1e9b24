import PDFDocument from 'pdfkit';
import { t } from '../../../i18n/catalogue.ts';
import type {
  Cell,
  FactsBlock,
  OutputDocument,
  Provenance,
  SignaturesBlock,
  TableBlock,
} from '../document.ts';
import { tableRows } from '../document.ts';
import { drawMap } from './map.ts';
import { drawLine, drawText, lineHeight, registerFonts, type TextStyle, textWidth, wrap } from './text.ts';

/**
 * The PDF of a report (A4; landscape when a table is wide): title, as-at date and filters at
 * the top, the blocks in order, and on every page a footer with the as-at date, the filters,
 * who generated it and when, the content hash and the page number. Arabic pages run right to
 * left: columns, alignment and the map's legend are mirrored.
 */

type Doc = InstanceType<typeof PDFDocument>;
const MARGIN = 36;
const FOOTER = 44;

export function formatCell(v: Cell, locale: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number')
    return new Intl.NumberFormat(`${locale}-u-nu-latn`, { maximumFractionDigits: 2 }).format(v);
  return v;
}

export async function renderPdf(
  doc0: OutputDocument,
  hash: string,
  provenance: Provenance,
): Promise<Uint8Array> {
  const locale = doc0.locale;
  const rtl = locale === 'ar';
  const wide = doc0.blocks.some((b) => b.kind === 'table' && b.columns.length > 6);
  const doc: Doc = new PDFDocument({
    size: 'A4',
    layout: wide ? 'landscape' : 'portrait',
    margins: { top: MARGIN, bottom: 0, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: {
      Title: doc0.title,
      Producer: 'Safeground',
      Creator: 'Safeground',
      Subject: `${doc0.output} ${doc0.params.asAt}`,
      Keywords: `sha256:${hash}`,
    },
    lang: locale,
  });
  registerFonts(doc);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));

  const pageWidth = doc.page.width;
  const pageHeight = doc.page.height;
  const left = MARGIN;
  const width = pageWidth - 2 * MARGIN;
  const bottom = pageHeight - FOOTER - 8;
  const base: TextStyle = { size: 9, rtl };
  let y = MARGIN;

  const newPage = () => {
    doc.addPage();
    y = MARGIN;
  };
  const ensure = (h: number) => {
    if (y + h > bottom) newPage();
  };

  y += drawText(doc, doc0.title, left, y, width, { size: 16, weight: 'bold', rtl });
  y += 2;
  const asAt = t('outputs.footer.as_at', { date: doc0.params.asAt }, locale);
  y += drawText(doc, asAt, left, y, width, { ...base, size: 10, weight: 'bold' });
  for (const [label, value] of doc0.filters)
    y += drawText(doc, `${label}: ${value}`, left, y, width, { ...base, color: '#444444' });
  y += 8;

  const heading = (title: string) => {
    ensure(40);
    y += drawText(doc, title, left, y, width, { size: 12, weight: 'bold', rtl });
    y += 3;
  };

  const facts = (b: FactsBlock) => {
    heading(b.title);
    const lw = width * 0.45;
    for (const [label, value] of b.items) {
      const lines = Math.max(
        wrap(doc, label, lw - 6, base).length,
        wrap(doc, formatCell(value, locale), width - lw, base).length,
      );
      const h = lines * lineHeight(base) + 2;
      ensure(h);
      const lx = rtl ? left + width - lw : left;
      const vx = rtl ? left : left + lw;
      drawText(doc, label, lx, y, lw - 6, { ...base, color: '#555555' });
      drawText(
        doc,
        formatCell(value, locale),
        vx,
        y,
        width - lw,
        { ...base, weight: 'bold' },
        typeof value === 'number' ? 'start' : 'start',
      );
      y += h;
    }
    y += 8;
  };

  const table = (b: TableBlock) => {
    heading(b.title);
    if (b.note) y += drawText(doc, b.note, left, y, width, { ...base, size: 8, color: '#555555' }) + 2;
    const pad = 3;
    const headStyle: TextStyle = { ...base, size: 8, weight: 'bold' };
    // A heading's longest word fits its column ("суббоеприпасы" is not cut) wherever the page allows.
    const widths = columnWidths(
      b.columns.map((c) => c.width ?? 1),
      b.columns.map(
        (c) => Math.max(...c.label.split(/ +/).map((w) => textWidth(doc, w, headStyle))) + 2 * pad + 1,
      ),
      width,
    );
    const xs: number[] = [];
    let acc = 0;
    for (const w of widths) {
      xs.push(rtl ? left + width - acc - w : left + acc);
      acc += w;
    }
    const cellStyle: TextStyle = { ...base, size: 8 };
    const row = (cells: string[], style: TextStyle, fill: string | null, numeric: boolean[]) => {
      const wrapped = cells.map((c, i) => wrap(doc, c, widths[i]! - 2 * pad, style));
      const h = Math.max(1, ...wrapped.map((l) => l.length)) * lineHeight(style) + 2 * pad;
      return {
        h,
        draw: () => {
          if (fill) doc.rect(left, y, width, h).fill(fill);
          wrapped.forEach((lines, i) => {
            lines.forEach((line, k) => {
              const top = y + pad + k * lineHeight(style);
              drawLine(
                doc,
                line,
                xs[i]! + pad,
                top,
                widths[i]! - 2 * pad,
                style,
                numeric[i] ? 'end' : 'start',
              );
            });
          });
          doc
            .moveTo(left, y + h)
            .lineTo(left + width, y + h)
            .lineWidth(0.3)
            .stroke('#bbbbbb');
          y += h;
        },
      };
    };
    const header = () => {
      const r = row(
        b.columns.map((c) => c.label),
        headStyle,
        '#e8e8e8',
        b.columns.map((c) => Boolean(c.numeric)),
      );
      ensure(r.h + 14);
      r.draw();
    };
    header();
    const rows = tableRows(b);
    if (!rows.length) {
      y +=
        drawText(doc, t('outputs.no_rows', {}, locale), left + pad, y + pad, width, {
          ...cellStyle,
          color: '#777777',
        }) +
        2 * pad;
    }
    rows.forEach((cells, i) => {
      const isTotal = b.totals !== undefined && i === rows.length - 1;
      const r = row(
        cells.map((c) => formatCell(c, locale)),
        isTotal ? headStyle : cellStyle,
        isTotal ? '#f2f2f2' : null,
        b.columns.map((c) => Boolean(c.numeric)),
      );
      if (y + r.h > bottom) {
        newPage();
        header();
      }
      r.draw();
    });
    y += 10;
  };

  const signatures = (b: SignaturesBlock) => {
    heading(b.title);
    const colW = width / 3;
    for (const role of b.roles) {
      ensure(58);
      y += drawText(doc, role, left, y, width, { ...base, weight: 'bold' }) + 18;
      const labels = [b.labels.name, b.labels.date, b.labels.signature];
      labels.forEach((label, i) => {
        const x = rtl ? left + width - (i + 1) * colW : left + i * colW;
        doc
          .moveTo(x + 4, y)
          .lineTo(x + colW - 10, y)
          .lineWidth(0.6)
          .stroke('#333333');
        drawLine(doc, label, x + 4, y + 2, colW - 14, { ...base, size: 7, color: '#555555' });
      });
      y += 22;
    }
  };

  for (const block of doc0.blocks) {
    switch (block.kind) {
      case 'facts':
        facts(block);
        break;
      case 'table':
        table(block);
        break;
      case 'text':
        if (block.title) heading(block.title);
        ensure(lineHeight(base) * 2);
        y += drawText(doc, block.text, left, y, width, base) + 6;
        break;
      case 'map': {
        heading(block.title);
        const h = Math.min(360, width * 0.62);
        ensure(h + 40);
        y +=
          drawMap(doc, block, left, y, width, h, base, (m) =>
            m >= 1000
              ? t('outputs.scale_km', { n: String(m / 1000) }, locale)
              : t('outputs.scale_m', { n: String(m) }, locale),
          ) + 10;
        break;
      }
      case 'signatures':
        signatures(block);
        break;
    }
  }

  // Footers: what regenerates the file, who made it, and the content hash, on every page.
  const range = doc.bufferedPageRange();
  const filters = doc0.filters.map(([l, v]) => `${l}: ${v}`).join(' · ');
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const fy = pageHeight - FOOTER;
    doc
      .moveTo(left, fy - 4)
      .lineTo(left + width, fy - 4)
      .lineWidth(0.4)
      .stroke('#999999');
    const small: TextStyle = { size: 6.5, rtl, color: '#444444' };
    drawLine(doc, `${asAt}${filters ? ` · ${filters}` : ''}`, left, fy, width, small);
    drawLine(
      doc,
      t('outputs.footer.generated', { user: provenance.generatedBy, at: provenance.generatedAt }, locale),
      left,
      fy + 9,
      width,
      small,
    );
    drawLine(doc, t('outputs.footer.hash', { hash }, locale), left, fy + 18, width, small);
    drawLine(
      doc,
      t('outputs.footer.page', { page: i + 1, pages: range.count }, locale),
      left,
      fy + 27,
      width,
      small,
      'end',
    );
  }
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Widths of a table's columns across `total`: in proportion to their weights, each at least its
 * minimum (its heading's longest word) when the minima fit, the others sharing what is left in
 * proportion to their weights. Example: weights [1, 1, 1], minima [10, 10, 50], total 90 →
 * [20, 20, 50].
 */
export function columnWidths(weights: number[], minima: number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => (w / sum) * total);
  if (minima.reduce((a, b) => a + b, 0) > total) return widths;
  const fixed = new Set<number>();
  for (;;) {
    const short = widths.flatMap((w, i) => (!fixed.has(i) && w < minima[i]! ? [i] : []));
    if (short.length === 0) return widths;
    for (const i of short) {
      widths[i] = minima[i]!;
      fixed.add(i);
    }
    const free = widths.flatMap((_, i) => (fixed.has(i) ? [] : [i]));
    const left = total - [...fixed].reduce((a, i) => a + widths[i]!, 0);
    const freeWeight = free.reduce((a, i) => a + weights[i]!, 0);
    for (const i of free) widths[i] = (weights[i]! / freeWeight) * left;
  }
}
