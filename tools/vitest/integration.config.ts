/** Every project's `integration` target: its tests on real services (unit.config.ts says which). */
import { defineConfig } from 'vitest/config';
import { INTEGRATION } from './unit.config.ts';

export default defineConfig({
  test: {
    include: INTEGRATION,
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/integration.json' },
  },
});
