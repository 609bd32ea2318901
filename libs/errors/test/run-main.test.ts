/** runMain in a child process, as a command runs it: exit codes, and what reaches the operator. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const errors = fileURLToPath(new URL('../src/index.ts', import.meta.url));

function run(body: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `import { runMain, OperatorError, ConfigError } from ${JSON.stringify(errors)};\n${body}`;
  return new Promise((resolve) => {
    execFile('node', ['--import', 'tsx', '--input-type=module', '-e', script], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('runMain', () => {
  it('exits with the code main returns', async () => {
    expect((await run(`runMain('cmd', async () => 3);`)).code).toBe(3);
  });

  it('prints an operator error without a stack and exits with its code', async () => {
    const r = await run(`runMain('cmd', async () => { throw new ConfigError(['PORT: must be a number']); });`);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cmd: invalid configuration:\n  - PORT: must be a number\n');
  });

  it('sends operator errors to the reporter main chose', async () => {
    const r = await run(
      `runMain('cmd', async (ctx) => { ctx.reportTo((m) => console.log('LOG ' + m)); throw new OperatorError('disk full; free space'); });`,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('LOG disk full; free space\n');
  });

  it('prints the stack of a bug and exits 1', async () => {
    const r = await run(`runMain('cmd', async () => { throw new TypeError('boom'); });`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cmd: unexpected error: TypeError: boom\n\s+at /);
  });

  it('leaves a server running when main returns nothing', async () => {
    const r = await run(`runMain('cmd', async () => { setTimeout(() => { console.log('still here'); }, 50); });`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('still here\n');
  });
});
