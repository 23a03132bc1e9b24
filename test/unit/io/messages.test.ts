import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalogue, t } from '../../../src/i18n/catalogue.ts';

const srcDir = new URL('../../../src/io/', import.meta.url);

/** Every problem code the io layer can raise, found in its source. */
function codesInSource(): string[] {
  const codes = new Set<string>();
  for (const f of readdirSync(srcDir).filter((n) => n.endsWith('.ts'))) {
    for (const m of readFileSync(new URL(f, srcDir), 'utf8').matchAll(/'(io\.[a-z_]+\.[a-z_]+)'/g))
      codes.add(m[1]!);
  }
  return [...codes].sort();
}

describe('io messages', () => {
  it.each(['en', 'ru', 'ar'])('has a %s sentence for every io problem code', (locale) => {
    const codes = codesInSource();
    expect(codes.length).toBeGreaterThan(20);
    const catalogue = loadCatalogue(locale);
    for (const code of codes) expect(catalogue[code], `${locale} ${code}`).toBeTypeOf('string');
  });

  it('formats a located problem in each language', () => {
    expect(t('io.csv.row_length', { found: 6, expected: 5 }, 'en')).toContain('6 fields');
    expect(t('io.csv.row_length', { found: 6, expected: 5 }, 'ru')).toContain('6 полей');
    expect(t('io.geometry.null', {}, 'ar')).toBe('لا يحتوي هذا السجل على شكل هندسي.');
  });
});
