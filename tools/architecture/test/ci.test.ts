/** The CI users run (.github/workflows/ci.yml), and the Nx graph it relies on to pick what to test (actionlint: lint/). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from './sources.ts';

const WORKFLOW = join(ROOT, '.github/workflows/ci.yml');
describe('the users\' CI workflow', () => {
  it('installs, sets the base, tests what changed, and accepts on main', () => {
    const doc = parse(readFileSync(WORKFLOW, 'utf8')) as { jobs: Record<string, { steps: { uses?: string; run?: string; if?: string }[] }> };
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

/** Projects `nx affected` would run for a change to these files. */
function affectedBy(file: string): string[] {
  const out = execFileSync('npx', ['nx', 'show', 'projects', '--affected', `--files=${file}`, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  return (JSON.parse(out) as string[]).sort();
}

describe('nx affected', () => {
  it('a change in libs/read-model reaches the web, the processor and the environments', () => {
    expect(affectedBy('libs/read-model/src/index.ts')).toEqual(expect.arrayContaining(['@chorus/read-model', 'chorus-web', 'chorus-stream-processor', 'env']));
    expect(affectedBy('libs/read-model/src/index.ts')).not.toContain('setup-connector');
  }, 60_000);

  it('a change to an image definition reaches the environments', () => {
    for (const file of ['infrastructure/postgres/Dockerfile', 'infrastructure/docker/engine.sh', 'infrastructure/debezium/Dockerfile']) {
      expect(affectedBy(file)).toContain('env');
    }
  }, 60_000);

  it('a change to the README affects nothing', () => {
    expect(affectedBy('README.md')).toEqual([]);
  }, 60_000);
});
