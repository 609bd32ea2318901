/**
 * Every project's `integration` target: its tests on real services (unit.config.ts says which). They
 * start containers and processes, and share two cores with whatever else runs (prod and dev, in the
 * acceptance): waits get minutes' slack rather than vitest's 5 and 10 s.
 */
import { defineConfig } from 'vitest/config';
import { INTEGRATION } from './unit.config.ts';

export default defineConfig({
  test: {
    include: INTEGRATION,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/integration.json' },
  },
});
