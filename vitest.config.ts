import { defineConfig } from 'vitest/config';

/**
 * Two tiers. `unit` (test/unit) needs nothing but Node: no Redis, no dist/, no system tool, so
 * `npm run test:unit` runs anywhere. `integration` (test/integration, test/e2e, test/resilience)
 * gets a Redis (global-setup.ts), an up-to-date dist/ for the tests that spawn the CLI (build.ts)
 * and the leak guard. A project's global set-up runs only when one of its files runs.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/resilience/**/*.test.ts'],
          globalSetup: ['test/support/build.ts', 'test/support/global-setup.ts'],
          setupFiles: ['test/support/leak-guard-setup.ts'],
          // after* hooks in reverse order of registration: the guard's afterAll, registered before
          // the file's own, runs after them.
          sequence: { hooks: 'stack' },
        },
      },
    ],
  },
});
