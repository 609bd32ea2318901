import { describe, expect, it } from 'vitest';
import type { ArchiveState } from '@chorus/backup-manifest';
import { repositoryFor } from '../src/backups.ts';
import { parseMoment } from '../src/commands/restore.ts';

const archive: ArchiveState = {
  stanza: 'prod',
  repos: [
    {
      repo: 1,
      kind: 'local',
      status: 'ok',
      backups: [],
      window: { earliest: '2026-12-07T10:00:00.000Z', latest: '2026-12-07T11:00:00.000Z' },
    },
    {
      repo: 2,
      kind: 's3',
      status: 'ok',
      backups: [],
      window: { earliest: '2026-12-01T10:00:00.000Z', latest: '2026-12-07T10:59:00.000Z' },
    },
  ],
};

describe('a restore to a moment', () => {
  it('takes ISO 8601 with a zone, and refuses anything that is not one instant (exit 2)', () => {
    expect(parseMoment('2026-12-07T09:30:00Z').toISOString()).toBe('2026-12-07T09:30:00.000Z');
    expect(parseMoment('2026-12-07 10:30:00.250+01:00').toISOString()).toBe('2026-12-07T09:30:00.250Z');
    for (const text of ['yesterday', '2026-12-07T09:30:00', '2026-13-07T09:30:00Z'])
      expect(() => parseMoment(text)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });

  it('restores from the local repository when its window holds the moment, else from object storage', () => {
    expect(repositoryFor(archive, new Date('2026-12-07T10:30:00Z'), 'prod').repo).toBe(1);
    expect(repositoryFor(archive, new Date('2026-12-03T00:00:00Z'), 'prod').repo).toBe(2);
  });

  it('refuses a moment outside every window, naming each (exit 2)', () => {
    expect(() => repositoryFor(archive, new Date('2026-12-07T12:00:00Z'), 'prod')).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: expect.stringMatching(
          /outside .*repo1 \(this host\) from 2026-12-07T10:00:00.000Z to 2026-12-07T11:00:00.000Z; repo2 \(object storage\) from 2026-12-01/,
        ),
      }),
    );
  });

  it('refuses a repository it cannot read, saying why, and an environment that does not archive', () => {
    const broken: ArchiveState = {
      ...archive,
      repos: [{ ...archive.repos[1]!, status: 'unable to decrypt: wrong key' }],
    };
    expect(() => repositoryFor(broken, new Date('2026-12-03T00:00:00Z'), 'prod')).toThrow(
      /no repository of prod's archive can be restored from \(repo2: unable to decrypt/,
    );
    expect(() => repositoryFor(undefined, new Date(), 'prod')).toThrow(/does not archive its WAL/);
  });
});
