import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OperatorError } from '@chorus/errors';
import { ENVIRONMENTS } from '../src/environments.ts';
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
