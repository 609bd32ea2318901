import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OperatorError } from '@chorus/errors';
import { UPGRADE_FROM, listedReleases, rewriteProdFile } from '../src/earlier-release.ts';
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

describe('the earlier releases an upgrade starts from', () => {
  it('are listed one commit a line, comments aside, and the list in the repository reads', () => {
    expect(listedReleases('# why\n726c100 the first\n\nd41a473 the second\n')).toEqual([
      { commit: '726c100', why: 'the first' },
      { commit: 'd41a473', why: 'the second' },
    ]);
    expect(() => listedReleases('main the branch\n')).toThrow(/does not start with a commit/);
    const repo = join(import.meta.dirname, '../../..');
    expect(listedReleases(readFileSync(join(repo, UPGRADE_FROM), 'utf8')).map((r) => r.commit)).toEqual(
      expect.arrayContaining(['726c100', 'd41a473']),
    );
  });

  it("run with the check's own app images and no host port", () => {
    const file =
      'name: chorus-prod\nservices:\n  web:\n    image: chorus/web:local\n    ports: ["5001:3000"]\n  redis:\n    image: ${REDIS_IMAGE:-redis:7.0-bookworm}\n';
    const rewritten = parse(rewriteProdFile(file, 'chorus-test-1-abcdef-from')) as {
      services: Record<string, { image: string; ports?: unknown }>;
    };
    expect(rewritten.services.web).toEqual({ image: 'chorus/web:chorus-test-1-abcdef-from' });
    expect(rewritten.services.redis).toEqual({ image: '${REDIS_IMAGE:-redis:7.0-bookworm}' });
  });
});
