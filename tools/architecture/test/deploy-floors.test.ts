/**
 * deploy/ stands in floors. The env CLI (operating) has commands (src/commands/) on shared modules, never
 * on each other. The verification suites (deploy/verify, src/suites/) stand on the env CLI's floor: one
 * module starts processes (env-cli's processes.ts), one speaks (its output.ts), one error type
 * (@chorus/errors' OperatorError), one wait (@chorus/wait), and the repository is found once (context.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import { ROOT, fromRoot, tsFiles } from './sources.ts';

const SRC = join(ROOT, 'deploy/env-cli/src');
const VERIFY = join(ROOT, 'deploy/verify/src');

/** Each command file that imports another command file, as "a.ts -> b.ts". */
async function commandsImportingCommands(src: string, folder = 'commands'): Promise<string[]> {
  const graph = (await madge(join(src, folder), { fileExtensions: ['ts'], baseDir: src })).obj();
  return Object.entries(graph).flatMap(([file, deps]) =>
    deps.filter((d) => d.startsWith(`${folder}/`)).map((d) => `${file} -> ${d}`),
  );
}

/** The env CLI's and the suites' sources, by path from deploy/. */
const files = () =>
  [SRC, VERIFY].flatMap((dir) =>
    tsFiles(dir).map((f) => ({ path: relative(join(ROOT, 'deploy'), f), text: readFileSync(f, 'utf8') })),
  );

describe('deploy/ in floors', () => {
  it('no command imports another command', async () => {
    const commands = tsFiles(join(SRC, 'commands'));
    expect(commands.map(fromRoot)).toContain('deploy/env-cli/src/commands/status.ts');
    expect(await commandsImportingCommands(SRC)).toEqual([]);
  });

  it('the env CLI holds the commands an operator runs, and no suite', () => {
    const commands = tsFiles(join(SRC, 'commands')).map((f) => relative(join(SRC, 'commands'), f));
    const suites = tsFiles(join(VERIFY, 'suites')).map((f) => relative(join(VERIFY, 'suites'), f));
    expect(suites).toEqual(expect.arrayContaining(['chaos.ts', 'bench.ts', 'upgrade-check.ts', 'smoke.ts']));
    expect(commands.filter((c) => suites.includes(c))).toEqual([]);
    expect(readFileSync(join(SRC, 'cli.ts'), 'utf8')).not.toMatch(/suites|\.command\('(chaos|bench|k8s-check)'\)/);
  });

  it('no suite imports another suite', async () => {
    expect(await commandsImportingCommands(VERIFY, 'suites')).toEqual([]);
  });

  it('the check finds a command that imports another (it can fail)', async () => {
    const src = mkdtempSync(join(tmpdir(), 'chorus-floors-'));
    mkdirSync(join(src, 'commands'));
    writeFileSync(join(src, 'status.ts'), 'export const line = () => "";\n');
    writeFileSync(
      join(src, 'commands/status.ts'),
      "import { line } from '../status.ts';\nexport const status = line;\n",
    );
    writeFileSync(
      join(src, 'commands/chaos.ts'),
      "import { status } from './status.ts';\nexport const chaos = status;\n",
    );
    expect(await commandsImportingCommands(src)).toEqual(['commands/chaos.ts -> commands/status.ts']);
  });

  it('only processes.ts starts other programs', () => {
    expect(
      files()
        .filter((f) => /from 'node:child_process'|require\('child_process'\)/.test(f.text))
        .map((f) => f.path),
    ).toEqual(['env-cli/src/processes.ts']);
  });

  it('only output.ts writes to the terminal', () => {
    expect(
      files()
        .filter((f) => /process\.(stdout|stderr)\b/.test(f.text))
        .map((f) => f.path),
    ).toEqual(['env-cli/src/output.ts']);
  });

  it('no code in strings: nothing is run with `node -e` (in-container work is a typed program or an app command)', () => {
    expect(
      files()
        .filter((f) => /'node',\s*'-e'/.test(f.text))
        .map((f) => f.path),
    ).toEqual([]);
  });

  it('one error type and one wait: no bare Error thrown, no hand-written wait loop', () => {
    const bare = files().filter((f) => /throw new Error\(/.test(f.text.replace(/`[^`]*`/g, '')));
    expect(bare.map((f) => f.path)).toEqual([]);
    const loops = files().filter((f) => /while \(Date\.now\(\)|for \(let \w+ = 0; \w+ < \d+ && /.test(f.text));
    expect(loops.map((f) => f.path)).toEqual([]);
  });

  it('the repository is found once, by the context; no command takes it as a string', () => {
    expect(
      files()
        .filter((f) => /\brepoRoot\(/.test(f.text))
        .map((f) => f.path)
        .sort(),
    ).toEqual(['env-cli/src/context.ts', 'env-cli/src/environments.ts']);
    expect(
      files()
        .filter((f) => /\/(commands|suites)\//.test(f.path) && /\broot: string\b/.test(f.text))
        .map((f) => f.path),
    ).toEqual([]);
  });
});
