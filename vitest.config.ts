import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// unit: pure code, in parallel. integration: each file on a database of its own, copied from a
// template migrated once per run (test/integration/helpers), so the files run in parallel too:
// one worker per core, at most four (each holds an embedded PostgreSQL with PostGIS in memory).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 60_000,
          // The projects differ in workers, so vitest runs them one after the other: unit first.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/helpers/global-setup.ts'],
          setupFiles: ['test/integration/helpers/setup.ts'],
          pool: 'forks',
          maxWorkers: Math.min(4, availableParallelism()),
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
