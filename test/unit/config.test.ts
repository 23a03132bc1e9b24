import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Environment, messageLocale, parseSettings } from '../../src/config.ts';
import { isProblem, type Problem } from '../../src/domain/problem.ts';
import { t } from '../../src/i18n/catalogue.ts';

/** The problem parseSettings throws for `env`, or undefined when the settings are good. */
function refusal(env: Environment): Problem | undefined {
  try {
    parseSettings(env);
    return undefined;
  } catch (err) {
    if (isProblem(err)) return err;
    throw err;
  }
}

/** The faults of `env` as [code, variable, value]. */
function faults(env: Environment): Array<[string, unknown, unknown]> {
  const p = refusal(env);
  expect(p?.code).toBe('settings.invalid');
  return sorted(p!.others.map((o) => [o.code, o.params.variable, o.params.value]));
}

describe('settings from the environment', () => {
  it('takes the documented defaults from an empty environment', () => {
    const s = parseSettings({});
    expect(s).toMatchObject({
      databaseUrl: undefined,
      dbPool: 10,
      host: '0.0.0.0',
      port: 8080,
      demo: true,
      basemapType: 'raster',
      secret: undefined,
      duplicates: { hazardOverlapShare: 0.5, findingDistanceM: 5, findingDays: 30 },
      publicHexagonM: 5000,
      trustProxy: false,
      maxUploadBytes: 200 * 1024 * 1024,
      logLevel: 'info',
      locale: 'en',
      failpoint: undefined,
    });
  });

  it('reads good values of every kind', () => {
    const s = parseSettings({
      DATABASE_URL: 'postgres://sg:pw@db.example.org/safeground',
      SAFEGROUND_DB_POOL: '25',
      PORT: '8081',
      HOST: '127.0.0.1',
      SAFEGROUND_DEMO: '0',
      SAFEGROUND_BASEMAP_URL: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
      SAFEGROUND_BASEMAP_TYPE: 'vector',
      SAFEGROUND_SECRET: 's3cret',
      SAFEGROUND_DUPLICATE_OVERLAP: '0.25',
      SAFEGROUND_DUPLICATE_FINDING_M: '7.5',
      SAFEGROUND_DUPLICATE_FINDING_DAYS: '14',
      SAFEGROUND_PUBLIC_HEXAGON_M: '1000',
      SAFEGROUND_TRUST_PROXY: '1',
      SAFEGROUND_MAX_UPLOAD_MB: '1.5',
      LOG_LEVEL: 'warn',
      SAFEGROUND_LOCALE: 'ar',
      SAFEGROUND_FAILPOINT: 'approval.before_commit',
    });
    expect(s).toMatchObject({
      databaseUrl: 'postgres://sg:pw@db.example.org/safeground',
      dbPool: 25,
      port: 8081,
      host: '127.0.0.1',
      demo: false,
      basemapType: 'vector',
      secret: 's3cret',
      duplicates: { hazardOverlapShare: 0.25, findingDistanceM: 7.5, findingDays: 14 },
      publicHexagonM: 1000,
      trustProxy: true,
      maxUploadBytes: 1.5 * 1024 * 1024,
      logLevel: 'warn',
      locale: 'ar',
      failpoint: 'approval.before_commit',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(parseSettings({ DATABASE_URL: '', PORT: '' })).toMatchObject({
      databaseUrl: undefined,
      port: 8080,
    });
  });

  it('refuses words where numbers belong instead of running on NaN', () => {
    expect(
      faults({
        PORT: 'eighty',
        SAFEGROUND_DUPLICATE_OVERLAP: 'half',
        SAFEGROUND_MAX_UPLOAD_MB: 'lots',
        SAFEGROUND_PUBLIC_HEXAGON_M: 'big',
      }),
    ).toEqual(
      sorted([
        ['settings.integer', 'PORT', 'eighty'],
        ['settings.number', 'SAFEGROUND_DUPLICATE_OVERLAP', 'half'],
        ['settings.number', 'SAFEGROUND_PUBLIC_HEXAGON_M', 'big'],
        ['settings.number', 'SAFEGROUND_MAX_UPLOAD_MB', 'lots'],
      ]),
    );
  });

  it('refuses a public hexagon below 1000 m, which would publish open-hazard coordinates too finely', () => {
    expect(faults({ SAFEGROUND_PUBLIC_HEXAGON_M: '999' })).toEqual(
      sorted([['settings.number', 'SAFEGROUND_PUBLIC_HEXAGON_M', '999']]),
    );
    expect(faults({ SAFEGROUND_PUBLIC_HEXAGON_M: 'NaN' })[0]![0]).toBe('settings.number');
    expect(faults({ SAFEGROUND_PUBLIC_HEXAGON_M: 'Infinity' })[0]![0]).toBe('settings.number');
  });

  it('refuses integers out of range or with a fraction', () => {
    expect(
      faults({ PORT: '70000', SAFEGROUND_DB_POOL: '0', SAFEGROUND_DUPLICATE_FINDING_DAYS: '2.5' }),
    ).toEqual(
      sorted([
        ['settings.integer', 'PORT', '70000'],
        ['settings.integer', 'SAFEGROUND_DB_POOL', '0'],
        ['settings.integer', 'SAFEGROUND_DUPLICATE_FINDING_DAYS', '2.5'],
      ]),
    );
  });

  it('refuses numbers out of range and number-like strings that are not decimals', () => {
    expect(faults({ SAFEGROUND_DUPLICATE_OVERLAP: '1.5', SAFEGROUND_DUPLICATE_FINDING_M: '0x10' })).toEqual(
      sorted([
        ['settings.number', 'SAFEGROUND_DUPLICATE_OVERLAP', '1.5'],
        ['settings.number', 'SAFEGROUND_DUPLICATE_FINDING_M', '0x10'],
      ]),
    );
  });

  it('takes booleans as 1 or 0 only', () => {
    expect(faults({ SAFEGROUND_DEMO: 'no', SAFEGROUND_TRUST_PROXY: 'true' })).toEqual(
      sorted([
        ['settings.boolean', 'SAFEGROUND_DEMO', 'no'],
        ['settings.boolean', 'SAFEGROUND_TRUST_PROXY', 'true'],
      ]),
    );
  });

  it('takes enumerations from their list only', () => {
    expect(
      faults({ SAFEGROUND_BASEMAP_TYPE: 'satellite', LOG_LEVEL: 'loud', SAFEGROUND_LOCALE: 'fr' }),
    ).toEqual(
      sorted([
        ['settings.enum', 'SAFEGROUND_BASEMAP_TYPE', 'satellite'],
        ['settings.enum', 'LOG_LEVEL', 'loud'],
        ['settings.enum', 'SAFEGROUND_LOCALE', 'fr'],
      ]),
    );
  });

  it('refuses URLs of the wrong kind, without echoing a password', () => {
    const found = faults({
      DATABASE_URL: 'mysql://root:hunter2@db/safeground',
      SAFEGROUND_BASEMAP_URL: 'tiles/{z}/{x}/{y}.png',
    });
    expect(found).toEqual(
      sorted([
        ['settings.url', 'DATABASE_URL', 'mysql://root:***@db/safeground'],
        ['settings.url', 'SAFEGROUND_BASEMAP_URL', 'tiles/{z}/{x}/{y}.png'],
      ]),
    );
  });

  it('names the variable, the value and what is expected in every language', () => {
    const p = refusal({ PORT: 'eighty' })!;
    const fault = p.others[0]!;
    for (const locale of ['en', 'ru', 'ar']) {
      const sentence = t(fault.code, fault.params, locale);
      expect(sentence).toContain('PORT');
      expect(sentence).toContain('eighty');
      expect(sentence).toContain('65535');
    }
    expect(t(p.code, p.params, 'en')).toContain('1 setting is not valid');
  });

  it('speaks the language of LANG when SAFEGROUND_LOCALE is unset', () => {
    expect(parseSettings({ LANG: 'ru_RU.UTF-8' }).locale).toBe('ru');
    expect(parseSettings({ LANG: 'C.UTF-8' }).locale).toBe('en');
    expect(parseSettings({ LANG: 'ar_EG.UTF-8', SAFEGROUND_LOCALE: 'en' }).locale).toBe('en');
    // Messages about bad settings still find a language.
    expect(messageLocale({ SAFEGROUND_LOCALE: 'fr', LANG: 'ru_RU.UTF-8' })).toBe('ru');
  });
});

/** Faults in the order of their variables' names (the order of reading is not the point). */
function sorted(list: Array<[string, unknown, unknown]>): Array<[string, unknown, unknown]> {
  return [...list].sort((a, b) => String(a[1]).localeCompare(String(b[1])));
}

describe('the environment is read in one place', () => {
  const src = new URL('../../src/', import.meta.url).pathname;
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return files(p);
      return /\.(ts|tsx|js)$/.test(p) ? [p] : [];
    });

  it('no file in src/ but src/config.ts reads process.env', () => {
    const readers = files(src)
      .map((p) => relative(src, p))
      .filter((p) => p !== 'config.ts' && /process\s*\.\s*env\b/.test(readFileSync(join(src, p), 'utf8')));
    expect(readers).toEqual([]);
  });
});
