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
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
