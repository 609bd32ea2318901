import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { loadVersionsFile, nodeMajor } from '../libs/versions/src/file.ts';

const loaded = loadVersionsFile(fileURLToPath(new URL('..', import.meta.url)));
if (!loaded.versions) throw new Error(loaded.problems.join('\n'));
const { versions } = loaded;

/**
 * One self-contained CommonJS file per entry, for the Node runtime in the images (the release
 * infrastructure/versions.env pins): images get the bundle and a Node runtime, never node_modules.
 */
export function nodeBundle(entry: Record<string, string>, options: { banner?: string } = {}) {
  return defineConfig({
    entry,
    format: ['cjs'],
    platform: 'node',
    target: `node${nodeMajor(versions)}`,
    outDir: 'dist',
    clean: true,
    noExternal: [/.*/],
    external: ['pg-native'],
    // Keep 'node:' specifiers: node:test has no unprefixed name.
    removeNodeProtocol: false,
    ...(options.banner ? { banner: { js: options.banner } } : {}),
  });
}
