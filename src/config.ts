import { resolve } from 'node:path';

/** Settings, all from the environment (documented in the README). */
export interface Settings {
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  demo: boolean;
  basemapUrl: string | undefined;
  basemapType: 'raster' | 'vector';
  basemapAttribution: string | undefined;
  attachmentsDir: string;
  /** Key file of the personal-data keyring (used when SAFEGROUND_SECRET is unset). */
  keyFile: string;
  /** Thresholds of the duplicate warnings at approval. */
  duplicates: { hazardOverlapShare: number; findingDistanceM: number; findingDays: number };
  /** Smallest hexagon of the public hazard map, metres across flats. */
  publicHexagonM: number;
  trustProxy: boolean;
  maxUploadBytes: number;
  logLevel: string;
  /** Language of CLI messages: en, ru or ar. */
  locale: string;
  /** Scheduled backups: folder (unset: off), period and how many to keep. */
  backup: { dir: string | undefined; everyMs: number; keep: number };
}

/** A period such as `30m`, `6h` or `1d`, in milliseconds; 24 hours when unset or unreadable. */
export function parsePeriodMs(text: string | undefined): number {
  const m = /^(\d+)\s*(m|h|d)$/.exec(text?.trim() ?? '');
  if (!m || Number(m[1]) === 0) return 24 * 3600_000;
  return Number(m[1]) * { m: 60_000, h: 3600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  const dataDir = resolve(env.SAFEGROUND_DATA_DIR ?? './data');
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    host: env.HOST ?? '0.0.0.0',
    port: Number(env.PORT ?? 8080),
    demo: env.SAFEGROUND_DEMO !== '0',
    basemapUrl: env.SAFEGROUND_BASEMAP_URL || undefined,
    basemapType: env.SAFEGROUND_BASEMAP_TYPE === 'vector' ? 'vector' : 'raster',
    basemapAttribution: env.SAFEGROUND_BASEMAP_ATTRIBUTION || undefined,
    attachmentsDir: resolve(env.SAFEGROUND_ATTACHMENTS_DIR ?? resolve(dataDir, '..', 'attachments')),
    keyFile: resolve(env.SAFEGROUND_KEY_FILE ?? resolve(dataDir, '..', 'safeground.key')),
    duplicates: {
      hazardOverlapShare: Number(env.SAFEGROUND_DUPLICATE_OVERLAP ?? 0.5),
      findingDistanceM: Number(env.SAFEGROUND_DUPLICATE_FINDING_M ?? 5),
      findingDays: Number(env.SAFEGROUND_DUPLICATE_FINDING_DAYS ?? 30),
    },
    publicHexagonM: Math.max(1000, Number(env.SAFEGROUND_PUBLIC_HEXAGON_M ?? 5000)),
    trustProxy: env.SAFEGROUND_TRUST_PROXY === '1',
    maxUploadBytes: Number(env.SAFEGROUND_MAX_UPLOAD_MB ?? 200) * 1024 * 1024,
    logLevel: env.LOG_LEVEL ?? 'info',
    locale: env.SAFEGROUND_LOCALE ?? 'en',
    backup: {
      dir: env.SAFEGROUND_BACKUP_DIR ? resolve(env.SAFEGROUND_BACKUP_DIR) : undefined,
      everyMs: parsePeriodMs(env.SAFEGROUND_BACKUP_EVERY),
      keep: Math.max(1, Number(env.SAFEGROUND_BACKUP_KEEP ?? 7) || 7),
    },
  };
}
