import { defineConfig } from 'vitest/config';

// The acceptance suite drives real environments through make: one step after another, minutes each.
export default defineConfig({
  test: {
    include: ['test/**/*.acceptance.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    sequence: { concurrent: false },
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/acceptance.json' },
  },
});
