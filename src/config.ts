import { resolve } from 'node:path';
import { Problem } from './domain/problem.ts';
import { LOCALES, type Locale, pickLocale } from './i18n/catalogue.ts';

/**
 * Settings, all from the environment (documented in the README's Settings table). They are read
 * and checked here, once, at start, and passed down; nothing else in src/ reads the environment.
 * A bad value stops the program with `settings.invalid`, listing every fault (variable, value and
 * what is expected), rather than running on a NaN.
 */
export interface Settings {
  databaseUrl: string | undefined;
  /**
   * PostgreSQL streaming replicas of DATABASE_URL for reads that may lag (DATABASE_READ_URL,
   * comma-separated; docs/deployment.md); none: every read goes to DATABASE_URL.
   */
  databaseReadUrls: string[];
  /** A replica further behind its primary than this is not read from (SAFEGROUND_READ_MAX_LAG_S). */
  readMaxLagMs: number;
  /** Size of the PostgreSQL connection pool. */
  dbPool: number;
  dataDir: string;
  host: string;
  port: number;
  demo: boolean;
  basemapUrl: string | undefined;
  basemapType: 'raster' | 'vector';
  basemapAttribution: string | undefined;
  /** A deployment's PMTiles archive, served at /basemap/{z}/{x}/{y}.{ext}; unset: the map draws its own basemap. */
  basemapPmtiles: string | undefined;
  attachmentsDir: string;
  /** How near in place and time a photo must be taken to its record to count as consistent with it. */
  evidence: { distanceM: number; days: number };
  /** Secret from which the personal-data key is derived; unset: the key file. */
  secret: string | undefined;
  /** Key file of the personal-data keyring (used when SAFEGROUND_SECRET is unset). */
  keyFile: string;
  /** Thresholds of the duplicate warnings at approval. */
  duplicates: {
    hazardOverlapShare: number;
    findingDistanceM: number;
    findingDays: number;
    findingOutsideHazardM: number;
  };
  /** Smallest hexagon of the public hazard map, metres across flats (at least 1000). */
  publicHexagonM: number;
  /** Requests a minute each address may make to /api/v1/public/ (0: no limit). */
  publicRateLimit: number;
  trustProxy: boolean;
  maxUploadBytes: number;
  logLevel: LogLevel;
  /** Language of CLI messages: SAFEGROUND_LOCALE, else the language of LANG, else en. */
  locale: Locale;
  /** Test hook: the failpoint at which the process stops (see services/failpoints.ts). */
  failpoint: string | undefined;
  /** Scheduled backups: folder (unset: off), period and how many to keep. */
  backup: { dir: string | undefined; everyMs: number; keep: number };
  /** Memory the vector tile cache may hold, in bytes (0: no cache). */
  tileCacheBytes: number;
  /** How long a signed-in session is answered from memory before the database is asked again, ms (0: always asked). */
  sessionCacheMs: number;
  /**
   * HTTP Digest sign-in on /openrosa for phones on plain HTTP (SAFEGROUND_OPENROSA_DIGEST): keeps
   * each user's password-equivalent HA1 (docs/security.md). Off: HTTP Basic and OpenRosa keys only.
   */
  openrosaDigest: boolean;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The smallest public hexagon: open-hazard coordinates are never published finer than this. */
export const MIN_PUBLIC_HEXAGON_M = 1000;

export type Environment = Readonly<Record<string, string | undefined>>;

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/**
 * Reads the variables of one environment, collecting a problem for every bad value. An empty
 * variable counts as unset (so `DATABASE_URL=` means the embedded database).
 */
class Reader {
  readonly faults: Problem[] = [];
  constructor(private readonly env: Environment) {}

  raw(variable: string): string | undefined {
    const v = this.env[variable];
    return v === undefined || v.trim() === '' ? undefined : v;
  }

  text(variable: string, fallback: string): string {
    return this.raw(variable) ?? fallback;
  }

  integer(variable: string, fallback: number, min: number, max: number): number {
    const v = this.raw(variable);
    if (v === undefined) return fallback;
    const n = Number(v.trim());
    if (!INTEGER.test(v.trim()) || n < min || n > max) {
      this.faults.push(
        new Problem('settings.integer', { variable, value: v, min: String(min), max: String(max) }),
      );
      return fallback;
    }
    return n;
  }

  number(variable: string, fallback: number, min: number, max: number): number {
    const v = this.raw(variable);
    if (v === undefined) return fallback;
    const n = Number(v.trim());
    if (!DECIMAL.test(v.trim()) || !Number.isFinite(n) || n < min || n > max) {
      this.faults.push(
        new Problem('settings.number', { variable, value: v, min: String(min), max: String(max) }),
      );
      return fallback;
    }
    return n;
  }

  boolean(variable: string, fallback: boolean): boolean {
    const v = this.raw(variable);
    if (v === undefined) return fallback;
    if (v.trim() === '1') return true;
    if (v.trim() === '0') return false;
    this.faults.push(new Problem('settings.boolean', { variable, value: v }));
    return fallback;
  }

  /** A period such as `30m`, `6h` or `1d`, in milliseconds. */
  period(variable: string, fallbackMs: number): number {
    const v = this.raw(variable);
    if (v === undefined) return fallbackMs;
    const m = /^(\d+)\s*(m|h|d)$/.exec(v.trim());
    if (!m || Number(m[1]) === 0) {
      this.faults.push(new Problem('settings.period', { variable, value: v }));
      return fallbackMs;
    }
    return Number(m[1]) * { m: 60_000, h: 3600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
  }

  oneOf<T extends string>(variable: string, allowed: readonly T[], fallback: T): T {
    const v = this.raw(variable);
    if (v === undefined) return fallback;
    if ((allowed as readonly string[]).includes(v.trim())) return v.trim() as T;
    this.faults.push(new Problem('settings.enum', { variable, value: v, allowed: allowed.join(', ') }));
    return fallback;
  }

  /** A comma-separated list of URLs, each checked as `url` checks one. */
  urls(variable: string, schemes: readonly string[]): string[] {
    const v = this.raw(variable);
    if (v === undefined) return [];
    const parts = v.split(',').map((p) => p.trim());
    if (parts.some((p) => p === '')) {
      this.faults.push(
        new Problem('settings.url_list', { variable, value: redactUrl(v), schemes: schemes.join(', ') }),
      );
      return [];
    }
    return parts.flatMap((part) => this.checkUrl(variable, part, schemes) ?? []);
  }

  url(variable: string, schemes: readonly string[]): string | undefined {
    const v = this.raw(variable);
    if (v === undefined) return undefined;
    return this.checkUrl(variable, v, schemes);
  }

  private checkUrl(variable: string, v: string, schemes: readonly string[]): string | undefined {
    let protocol: string | undefined;
    try {
      protocol = new URL(v.trim()).protocol.replace(/:$/, '');
    } catch {
      protocol = undefined;
    }
    if (protocol === undefined || !schemes.includes(protocol)) {
      // The value is not echoed whole: a database URL carries its password.
      this.faults.push(
        new Problem('settings.url', { variable, value: redactUrl(v), schemes: schemes.join(', ') }),
      );
      return undefined;
    }
    return v.trim();
  }
}

/** A URL with the password of its user part hidden. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/g, '//$1:***@');
}

/**
 * Parses and checks the settings of `env`; throws `settings.invalid` whose `others` name every
 * bad variable, its value and what is expected.
 *
 * @example parseSettings({ PORT: '8081' }).port // 8081
 */
export function parseSettings(env: Environment): Settings {
  const read = new Reader(env);
  const dataDir = resolve(read.text('SAFEGROUND_DATA_DIR', './data'));
  const settings: Settings = {
    databaseUrl: read.url('DATABASE_URL', ['postgres', 'postgresql']),
    databaseReadUrls: read.urls('DATABASE_READ_URL', ['postgres', 'postgresql']),
    readMaxLagMs: Math.round(read.number('SAFEGROUND_READ_MAX_LAG_S', 10, 0.1, 86_400) * 1000),
    dbPool: read.integer('SAFEGROUND_DB_POOL', 10, 1, 1000),
    dataDir,
    host: read.text('HOST', '0.0.0.0').trim(),
    port: read.integer('PORT', 8080, 0, 65535),
    demo: read.boolean('SAFEGROUND_DEMO', true),
    basemapUrl: read.url('SAFEGROUND_BASEMAP_URL', ['http', 'https']),
    basemapType: read.oneOf('SAFEGROUND_BASEMAP_TYPE', ['raster', 'vector'], 'raster'),
    basemapAttribution: read.raw('SAFEGROUND_BASEMAP_ATTRIBUTION'),
    basemapPmtiles: read.raw('SAFEGROUND_BASEMAP_PMTILES')
      ? resolve(read.text('SAFEGROUND_BASEMAP_PMTILES', ''))
      : undefined,
    attachmentsDir: resolve(read.text('SAFEGROUND_ATTACHMENTS_DIR', resolve(dataDir, '..', 'attachments'))),
    evidence: {
      distanceM: read.number('SAFEGROUND_EVIDENCE_DISTANCE_M', 500, 0, 1_000_000),
      days: read.integer('SAFEGROUND_EVIDENCE_DAYS', 7, 0, 36_500),
    },
    secret: read.raw('SAFEGROUND_SECRET'),
    keyFile: resolve(read.text('SAFEGROUND_KEY_FILE', resolve(dataDir, '..', 'safeground.key'))),
    duplicates: {
      hazardOverlapShare: read.number('SAFEGROUND_DUPLICATE_OVERLAP', 0.5, 0, 1),
      findingDistanceM: read.number('SAFEGROUND_DUPLICATE_FINDING_M', 5, 0, 100_000),
      findingDays: read.integer('SAFEGROUND_DUPLICATE_FINDING_DAYS', 30, 0, 36_500),
      findingOutsideHazardM: read.number('SAFEGROUND_FINDING_OUTSIDE_HAZARD_M', 50, 0, 100_000),
    },
    publicHexagonM: read.number('SAFEGROUND_PUBLIC_HEXAGON_M', 5000, MIN_PUBLIC_HEXAGON_M, 1_000_000),
    publicRateLimit: read.integer('SAFEGROUND_PUBLIC_RATE_LIMIT', 60, 0, 1_000_000),
    trustProxy: read.boolean('SAFEGROUND_TRUST_PROXY', false),
    maxUploadBytes: Math.round(read.number('SAFEGROUND_MAX_UPLOAD_MB', 200, 1, 1_048_576) * 1024 * 1024),
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    locale: read.raw('SAFEGROUND_LOCALE')
      ? read.oneOf('SAFEGROUND_LOCALE', LOCALES, 'en')
      : pickLocale(read.raw('LANG')),
    failpoint: read.raw('SAFEGROUND_FAILPOINT'),
    backup: {
      dir: read.raw('SAFEGROUND_BACKUP_DIR') ? resolve(read.text('SAFEGROUND_BACKUP_DIR', '')) : undefined,
      everyMs: read.period('SAFEGROUND_BACKUP_EVERY', 24 * 3600_000),
      keep: read.integer('SAFEGROUND_BACKUP_KEEP', 7, 1, 10_000),
    },
    tileCacheBytes: Math.round(read.number('SAFEGROUND_TILE_CACHE_MB', 64, 0, 1_048_576) * 1024 * 1024),
    sessionCacheMs: Math.round(read.number('SAFEGROUND_SESSION_CACHE_SECONDS', 5, 0, 300) * 1000),
    openrosaDigest: read.boolean('SAFEGROUND_OPENROSA_DIGEST', false),
  };
  // Replicas follow a PostgreSQL primary; the embedded database has none.
  if (settings.databaseReadUrls.length > 0 && !read.raw('DATABASE_URL')) {
    read.faults.push(new Problem('settings.read_url_without_primary', { variable: 'DATABASE_READ_URL' }));
  }
  if (read.faults.length > 0) {
    throw new Problem('settings.invalid', { count: read.faults.length }, undefined, read.faults);
  }
  return settings;
}

/** The settings of this process's environment (see parseSettings). */
export function settingsFromEnv(env: Environment = process.env): Settings {
  return parseSettings(env);
}

/**
 * The language for messages, even when other settings are bad (so that `settings.invalid` itself
 * and the CLI's help are in the user's language): SAFEGROUND_LOCALE, else LANG, else en.
 */
export function messageLocale(env: Environment = process.env): Locale {
  const asked = env.SAFEGROUND_LOCALE?.trim();
  if (asked && (LOCALES as readonly string[]).includes(asked)) return asked as Locale;
  return pickLocale(env.LANG);
}

/**
 * A secret handed over in a variable the user names on the command line (`safeground keys rotate
 * --new-secret-env VAR`): the one read of the environment outside the Settings.
 */
export function secretFromVariable(variable: string, env: Environment = process.env): string | undefined {
  const v = env[variable];
  return v === undefined || v === '' ? undefined : v;
}

/**
 * The environment a child process (pg_dump, pg_restore) runs with: this process's own, so it
 * finds its tools on PATH, plus `extra`. Like the settings, read here and nowhere else.
 */
export function childEnvironment(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { ...process.env, ...extra };
}
