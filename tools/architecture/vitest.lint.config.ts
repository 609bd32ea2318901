import { defineConfig } from 'vitest/config';

// `nx run architecture:lint-ci`: the checks that need tools make test does not (actionlint, built with Go).
export default defineConfig({ test: { include: ['lint/**/*.check.ts'] } });
