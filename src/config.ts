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
  maxUploadBytes: number;
  logLevel: string;
  /** Language of CLI messages: en, ru or ar. */
  locale: string;
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
    maxUploadBytes: Number(env.SAFEGROUND_MAX_UPLOAD_MB ?? 200) * 1024 * 1024,
    logLevel: env.LOG_LEVEL ?? 'info',
    locale: env.SAFEGROUND_LOCALE ?? 'en',
  };
}
