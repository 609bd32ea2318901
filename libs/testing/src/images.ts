import { spawnSync } from 'node:child_process';
import { repoVersions } from '@chorus/versions';

type Key = 'REDIS_IMAGE' | 'NODE_IMAGE' | 'PROMETHEUS_IMAGE' | 'ALERTMANAGER_IMAGE';
const LOCAL = {
  REDIS_IMAGE: 'REDIS_LOCAL',
  NODE_IMAGE: 'NODE_LOCAL',
  PROMETHEUS_IMAGE: 'PROMETHEUS_LOCAL',
  ALERTMANAGER_IMAGE: 'ALERTMANAGER_LOCAL',
} as const;

/**
 * The third-party image a host test runs: the one `make` resolved (exported as REDIS_IMAGE, …), else the
 * pinned upstream reference or its offline look-alike, whichever is on this machine.
 */
export function testImage(key: Key): string {
  const chosen = process.env[key];
  if (chosen) return chosen;
  const versions = repoVersions();
  const candidates = [versions[key], versions[LOCAL[key]]];
  const present = candidates.find(
    (ref) => spawnSync('docker', ['image', 'inspect', ref], { stdio: 'ignore' }).status === 0,
  );
  if (!present)
    throw new Error(
      `none of ${candidates.join(', ')} is on this machine: run \`make test-images\` (it pulls the image, or builds its look-alike offline)`,
    );
  return present;
}

/** The browser the host tests drive: Debian's chromium on the Node image, built by `make test-images`. */
export const BROWSER_IMAGE = 'chorus/browser:local';
