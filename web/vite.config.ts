import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.SAFEGROUND_API ?? 'http://localhost:8080';

// The web application is built into web/dist and served by the Safeground server at `/`.
// In development (`npx vite web`) the API and tiles are proxied to a running server.
export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [
    react(),
    // The field app (/field) is installable and opens offline: a service worker (Workbox, made at
    // build time) precaches the application's files and answers navigations with index.html. The
    // page registers it from /field only (web/src/field/FieldApp.tsx). Map tiles, glyphs and the
    // basemap description always go to the network first; only when it fails are they answered
    // from the area's map cache. API calls never pass through a cache.
    VitePWA({
      injectRegister: false,
      registerType: 'autoUpdate',
      manifest: {
        id: '/field',
        name: 'Safeground Field',
        short_name: 'Safeground',
        description: 'Offline survey and clearance reports for mine action teams',
        start_url: '/field',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        background_color: '#ffffff',
        theme_color: '#0b2545',
        icons: [
          { src: '/field-icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/field-icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/field-icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/field-icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,mjs,css,html,svg,png,woff,woff2,webmanifest}'],
        // MapLibre and the app are one large bundle; the field needs all of it offline.
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api(\/|$)/, /^\/tiles\//, /^\/ogc/, /^\/basemap\//, /^\/fonts\//, /^\/openrosa/],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
        inlineWorkboxRuntime: false,
        runtimeCaching: [
          {
            urlPattern: ({ url, sameOrigin }) =>
              sameOrigin &&
              (url.pathname.startsWith('/tiles/admin-areas/') ||
                url.pathname.startsWith('/tiles/settlements/') ||
                url.pathname.startsWith('/basemap/') ||
                url.pathname.startsWith('/fonts/')),
            handler: 'NetworkOnly',
            options: {
              plugins: [
                {
                  // Offline: the copy the area's download kept in 'safeground-field-map' (MAP_CACHE of
                  // web/src/field/store.ts; written out here because Workbox copies this function as text).
                  handlerDidError: async ({ request }) =>
                    (await caches.open('safeground-field-map')).match(request, { ignoreVary: true, ignoreSearch: false }),
                },
              ],
            },
          },
        ],
      },
    }),
  ],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // MapLibre alone is close to 1 MB; a tablet on a field office network loads it once.
    chunkSizeWarningLimit: 2500,
    sourcemap: false,
  },
  server: {
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
    proxy: {
      '/api': apiTarget,
      '/tiles': apiTarget,
      '/ogc': apiTarget,
      '/basemap': apiTarget,
      '/fonts': apiTarget,
    },
  },
});
