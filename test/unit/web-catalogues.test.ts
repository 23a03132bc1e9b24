import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { REGISTERS } from '../../src/domain/records.ts';
import * as V from '../../src/domain/vocabularies.ts';
import {
  ENUM_FIELDS,
  listFilters,
  MINEFIELD_OWN_FIELDS,
  type Schema,
  subfields,
} from '../../web/src/lib/registers.ts';

// The web application's own message catalogues (web/src/i18n): English is the reference;
// Russian and Arabic must carry exactly the same keys, and every key the code asks for must exist.
// Field labels and change names come from the server's catalogue (records.json), as the page merges them.
const webSrc = fileURLToPath(new URL('../../web/src/', import.meta.url));
const serverMessages = fileURLToPath(new URL('../../src/i18n/messages/', import.meta.url));
const load = (locale: string): Record<string, string> => ({
  ...JSON.parse(readFileSync(join(serverMessages, locale, 'records.json'), 'utf8')),
  ...JSON.parse(readFileSync(join(webSrc, 'i18n', `${locale}.json`), 'utf8')),
});
const en = load('en');
const others = { ru: load('ru'), ar: load('ar') };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx)$/.test(name) ? [p] : [];
  });
}
const sources = sourceFiles(webSrc).map((p) => readFileSync(p, 'utf8'));

/** Keys passed literally to t('…'), plus message codes held in string literals (coords.*, form.*). */
function keysUsedInCode(): Set<string> {
  const keys = new Set<string>();
  for (const src of sources) {
    for (const m of src.matchAll(/\bt\(\s*'([^']+)'/g)) keys.add(m[1]);
    for (const m of src.matchAll(/'((?:coords|form)\.[a-z_A-Z]+)'/g)) keys.add(m[1]);
  }
  return keys;
}

describe('web message catalogues', () => {
  for (const [locale, cat] of Object.entries(others)) {
    it(`${locale} has every key English has`, () => {
      expect(Object.keys(en).filter((k) => !(k in cat))).toEqual([]);
    });
    it(`${locale} has no key English lacks`, () => {
      expect(Object.keys(cat).filter((k) => !(k in en))).toEqual([]);
    });
    it(`${locale} is translated, not an English copy`, () => {
      const same = Object.keys(en).filter(
        (k) => cat[k] === en[k] && /[a-z]{4,}/.test(en[k]) && !/^[A-Z]/.test(k),
      );
      // Codes, units and names of standards (SHA-256, JSON, Safeground) may stay as they are.
      expect(same.filter((k) => !['app.name', 'form.jsonHint', 'attachment.sha256'].includes(k))).toEqual([]);
    });
  }

  it('every message is valid ICU MessageFormat in its locale', () => {
    for (const [locale, cat] of Object.entries({ en, ...others })) {
      for (const [key, source] of Object.entries(cat)) {
        expect(() => new IntlMessageFormat(source, locale), `${locale}:${key}`).not.toThrow();
      }
    }
  });

  it('every key the code uses exists in English', () => {
    const used = [...keysUsedInCode()];
    expect(used.length).toBeGreaterThan(50);
    expect(used.filter((k) => !(k in en))).toEqual([]);
  });

  it('every register, field and code-list value has a label', () => {
    const missing: string[] = [];
    for (const r of REGISTERS) {
      if (!(`register.${r.slug}` in en)) missing.push(`register.${r.slug}`);
      for (const f of [...Object.keys(r.fields.properties), ...Object.keys(r.readOnly)]) {
        if (!(`field.${f}` in en)) missing.push(`field.${f}`);
      }
    }
    for (const list of Object.values(V)) {
      if (!Array.isArray(list)) continue;
      for (const value of list) if (!(`vocab.${value}` in en)) missing.push(`vocab.${value}`);
    }
    expect(missing).toEqual([]);
  });

  it('every sub-field of a structured field has a label', () => {
    // A record page shows a structured value (a hazard's evidence, an accident's casualties) as
    // labelled sub-fields, falling back to the bare name: an Arabic page once read "Location".
    const nested = new Set<string>();
    for (const r of REGISTERS)
      for (const [f, schema] of Object.entries({ ...r.fields.properties, ...r.readOnly }))
        if (r.slug !== 'minefield-records' || !MINEFIELD_OWN_FIELDS.includes(f))
          for (const [name] of subfields(schema as Schema)) nested.add(name);
    expect(nested.size).toBeGreaterThan(3);
    expect([...nested].filter((k) => !(`field.${k}` in en) && !(`vocab.${k}` in en))).toEqual([]);
  });

  it('code lists inside structured values are shown by their labels, as top-level ones are', () => {
    // A QA visit's non-conformities once read "major", "critical" on an Arabic page.
    expect(ENUM_FIELDS.has('severity')).toBe(true);
    for (const value of V.QA_SEVERITIES) expect(`vocab.${value}` in en).toBe(true);
  });

  it('every filter a register list shows has a label', () => {
    // The list page labels each of its selects by `filter.<param>`, falling back to the bare
    // parameter name (a hazard list once showed "terrain" among "Status" and "Type").
    const missing = REGISTERS.flatMap((r) =>
      listFilters(r)
        .map((f) => `filter.${f.param}`)
        .filter((k) => !(k in en))
        .map((k) => `${r.slug}: ${k}`),
    );
    expect(missing).toEqual([]);
  });
});
