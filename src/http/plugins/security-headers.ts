import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import type { Settings } from '../../config.ts';

/** Paths answered by the server itself (API, tiles, OGC API): data, never a page that runs code. */
const DATA_PREFIXES = ['/api/', '/tiles/', '/ogc', '/basemap/', '/fonts/'];

/** One year, as browsers' preload lists expect. */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * The origin a basemap URL or tile template is fetched from, as a CSP source: the scheme and host,
 * with a templated subdomain (`https://{s}.tile.example.org/…`) widened to `*.`; undefined when it
 * is not an http(s) URL.
 */
export function basemapSource(url: string | undefined): string | undefined {
  const m = url ? /^(https?):\/\/([^/?#]+)/i.exec(url.trim()) : null;
  if (!m) return undefined;
  const host = m[2]!.replace(/^\{[^}]*\}\./, '*.');
  if (/[{}\s'";,]/.test(host)) return undefined;
  return `${m[1]!.toLowerCase()}://${host.toLowerCase()}`;
}

/**
 * The web application's Content-Security-Policy: scripts, styles and fonts only from Safeground's
 * own origin (the built app has no inline script); MapLibre's worker is a file of the app and it
 * makes blob: URLs for images; the configured basemap's origin is the one outside source allowed.
 */
export function webAppDirectives(settings: Pick<Settings, 'basemapUrl'>): Record<string, string[]> {
  const basemap = basemapSource(settings.basemapUrl);
  const outside = basemap ? [basemap] : [];
  return {
    'default-src': ["'self'"],
    'base-uri': ["'self'"],
    // WebAssembly only (not eval): the right-to-left text plugin that shapes Arabic labels is compiled ICU.
    'script-src': ["'self'", "'wasm-unsafe-eval'"],
    'style-src': ["'self'"],
    'font-src': ["'self'", 'data:'],
    'img-src': ["'self'", 'data:', 'blob:', ...outside],
    'connect-src': ["'self'", ...outside],
    'worker-src': ["'self'", 'blob:'],
    'child-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
}

/** API answers, tiles and attachment downloads: nothing in them may load or run anything. */
const DATA_DIRECTIVES = {
  'default-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  sandbox: [],
};

/**
 * Security headers on every answer (Helmet): the Content-Security-Policy, `X-Content-Type-Options:
 * nosniff`, `Referrer-Policy: same-origin`, framing refused, and `Strict-Transport-Security` only
 * when the request came over TLS (directly, or per X-Forwarded-Proto with `trustProxy`), so a
 * laptop served over plain HTTP is never pinned to an HTTPS it does not have.
 */
export async function securityHeadersPlugin(app: FastifyInstance, opts: { settings: Settings }) {
  // Routes under the data prefixes get the data policy; everything else (the web application,
  // its files, unknown paths) the application's policy.
  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    if (!DATA_PREFIXES.some((p) => url.startsWith(p))) return;
    route.config = Object.assign(route.config ?? {}, {
      helmet: { contentSecurityPolicy: { useDefaults: false, directives: DATA_DIRECTIVES } },
    });
  });
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: webAppDirectives(opts.settings) },
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.protocol === 'https') reply.header('Strict-Transport-Security', HSTS);
  });
}
