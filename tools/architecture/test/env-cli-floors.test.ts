/**
 * The env CLI stands in floors: commands (src/commands/) on shared modules, never on each other; one
 * module starts processes (processes.ts), one speaks (output.ts), and the repository is found once
 * (context.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import { ROOT, fromRoot, tsFiles } from './sources.ts';

const SRC = join(ROOT, 'deploy/env-cli/src');

/** Each command file that imports another command file, as "a.ts -> b.ts". */
async function commandsImportingCommands(src: string): Promise<string[]> {
  const graph = (await madge(join(src, 'commands'), { fileExtensions: ['ts'], baseDir: src })).obj();
  return Object.entries(graph).flatMap(([file, deps]) =>
    deps.filter((d) => d.startsWith('commands/')).map((d) => `${file} -> ${d}`),
  );
}

const files = () => tsFiles(SRC).map((f) => ({ path: relative(SRC, f), text: readFileSync(f, 'utf8') }));

describe('the env CLI in floors', () => {
  it('no command imports another command', async () => {
    const commands = tsFiles(join(SRC, 'commands'));
    expect(commands.map(fromRoot)).toContain('deploy/env-cli/src/commands/chaos.ts');
    expect(await commandsImportingCommands(SRC)).toEqual([]);
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
    ).toEqual(['processes.ts']);
  });

  it('only output.ts writes to the terminal', () => {
    expect(
      files()
        .filter((f) => /process\.(stdout|stderr)\b/.test(f.text))
        .map((f) => f.path),
    ).toEqual(['output.ts']);
  });

  it('the repository is found once, by the context; no command takes it as a string', () => {
    expect(
      files()
        .filter((f) => /\brepoRoot\(/.test(f.text))
        .map((f) => f.path)
        .sort(),
    ).toEqual(['context.ts', 'environments.ts']);
    expect(
      files()
        .filter((f) => f.path.startsWith('commands/') && /\broot: string\b/.test(f.text))
        .map((f) => f.path),
    ).toEqual([]);
  });
});
