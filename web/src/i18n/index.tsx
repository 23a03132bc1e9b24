import { IntlMessageFormat } from 'intl-messageformat';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import arRecords from '../../../src/i18n/messages/ar/records.json' with { type: 'json' };
import enRecords from '../../../src/i18n/messages/en/records.json' with { type: 'json' };
import ruRecords from '../../../src/i18n/messages/ru/records.json' with { type: 'json' };
import { setApiLocale } from '../api/client.ts';
import arOwn from './ar.json';
import enOwn from './en.json';
import ruOwn from './ru.json';

/**
 * The interface language: ICU MessageFormat catalogues (en complete; ru and ar checked for the
 * same keys by test/unit/web-catalogues.test.ts), right-to-left for Arabic, numbers and dates
 * through Intl for the chosen locale.
 */
export const LOCALES = ['en', 'ru', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];
/**
 * The labels of fields and the names of a record's changes are shared with the server's
 * catalogue (src/i18n/messages/<locale>/records.json), so a PDF or a spreadsheet names a field
 * as the page does; the rest is the web application's own.
 */
const CATALOGUES: Record<Locale, Record<string, string>> = {
  en: { ...enRecords, ...enOwn },
  ru: { ...ruRecords, ...ruOwn },
  ar: { ...arRecords, ...arOwn },
};
const RTL = new Set<Locale>(['ar']);
const STORAGE_KEY = 'safeground.locale';

export function isLocale(x: unknown): x is Locale {
  return typeof x === 'string' && (LOCALES as readonly string[]).includes(x);
}

export function storedLocale(): Locale {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (isLocale(v)) return v;
  } catch {
    // storage unavailable: fall through to the browser's language
  }
  const nav = (navigator.language || 'en').slice(0, 2);
  return isLocale(nav) ? nav : 'en';
}

const formatCache = new Map<string, IntlMessageFormat>();

export function translate(locale: Locale, key: string, params?: Record<string, unknown>): string {
  const source = CATALOGUES[locale][key] ?? CATALOGUES.en[key];
  if (source === undefined) return key;
  const id = `${locale}\u0000${key}`;
  let fmt = formatCache.get(id);
  if (!fmt) {
    fmt = new IntlMessageFormat(source, locale);
    formatCache.set(id, fmt);
  }
  return String(fmt.format(params as Record<string, string | number>));
}

export function hasKey(key: string): boolean {
  return key in CATALOGUES.en;
}

export interface I18n {
  locale: Locale;
  dir: 'ltr' | 'rtl';
  setLocale: (l: Locale) => void;
  /** Message by literal key (checked against the catalogue by the unit test). */
  t: (key: string, params?: Record<string, unknown>) => string;
  /** Message by computed key (field names, code-list values), falling back to `fallback`. */
  tk: (key: string, fallback: string, params?: Record<string, unknown>) => string;
  num: (n: number | null | undefined, opts?: Intl.NumberFormatOptions) => string;
  date: (iso: string | null | undefined) => string;
  dateTime: (iso: string | null | undefined) => string;
  /** Area in m² shown in hectares or km² with the unit named, never a bare number. */
  area: (m2: number | null | undefined) => string;
  /** Area in a given unit, the unit named in the column head (one unit for a whole column). */
  areaIn: (m2: number | null | undefined, unit: AreaUnit) => string;
}

export type AreaUnit = 'm2' | 'ha' | 'km2';
const UNIT_M2: Record<AreaUnit, number> = { m2: 1, ha: 10_000, km2: 1_000_000 };

/** The unit of one area, or of a column of them (by its median, so most values read naturally). */
export function areaUnit(values: Array<number | null | undefined>): AreaUnit {
  const v = values
    .filter((x): x is number => typeof x === 'number' && Number.isFinite(x))
    .sort((a, b) => a - b);
  if (v.length === 0) return 'ha';
  const median = v[Math.floor(v.length / 2)];
  return median >= 1_000_000 ? 'km2' : median >= 10_000 ? 'ha' : 'm2';
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(storedLocale);
  setApiLocale(locale);

  useEffect(() => {
    const html = document.documentElement;
    html.lang = locale;
    html.dir = RTL.has(locale) ? 'rtl' : 'ltr';
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // not persisted in this browser; the server keeps it per user
    }
  }, [locale]);

  const setLocale = useCallback((l: Locale) => {
    setApiLocale(l);
    setLocaleState(l);
  }, []);

  const value = useMemo<I18n>(() => {
    const nf = new Intl.NumberFormat(locale);
    const df = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      timeZone: 'UTC',
    });
    const dtf = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    const t = (key: string, params?: Record<string, unknown>) => translate(locale, key, params);
    return {
      locale,
      dir: RTL.has(locale) ? 'rtl' : 'ltr',
      setLocale,
      t,
      tk: (key, fallback, params) => (hasKey(key) ? translate(locale, key, params) : fallback),
      num: (n, opts) =>
        n === null || n === undefined || Number.isNaN(n)
          ? '—'
          : opts
            ? new Intl.NumberFormat(locale, opts).format(n)
            : nf.format(n),
      date: (iso) => {
        if (!iso) return '—';
        const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
        return Number.isNaN(d.getTime()) ? iso : df.format(d);
      },
      dateTime: (iso) => {
        if (!iso) return '—';
        const d = new Date(iso);
        return Number.isNaN(d.getTime()) ? iso : dtf.format(d);
      },
      area: (m2) => {
        if (m2 === null || m2 === undefined || Number.isNaN(m2)) return '—';
        const unit = areaUnit([m2]);
        return t(`unit.${unit}`, {
          value: new Intl.NumberFormat(locale, { maximumFractionDigits: unit === 'm2' ? 0 : 2 }).format(
            m2 / UNIT_M2[unit],
          ),
        });
      },
      areaIn: (m2, unit) => {
        if (m2 === null || m2 === undefined || Number.isNaN(m2)) return '—';
        return new Intl.NumberFormat(locale, { maximumFractionDigits: unit === 'm2' ? 0 : 2 }).format(
          m2 / UNIT_M2[unit],
        );
      },
    };
  }, [locale, setLocale]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
