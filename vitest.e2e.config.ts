import { defineConfig } from 'vitest/config';

// End-to-end tests: the real server (child process, demo data, temporary data directory) and
// Debian's Chromium driven by playwright-core. One file at a time; the server starts once.
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
