import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import type { Bidi } from 'bidi-js';
import type PDFDocument from 'pdfkit';

/**
 * Text in the PDF: Noto Sans for Latin and Cyrillic, Noto Sans Arabic for Arabic (the
 * @fontsource files the map glyphs use, each a subset covering part of Unicode), laid out by us —
 * words wrapped to the width, each line put in visual order by the Unicode bidirectional
 * algorithm (bidi-js), and each character drawn in a subset that has it (the ranges each
 * package lists in its unicode.json): digits and punctuation in a Russian line are in the Latin
 * subset, not the Cyrillic one. fontkit (under pdfkit) shapes Arabic runs with the font's
 * OpenType features (joining forms, ligatures) and lays them right to left; runs of other text at
 * an odd bidi level are reversed and mirrored here.
 */

type Doc = InstanceType<typeof PDFDocument>;
export type Weight = 'regular' | 'bold';
/** A font file of one subset: `latin` is Basic Latin, Latin-1 and general punctuation; `latin-ext` the accented letters beyond (ğ, ş, ə). */
export type Face = 'latin' | 'latin-ext' | 'cyrillic' | 'cyrillic-ext' | 'arabic';

const require = createRequire(import.meta.url);
/** A Noto Sans subset of @fontsource/noto-sans, in its two weights. */
const notoSans = (subset: string) => ({
  package: '@fontsource/noto-sans',
  subset,
  files: {
    regular: `@fontsource/noto-sans/files/noto-sans-${subset}-400-normal.woff`,
    bold: `@fontsource/noto-sans/files/noto-sans-${subset}-700-normal.woff`,
  },
});
/** The faces in the order a character is looked for in them (the first that has it draws it). */
const FACES: Record<Face, { package: string; subset: string; files: Record<Weight, string> }> = {
  latin: notoSans('latin'),
  'latin-ext': notoSans('latin-ext'),
  cyrillic: notoSans('cyrillic'),
  'cyrillic-ext': notoSans('cyrillic-ext'),
  arabic: {
    package: '@fontsource/noto-sans-arabic',
    subset: 'arabic',
    files: {
      regular: '@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-400-normal.woff',
      bold: '@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-700-normal.woff',
    },
  },
};
const FACE_ORDER = Object.keys(FACES) as Face[];

/** A subset's code points, from its package's unicode.json (`"U+0000-00FF,U+0131,…"`). */
function rangesOf(face: Face): Array<[number, number]> {
  const { package: pkg, subset } = FACES[face];
  const list = JSON.parse(readFileSync(require.resolve(`${pkg}/unicode.json`), 'utf8')) as Record<
    string,
    string
  >;
  return (list[subset] ?? '').split(',').map((r) => {
    const [from, to] = r.replace(/^U\+/, '').split('-');
    return [Number.parseInt(from!, 16), Number.parseInt(to ?? from!, 16)];
  });
}

let coverage: Map<Face, Array<[number, number]>> | undefined;

/** Whether a face's file has a glyph for the code point. */
export function covers(face: Face, cp: number): boolean {
  coverage ??= new Map(FACE_ORDER.map((f) => [f, rangesOf(f)]));
  return coverage.get(face)!.some(([from, to]) => cp >= from && cp <= to);
}

/** The face that draws a character: the first that has it; Latin when none does (a missing glyph). */
export function faceOf(cp: number): Face {
  return FACE_ORDER.find((f) => covers(f, cp)) ?? 'latin';
}

/**
 * A WOFF 1 font as the plain OpenType (sfnt) file it wraps: each table inflated with zlib. fontkit
 * reads WOFF itself but inflates in JavaScript on every use, which made a PDF seconds slower;
 * the fonts are unwrapped once per process instead.
 */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') return woff;
  const numTables = woff.readUInt16BE(12);
  const tables: Array<{ tag: number; checksum: number; data: Buffer }> = [];
  for (let i = 0; i < numTables; i++) {
    const e = 44 + i * 20;
    const offset = woff.readUInt32BE(e + 4);
    const compLength = woff.readUInt32BE(e + 8);
    const origLength = woff.readUInt32BE(e + 12);
    const raw = woff.subarray(offset, offset + compLength);
    tables.push({
      tag: woff.readUInt32BE(e),
      checksum: woff.readUInt32BE(e + 16),
      data: compLength < origLength ? inflateSync(raw) : Buffer.from(raw),
    });
  }
  const pad4 = (n: number) => (n + 3) & ~3;
  let size = 12 + 16 * numTables;
  for (const t of tables) size += pad4(t.data.length);
  const out = Buffer.alloc(size);
  const entrySelector = Math.floor(Math.log2(numTables));
  out.writeUInt32BE(woff.readUInt32BE(4), 0);
  out.writeUInt16BE(numTables, 4);
  out.writeUInt16BE(16 * 2 ** entrySelector, 6);
  out.writeUInt16BE(entrySelector, 8);
  out.writeUInt16BE(numTables * 16 - 16 * 2 ** entrySelector, 10);
  let offset = 12 + 16 * numTables;
  tables.forEach((t, i) => {
    const r = 12 + i * 16;
    out.writeUInt32BE(t.tag, r);
    out.writeUInt32BE(t.checksum, r + 4);
    out.writeUInt32BE(offset, r + 8);
    out.writeUInt32BE(t.data.length, r + 12);
    t.data.copy(out, offset);
    offset += pad4(t.data.length);
  });
  return out;
}

const fontData = new Map<string, Buffer>();

/** Registers the fonts on a document under `latin-regular`, `arabic-bold` … */
export function registerFonts(doc: Doc): void {
  for (const [face, { files }] of Object.entries(FACES))
    for (const [weight, file] of Object.entries(files)) {
      let data = fontData.get(file);
      if (!data) {
        data = woffToSfnt(readFileSync(require.resolve(file)));
        fontData.set(file, data);
      }
      doc.registerFont(`${face}-${weight}`, data);
    }
}

// bidi-js is CommonJS (module.exports = factory); its types declare an ES default export.
const bidi = (require('bidi-js') as () => Bidi)();

interface Run {
  text: string;
  face: Face;
  level: number;
}

/**
 * Runs of one bidi level and one face, in logical order: a character stays in the run before
 * when that run's face has it (a space or a comma in Latin text), else starts a run in the first
 * face that has it (a comma after a Russian word: Latin; a space in Arabic text: Latin).
 */
export function runsOf(text: string, levels: Uint8Array): Run[] {
  const runs: Run[] = [];
  let i = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const level = levels[i]!;
    i += ch.length;
    if (cp >= 0x2066 && cp <= 0x2069) continue; // isolates: they order the text, they are not drawn
    const last = runs[runs.length - 1];
    if (last && last.level === level && covers(last.face, cp)) last.text += ch;
    else runs.push({ text: ch, face: faceOf(cp), level });
  }
  return runs;
}

const MIRROR: Record<string, string> = {
  '(': ')',
  ')': '(',
  '[': ']',
  ']': '[',
  '<': '>',
  '>': '<',
  '{': '}',
  '}': '{',
  '«': '»',
  '»': '«',
};

/**
 * Dates, times and record codes read left to right inside right-to-left text (`2025-12-31`, not
 * `31-12-2025` as the bidi algorithm would show digits after Arabic letters): each is wrapped in
 * a left-to-right isolate.
 */
const LTR_TOKENS =
  /\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?|\b[A-Z]{2,3}-\d+\b|\b[0-9a-f]{8}-[0-9a-f-]{27}\b/g;

/** The runs of one line in visual order (left to right), each ready to draw. */
function visualRuns(line: string, rtl: boolean): Run[] {
  const text = rtl ? line.replace(LTR_TOKENS, (m) => `\u2066${m}\u2069`) : line;
  const { levels } = bidi.getEmbeddingLevels(text, rtl ? 'rtl' : 'ltr');
  const runs = runsOf(text, levels);
  const max = Math.max(0, ...runs.map((r) => r.level));
  const minOdd = Math.min(...runs.map((r) => r.level).filter((l) => l % 2 === 1), 99);
  for (let level = max; level >= minOdd && level > 0; level--) {
    let i = 0;
    while (i < runs.length) {
      if (runs[i]!.level < level) {
        i++;
        continue;
      }
      let j = i;
      while (j < runs.length && runs[j]!.level >= level) j++;
      runs.splice(i, j - i, ...runs.slice(i, j).reverse());
      i = j;
    }
  }
  // fontkit lays Arabic runs out right to left itself; other text at an odd level is reversed here.
  return runs.map((r) =>
    r.level % 2 === 1 && r.face !== 'arabic'
      ? {
          ...r,
          text: [...r.text]
            .reverse()
            .map((c) => MIRROR[c] ?? c)
            .join(''),
        }
      : r,
  );
}

export interface TextStyle {
  size: number;
  weight?: Weight;
  color?: string;
  rtl: boolean;
}

function runWidth(doc: Doc, run: Run, style: TextStyle): number {
  doc.font(`${run.face}-${style.weight ?? 'regular'}`).fontSize(style.size);
  return doc.widthOfString(run.text);
}

const widthCache = new WeakMap<Doc, Map<string, number>>();

/** A run's width, remembered per document like textWidth. */
function textWidthOfRun(doc: Doc, run: Run, style: TextStyle): number {
  let cache = widthCache.get(doc);
  if (!cache) {
    cache = new Map();
    widthCache.set(doc, cache);
  }
  const key = `run\u0000${run.face}\u0000${style.size}\u0000${style.weight ?? 'regular'}\u0000${run.text}`;
  let w = cache.get(key);
  if (w === undefined) {
    w = runWidth(doc, run, style);
    cache.set(key, w);
  }
  return w;
}

/** Width of a line of text as it will be drawn (remembered per document, text and style). */
export function textWidth(doc: Doc, text: string, style: TextStyle): number {
  let cache = widthCache.get(doc);
  if (!cache) {
    cache = new Map();
    widthCache.set(doc, cache);
  }
  const key = `${style.size}\u0000${style.weight ?? 'regular'}\u0000${style.rtl ? 1 : 0}\u0000${text}`;
  let w = cache.get(key);
  if (w === undefined) {
    w = visualRuns(text, style.rtl).reduce((sum, r) => sum + textWidthOfRun(doc, r, style), 0);
    cache.set(key, w);
  }
  return w;
}

/**
 * Splits text into lines that fit `width`, at spaces (words measured once each; a line is its
 * words and the spaces between); a word wider than the line is cut where it no longer fits.
 */
export function wrap(doc: Doc, text: string, width: number, style: TextStyle): string[] {
  const lines: string[] = [];
  const space = textWidth(doc, ' ', style);
  for (const paragraph of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    for (const word of paragraph.split(/ +/)) {
      const w = textWidth(doc, word, style);
      if (line && lineWidth + space + w <= width) {
        line = `${line} ${word}`;
        lineWidth += space + w;
        continue;
      }
      if (line) lines.push(line);
      if (w <= width) {
        line = word;
        lineWidth = w;
        continue;
      }
      // One word wider than the column (a hash, a URL): cut it where it no longer fits.
      let cut = '';
      for (const ch of word) {
        if (cut && textWidth(doc, cut + ch, style) > width) {
          lines.push(cut);
          cut = '';
        }
        cut += ch;
      }
      line = cut;
      lineWidth = textWidth(doc, cut, style);
    }
    lines.push(line);
  }
  return lines;
}

/** Draws one line in the box [x, x + width] at y, aligned to the start (right in RTL) or `align`. */
export function drawLine(
  doc: Doc,
  text: string,
  x: number,
  y: number,
  width: number,
  style: TextStyle,
  align: 'start' | 'end' | 'center' = 'start',
): void {
  const runs = visualRuns(text, style.rtl);
  const widths = runs.map((r) => textWidthOfRun(doc, r, style));
  const total = widths.reduce((a, b) => a + b, 0);
  const right = (align === 'start') === style.rtl;
  let cx = align === 'center' ? x + (width - total) / 2 : right ? x + width - total : x;
  doc.fillColor(style.color ?? '#111111');
  runs.forEach((r, i) => {
    doc.font(`${r.face}-${style.weight ?? 'regular'}`).fontSize(style.size);
    doc.text(r.text, cx, y, { lineBreak: false });
    cx += widths[i]!;
  });
}

/** Draws wrapped text and returns the height it took. */
export function drawText(
  doc: Doc,
  text: string,
  x: number,
  y: number,
  width: number,
  style: TextStyle,
  align: 'start' | 'end' | 'center' = 'start',
): number {
  const lines = wrap(doc, text, width, style);
  const lh = style.size * 1.35;
  lines.forEach((line, i) => {
    drawLine(doc, line, x, y + i * lh, width, style, align);
  });
  return lines.length * lh;
}

export function lineHeight(style: TextStyle): number {
  return style.size * 1.35;
}
