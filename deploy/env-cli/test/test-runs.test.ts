import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRunProject, newRunProject, ownerAlive, runOwner, runState } from '../src/test-runs.ts';

describe('test run projects', () => {
  it('are named after the owning process, and never collide', () => {
    const a = newRunProject(4242);
    const b = newRunProject(4242);
    expect(a).toMatch(/^chorus-test-4242-[0-9a-f]{6}$/);
    expect(a).not.toBe(b);
    expect(runOwner(a)).toBe(4242);
    expect(isRunProject(a)).toBe(true);
    for (const other of ['chorus-test', 'chorus-prod', 'chorus-dev', 'chorus-test-x-123456'])
      expect(isRunProject(other)).toBe(false);
  });

  it('are live while their owner runs, stale once it is gone', () => {
    expect(runState(newRunProject(1), () => true)).toBe('live');
    expect(runState(newRunProject(1), () => false)).toBe('stale');
  });

  it('tell a dead owner from a live one, and a reused process id from the owner', async () => {
    const child = spawn('sleep', ['30']);
    const pid = child.pid!;
    // A live process that is not an env CLI: its id was reused, so the run is stale.
    expect(ownerAlive(pid)).toBe(false);
    const proc = mkdtempSync(join(tmpdir(), 'chorus-proc-'));
    mkdirSync(join(proc, String(pid)));
    writeFileSync(join(proc, String(pid), 'cmdline'), 'node\0deploy/env-cli/dist/env.cjs\0test\0');
    expect(ownerAlive(pid, { procRoot: proc })).toBe(true);
    // Without a command line to read, a live process id counts as the owner.
    expect(ownerAlive(pid, { procRoot: join(proc, 'none') })).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(ownerAlive(pid, { procRoot: proc })).toBe(false);
  });
});
