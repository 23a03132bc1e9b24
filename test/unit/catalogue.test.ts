import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { LOCALES, loadCatalogue } from '../../src/i18n/catalogue.ts';

const root = new URL('../../src/', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

describe('server and CLI message catalogues', () => {
  const en = loadCatalogue('en');

  it.each(LOCALES.filter((l) => l !== 'en'))('%s has exactly the keys English has', (locale) => {
    const other = loadCatalogue(locale);
    expect(
      Object.keys(en).filter((k) => !(k in other)),
      `missing in ${locale}`,
    ).toEqual([]);
    expect(
      Object.keys(other).filter((k) => !(k in en)),
      `only in ${locale}`,
    ).toEqual([]);
  });

  it.each(LOCALES)('every %s message is valid ICU MessageFormat', (locale) => {
    const bad: string[] = [];
    for (const [key, source] of Object.entries(loadCatalogue(locale))) {
      try {
        new IntlMessageFormat(source, locale);
      } catch {
        bad.push(key);
      }
    }
    expect(bad).toEqual([]);
  });

  it('has a message for every problem code the code can raise', () => {
    const codes = new Set<string>();
    for (const file of sourceFiles(root)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/new Problem\(\s*'([a-z0-9_.]+)'/g)) codes.add(m[1]!);
    }
    expect(codes.size).toBeGreaterThan(30);
    expect([...codes].filter((c) => !(c in en)).sort()).toEqual([]);
    // Every family of codes has a short problem title (RFC 9457 title).
    const families = new Set([...codes].map((c) => c.split('.')[0]!));
    expect([...families].filter((f) => !(`problem.title.${f}` in en)).sort()).toEqual([]);
  });
});
