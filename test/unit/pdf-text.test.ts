import { describe, expect, it } from 'vitest';
import { columnWidths } from '../../src/services/outputs/render/pdf.ts';
import { covers, faceOf, runsOf } from '../../src/services/outputs/render/text.ts';

/** Runs of a left-to-right line (every character at level 0). */
const ltrRuns = (text: string) => runsOf(text, new Uint8Array(text.length));

describe('PDF text: each character in a font file that has it', () => {
  it.each([
    ['Russian with digits and punctuation', 'Название, Тип: 12.5 м² — «Отчёт» №3 (2026-12-08).'],
    ['Azerbaijani and Turkish letters', 'Ağdam, Şuşa, Füzuli; ə ı ş ğ'],
    ['English', 'Device categories: AP, AV (2 of 3) — 4,500.59 m²'],
  ])('%s', (_name, text) => {
    const runs = ltrRuns(text);
    expect(runs.map((r) => r.text).join('')).toBe(text);
    for (const r of runs)
      for (const ch of r.text) expect(covers(r.face, ch.codePointAt(0)!), `${ch} in ${r.face}`).toBe(true);
  });

  it('draws a comma after a Russian word with the Latin file, and Cyrillic letters with the Cyrillic one', () => {
    expect(ltrRuns('Тип, вид').map((r) => [r.text, r.face])).toEqual([
      ['Тип', 'cyrillic'],
      [', ', 'latin'],
      ['вид', 'cyrillic'],
    ]);
    expect(faceOf('ğ'.codePointAt(0)!)).toBe('latin-ext');
    expect(faceOf('ب'.codePointAt(0)!)).toBe('arabic');
  });
});

describe('PDF table columns', () => {
  it('widens a column to its heading longest word and narrows the others by weight', () => {
    expect(columnWidths([1, 1, 1], [10, 10, 50], 90)).toEqual([20, 20, 50]);
    expect(columnWidths([2, 1, 1], [10, 10, 10], 80)).toEqual([40, 20, 20]);
    // A column pushed to its minimum can push another below its own: both are kept at theirs.
    const w = columnWidths([1, 1, 4], [30, 25, 10], 90);
    expect(w[0]).toBe(30);
    expect(w[1]).toBe(25);
    expect(w[2]).toBeCloseTo(35);
    // Minima that cannot all fit: the weights alone.
    expect(columnWidths([1, 1], [60, 60], 100)).toEqual([50, 50]);
  });
});
