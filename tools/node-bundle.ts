import { defineConfig } from 'tsup';

/**
 * One self-contained CommonJS file per entry, for the Node 18 runtime in the images:
 * images get the bundle and a Node runtime, never node_modules.
 */
export function nodeBundle(entry: Record<string, string>, options: { banner?: string } = {}) {
  return defineConfig({
    entry,
    format: ['cjs'],
    platform: 'node',
    target: 'node18',
    outDir: 'dist',
    clean: true,
    noExternal: [/.*/],
    external: ['pg-native'],
    // Keep 'node:' specifiers: node:test has no unprefixed name.
    removeNodeProtocol: false,
    ...(options.banner ? { banner: { js: options.banner } } : {}),
  });
}
