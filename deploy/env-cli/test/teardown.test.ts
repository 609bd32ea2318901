/** withTeardown: what a command made is removed once, whether its body returns, throws, or is interrupted. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTeardown } from '../src/run-project.ts';

describe('withTeardown', () => {
  it('tears down once when the body returns, and gives back its value', async () => {
    const calls: string[] = [];
    const value = await withTeardown(
      async () => void calls.push('teardown'),
      async () => {
        calls.push('body');
        return 42;
      },
    );
    expect(value).toBe(42);
    expect(calls).toEqual(['body', 'teardown']);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('tears down once when the body throws, and passes the error on', async () => {
    const calls: string[] = [];
    const failing = withTeardown(
      async () => void calls.push('teardown'),
      async () => {
        throw new Error('the drill failed');
      },
    );
    await expect(failing).rejects.toThrow('the drill failed');
    expect(calls).toEqual(['teardown']);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('on %s, tears down, then exits 130', async (signal) => {
    const dir = mkdtempSync(join(tmpdir(), 'chorus-teardown-'));
    const marker = join(dir, 'torn-down');
    const script = join(dir, 'interrupted.mts');
    writeFileSync(
      script,
      `import { appendFileSync } from 'node:fs';
import { withTeardown } from ${JSON.stringify(join(import.meta.dirname, '../src/run-project.ts'))};
await withTeardown(
  async () => appendFileSync(${JSON.stringify(marker)}, 'torn down\\n'),
  () => { console.log('running'); return new Promise(() => setInterval(() => {}, 1000)); },
);`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Interrupted once its body runs; a child that ended before that fails the test with what it said.
    const running = await Promise.race([
      new Promise<boolean>((resolve) => child.stdout.once('data', () => resolve(true))),
      exited.then(() => false),
    ]);
    expect(running, stderr).toBe(true);
    child.kill(signal);
    const code = await exited;
    expect(code).toBe(130);
    expect(readFileSync(marker, 'utf8')).toBe('torn down\n');
  });
});
