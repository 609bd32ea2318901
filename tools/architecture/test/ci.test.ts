/** The CI users run (.github/workflows/ci.yml), and the Nx graph it relies on to pick what to test (actionlint: lint/). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from './sources.ts';

const WORKFLOW = join(ROOT, '.github/workflows/ci.yml');
describe("the users' CI workflow", () => {
  it('installs, sets the base, tests what changed, and accepts on main', () => {
    const doc = parse(readFileSync(WORKFLOW, 'utf8')) as {
      jobs: Record<string, { steps: { uses?: string; run?: string; if?: string }[] }>;
    };
    const steps = Object.values(doc.jobs).flatMap((j) => j.steps);
    const index = (match: (s: { uses?: string; run?: string }) => boolean) => steps.findIndex(match);
    const install = index((s) => s.run === 'npm ci');
    const shas = index((s) => Boolean(s.uses?.startsWith('nrwl/nx-set-shas@')));
    const affected = index((s) => s.run === 'npx nx affected -t build typecheck lint test integration');
    const acceptance = index((s) => s.run === 'make acceptance');
    expect([install, shas, affected, acceptance].every((i) => i >= 0)).toBe(true);
    expect(install < shas && shas < affected && affected < acceptance).toBe(true);
    expect(steps[acceptance]?.if).toBe("github.ref == 'refs/heads/main'");
  });
});

/**
 * Projects `nx affected` would run for a change to this file. Asynchronous: a synchronous Nx run of half a
 * minute (beside prod and dev) starves the test worker's connection to vitest, which then fails the run.
 */
async function affectedBy(file: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    'npx',
    ['nx', 'show', 'projects', '--affected', `--files=${file}`, '--json'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    },
  );
  return (JSON.parse(stdout) as string[]).sort();
}

describe('nx affected', () => {
  it('a change in libs/read-model reaches the web, the processor and the environments', async () => {
    const affected = await affectedBy('libs/read-model/src/index.ts');
    expect(affected).toEqual(
      expect.arrayContaining(['@chorus/read-model', 'chorus-web', 'chorus-stream-processor', 'env']),
    );
    expect(affected).not.toContain('setup-connector');
  }, 120_000);

  it('a change to an image definition reaches the environments', async () => {
    for (const file of [
      'infrastructure/postgres/Dockerfile',
      'infrastructure/docker/engine.sh',
      'infrastructure/debezium/Dockerfile',
    ]) {
      expect(await affectedBy(file)).toContain('env');
    }
  }, 180_000);

  it('a change to the README affects only the repository checks (its docs test)', async () => {
    expect(await affectedBy('README.md')).toEqual(['architecture']);
  }, 120_000);
});
