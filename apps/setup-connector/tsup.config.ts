import { defineConfig } from 'tsup';

// One self-contained file: images get the bundle and a Node runtime, never node_modules.
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['cjs'],
  platform: 'node',
  target: 'node18',
  outDir: 'dist',
  clean: true,
  noExternal: [/.*/],
  external: ['pg-native'],
  banner: { js: '#!/usr/bin/env node' },
});
