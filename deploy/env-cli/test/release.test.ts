import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OperatorError } from '@chorus/errors';
import { ENVIRONMENTS } from '../src/environments.ts';
import { rollBack } from '../src/bring-up.ts';
import { createContext } from '../src/context.ts';
import { isDirty, readState, recordRelease } from '../src/release.ts';

function prodIn(): { root: string } {
  const root = mkdtempSync(join(tmpdir(), 'chorus-release-'));
  writeFileSync(join(root, 'compose.yml'), 'services: {}\n');
  return { root };
}

describe("prod's release state", () => {
  const e = { ...ENVIRONMENTS.prod, envFile: '.env.prod', file: 'compose.yml' };

  it('records the release running and the one before it, with a copy of the Compose file each ran', () => {
    const ctx = prodIn();
    expect(readState(ctx, e)).toBeUndefined();
    recordRelease(ctx, e, 'abc1234', 'compose.yml');
    const second = recordRelease(ctx, e, 'def5678', 'compose.yml');
    expect([second.current.release, second.previous?.release]).toEqual(['def5678', 'abc1234']);
    expect(readFileSync(second.previous!.file, 'utf8')).toBe('services: {}\n');
    // Starting the same release again changes neither.
    const again = recordRelease(ctx, e, 'def5678', 'compose.yml');
    expect([again.current.release, again.previous?.release]).toEqual(['def5678', 'abc1234']);
  });

  it('a rollback swaps them: the release rolled back from becomes the previous one', () => {
    const ctx = prodIn();
    recordRelease(ctx, e, 'abc1234', 'compose.yml');
    const upgraded = recordRelease(ctx, e, 'def5678', 'compose.yml');
    const back = recordRelease(ctx, e, 'abc1234', upgraded.previous!.file);
    expect([back.current.release, back.previous?.release]).toEqual(['abc1234', 'def5678']);
  });

  it('keeps a major upgrade while the release that made it runs, and a rollback across it is refused naming the backup', async () => {
    const ctx = prodIn();
    recordRelease(ctx, e, 'abc1234', 'compose.yml');
    const upgraded = recordRelease(ctx, e, 'def5678', 'compose.yml', {
      from: 15,
      to: 17,
      backup: 'prod-20261206T105322Z',
    });
    expect(upgraded.majorUpgrade).toMatchObject({ release: 'def5678', from: 15, to: 17 });
    // Started again, the same release keeps it; a newer release may roll back to it.
    expect(recordRelease(ctx, e, 'def5678', 'compose.yml').majorUpgrade?.release).toBe('def5678');
    const refused = await rollBack(createContext({ root: ctx.root }), e).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OperatorError);
    expect((refused as OperatorError).exitCode).toBe(2);
    expect((refused as OperatorError).message).toMatch(
      /cannot be rolled back.*make restore-prod BACKUP=prod-20261206T105322Z/,
    );
    expect(recordRelease(ctx, e, 'ghi9012', 'compose.yml').majorUpgrade).toBeUndefined();
  });

  it('refuses a state file it cannot read, naming it', () => {
    const ctx = prodIn();
    recordRelease(ctx, e, 'abc1234', 'compose.yml');
    writeFileSync(join(ctx.root, '.prod-releases/state.json'), '{"current": 3}');
    expect(() => readState(ctx, e)).toThrow(OperatorError);
  });

  it('names a release with uncommitted changes dirty', () => {
    expect(isDirty('d41a473-dirty')).toBe(true);
    expect(isDirty('v1.2.0')).toBe(false);
  });
});
