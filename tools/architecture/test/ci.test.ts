/** The CI users run (.github/workflows/ci.yml), and the Nx graph it relies on to pick what to test. */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './sources.ts';

const WORKFLOW = join(ROOT, '.github/workflows/ci.yml');
let actionlint: string;

beforeAll(() => {
  actionlint = execFileSync('bash', [join(ROOT, 'tools/actionlint/install.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}, 240_000);

/** actionlint on a workflow placed in a repository of its own, as it expects. */
function lint(content: string) {
  const repo = mkdtempSync(join(tmpdir(), 'chorus-ci-'));
  mkdirSync(join(repo, '.github/workflows'), { recursive: true });
  writeFileSync(join(repo, '.github/workflows/ci.yml'), content);
  const r = spawnSync(actionlint, ['-no-color', '.github/workflows/ci.yml'], { cwd: repo, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('the users\' CI workflow', () => {
  it('passes actionlint', () => {
    expect(lint(readFileSync(WORKFLOW, 'utf8'))).toEqual({ code: 0, out: '' });
  });

  it('fails actionlint when broken (the lint can fail)', () => {
    const broken = readFileSync(WORKFLOW, 'utf8').replace("if: github.ref == 'refs/heads/main'", 'if: ${{ github.reff == 1 }}');
    const r = lint(broken);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/reff/);
  });

  it('installs, sets the base, tests what changed, and accepts on main', () => {
    const doc = parse(readFileSync(WORKFLOW, 'utf8')) as { jobs: Record<string, { steps: { uses?: string; run?: string; if?: string }[] }> };
    const steps = Object.values(doc.jobs).flatMap((j) => j.steps);
    const index = (match: (s: { uses?: string; run?: string }) => boolean) => steps.findIndex(match);
    const install = index((s) => s.run === 'npm ci');
    const shas = index((s) => Boolean(s.uses?.startsWith('nrwl/nx-set-shas@')));
    const affected = index((s) => s.run === 'npx nx affected -t build typecheck test');
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
