/**
 * actionlint on the users' CI workflow. A check of its own (`nx run architecture:lint-ci`, run by CI): actionlint
 * is built from its Go module, and `make test` needs no Go.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../test/sources.ts';

const WORKFLOW = join(ROOT, '.github/workflows/ci.yml');
let actionlint: string;

beforeAll(() => {
  actionlint = execFileSync('bash', [join(ROOT, 'tools/actionlint/install.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}, 240_000);

/** actionlint on a workflow placed in a repository of its own, as it expects. */
function lint(content: string) {
  const repo = mkdtempSync(join(tmpdir(), 'chorus-ci-'));
  mkdirSync(join(repo, '.github/workflows'), { recursive: true });
  writeFileSync(join(repo, '.github/workflows/ci.yml'), content);
  const r = spawnSync(actionlint, ['-no-color', '.github/workflows/ci.yml'], { cwd: repo, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("the users' CI workflow", () => {
  it('passes actionlint', () => {
    expect(lint(readFileSync(WORKFLOW, 'utf8'))).toEqual({ code: 0, out: '' });
  });

  it('fails actionlint when broken (the lint can fail)', () => {
    const broken = readFileSync(WORKFLOW, 'utf8').replace(
      "if: github.ref == 'refs/heads/main'",
      'if: ${{ github.reff == 1 }}',
    );
    const r = lint(broken);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/reff/);
  });
});
