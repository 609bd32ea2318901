import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { UPGRADE_FROM, listedReleases, rewriteProdFile } from '../src/earlier-release.ts';

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

  it("run with the check's own app images, no host port, and the original file's relative mounts", () => {
    const dir = mkdtempSync(join(tmpdir(), 'chorus-release-'));
    const path = join(dir, 'docker-compose.prod.yml');
    writeFileSync(
      path,
      'name: chorus-prod\nservices:\n  web:\n    image: chorus/web:local\n    ports: ["5001:3000"]\n  redis:\n    image: ${REDIS_IMAGE:-redis:7.0-bookworm}\n' +
        '  proxy:\n    image: caddy\n    volumes: ["./proxy:/etc/caddy:ro", "data:/data"]\n',
    );
    const rewritten = parse(rewriteProdFile(path, 'chorus-test-1-abcdef-from')) as {
      services: Record<string, { image: string; ports?: unknown; volumes?: string[] }>;
    };
    expect(rewritten.services.web).toEqual({ image: 'chorus/web:chorus-test-1-abcdef-from' });
    expect(rewritten.services.redis).toEqual({ image: '${REDIS_IMAGE:-redis:7.0-bookworm}' });
    expect(rewritten.services.proxy!.volumes).toEqual([`${join(dir, 'proxy')}:/etc/caddy:ro`, 'data:/data']);
  });
});
