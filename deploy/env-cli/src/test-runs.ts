/**
 * Test runs: each `make test` brings up its own Compose project from the one test file, named
 * `chorus-test-<pid>-<suffix>` after the env CLI process that owns it. A run whose owner is gone (a
 * `kill -9`, a closed terminal) is stale: `make status` shows it and `make clean-test` removes it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ENVIRONMENTS } from './environments.ts';

const PREFIX = `${ENVIRONMENTS.test.project}-`;
const RUN_NAME = new RegExp(`^${PREFIX}(\\d+)-[0-9a-f]{6}$`);

/** A new run's project name, owned by this process. */
export function newRunProject(pid = process.pid): string {
  return `${PREFIX}${pid}-${randomBytes(3).toString('hex')}`;
}

export const isRunProject = (project: string) => RUN_NAME.test(project);

/** The owner's process id, from the project name. */
export function runOwner(project: string): number | undefined {
  const match = RUN_NAME.exec(project);
  return match ? Number(match[1]) : undefined;
}

/**
 * Whether the process is alive and is an env CLI. Where the OS does not show a command line (no
 * /proc), a live process id is taken as the owner: a run is never mistaken for stale.
 */
export function ownerAlive(pid: number, { procRoot = '/proc' } = {}): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let cmdline: string;
  try {
    cmdline = readFileSync(`${procRoot}/${pid}/cmdline`, 'utf8');
  } catch {
    return true;
  }
  return cmdline.includes('env.cjs') || cmdline.includes('cli.ts');
}

export type RunState = 'live' | 'stale';

export const runState = (project: string, alive = ownerAlive): RunState => {
  const pid = runOwner(project);
  return pid !== undefined && alive(pid) ? 'live' : 'stale';
};
