import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.SAFEGROUND_API ?? 'http://localhost:8080';

// The web application is built into web/dist and served by the Safeground server at `/`.
// In development (`npx vite web`) the API and tiles are proxied to a running server.
export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
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
