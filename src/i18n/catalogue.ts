import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntlMessageFormat } from 'intl-messageformat';

/**
 * The server's and CLI's message catalogue: ICU MessageFormat strings keyed by code, one
 * folder per locale (src/i18n/messages/<locale>/*.json, merged). English is complete by
 * rule (a test checks every locale has every English key); other locales fall back to it.
 */
export const LOCALES = ['en', 'ru', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];

const here = dirname(fileURLToPath(import.meta.url));
const catalogues = new Map<string, Record<string, string>>();
const formats = new Map<string, IntlMessageFormat>();

export function loadCatalogue(locale: string): Record<string, string> {
  let cat = catalogues.get(locale);
  if (!cat) {
    cat = {};
    const dir = join(here, 'messages', locale);
    let files: string[] = [];
    try {
      files = readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort();
    } catch {
      files = [];
    }
    for (const f of files) Object.assign(cat, JSON.parse(readFileSync(join(dir, f), 'utf8')));
    catalogues.set(locale, cat);
  }
  return cat;
}

export function pickLocale(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return 'en';
  for (const part of acceptLanguage.split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase().slice(0, 2);
    if ((LOCALES as readonly string[]).includes(tag)) return tag as Locale;
  }
  return 'en';
}

/** Formats message `key` in `locale`, falling back to English, then to the key itself. */
export function t(key: string, params: Record<string, unknown> = {}, locale: string = 'en'): string {
  const cat = loadCatalogue(locale);
  const source = cat[key] ?? loadCatalogue('en')[key];
  if (source === undefined) return key;
  const id = `${locale}\u0000${key}`;
  let fmt = formats.get(id);
  if (!fmt) {
    fmt = new IntlMessageFormat(source, locale);
    formats.set(id, fmt);
  }
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) clean[k] = v ?? '';
  return String(fmt.format(clean as Record<string, string>));
}

export function hasMessage(key: string): boolean {
  return loadCatalogue('en')[key] !== undefined;
}
