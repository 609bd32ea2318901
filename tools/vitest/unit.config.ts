/**
 * Every project's `test` target: its unit tests, which start no real service (no Postgres, Redis,
 * browser or built CLI), so that one file reruns in watch mode in a moment. Tests on real services are
 * named *.integration.test.ts (or *.e2e.test.ts, a browser) and run in the `integration` target.
 */
import { configDefaults, defineConfig } from 'vitest/config';

export const INTEGRATION = ['test/**/*.integration.test.ts', 'test/**/*.e2e.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...INTEGRATION],
    // No service to wait for, but two cores shared with prod, dev and other targets (the acceptance runs
    // make test beside them): a check that reads the whole tree can take several seconds there.
    testTimeout: 30_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
