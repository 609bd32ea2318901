import { defineConfig } from 'vitest/config';

// The suite's own logic, on the host, without Docker.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
