import { fileURLToPath } from 'node:url';
import { ConfigError } from '@chorus/errors';
import { type Versions, loadVersionsFile } from './file.ts';

/** The pinned versions, validated; every problem is reported at once, by key. */
export function readVersions(root: string): Versions {
  const loaded = loadVersionsFile(root);
  if (!loaded.versions) throw new ConfigError(loaded.problems);
  return loaded.versions;
}

/**
 * The versions of the repository this source file sits in: for tests and fakes, which run from source.
 * (Bundled programs get the root from their caller and use readVersions.)
 */
export const repoVersions = (): Versions => readVersions(fileURLToPath(new URL('../../../', import.meta.url)));
