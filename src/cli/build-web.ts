import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds the web application (web/ → web/dist) when the build is missing or older than its
 * sources, so `npm start` serves a current app without a separate build command.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WEB_ROOT = join(repoRoot, 'web');
export const WEB_DIST = join(WEB_ROOT, 'dist');

/** Newest modification time (ms) under a path; directories are walked, dist and node_modules skipped. */
export function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const m = newestMtimeMs(join(path, entry.name));
    if (m > newest) newest = m;
  }
  return newest;
}

/** Sources the build depends on; the domain schemas and the geo code (MGRS, CRS) are compiled into the app too. */
export function sourcePaths(): string[] {
  return [
    join(WEB_ROOT, 'src'),
    join(WEB_ROOT, 'index.html'),
    join(WEB_ROOT, 'vite.config.ts'),
    join(WEB_ROOT, 'public'),
    join(repoRoot, 'src', 'domain'),
    join(repoRoot, 'src', 'i18n', 'messages'),
    join(repoRoot, 'src', 'geo'),
  ];
}

/** True when web/dist/index.html is missing or older than any source of the build. */
export function webBuildIsStale(distDir = WEB_DIST): boolean {
  const index = join(distDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return sourcePaths().some((p) => newestMtimeMs(p) > built);
}

export async function ensureWebBuilt(
  opts: { force?: boolean; log?: (msg: string) => void } = {},
): Promise<string> {
  if (!opts.force && !webBuildIsStale()) return WEB_DIST;
  opts.log?.('web: building the web application (web/ → web/dist)…');
  const started = Date.now();
  // Imported here so serving an existing build does not load the bundler.
  const { build } = await import('vite');
  await build({ configFile: join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  opts.log?.(`web: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return WEB_DIST;
}
