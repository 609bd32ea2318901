import { describe, expect, it } from 'vitest';
import { type BackupListing, backupAge, backupName, manifest } from '../src/index.ts';

const taken = (name: string, takenAt: string) =>
  manifest.parse({
    format: 1,
    name,
    environment: 'prod',
    release: 'v1.2.0',
    takenAt,
    migrations: ['001_task_queue'],
    rows: { 'public.task_queue': 3 },
    files: { 'database.dump': { bytes: 10, sha256: 'a'.repeat(64) }, 'connector.json': null },
    durationMs: 12,
  });

describe('backup manifest', () => {
  it('names a backup by environment and UTC second', () => {
    expect(backupName('prod', new Date('2026-11-26T19:05:07.123Z'))).toBe('prod-20261126T190507Z');
  });

  it('refuses a manifest whose checksum is not a sha256', () => {
    const bad = {
      ...taken('prod-20261126T190507Z', '2026-11-26T19:05:07.000Z'),
      files: { 'database.dump': { bytes: 1, sha256: 'xyz' }, 'connector.json': null },
    };
    expect(manifest.safeParse(bad).success).toBe(false);
  });

  it('flags the newest backup once it is older than the schedule, and no backup at all', () => {
    const listing: BackupListing = {
      schedule: { everyMs: 3_600_000, keep: 7 },
      backups: [taken('prod-20261126T100000Z', '2026-11-26T10:00:00.000Z')],
    };
    expect(backupAge(listing, new Date('2026-11-26T10:30:00Z'))).toMatchObject({ ageMs: 1_800_000, overdue: false });
    expect(backupAge(listing, new Date('2026-11-26T12:00:00Z')).overdue).toBe(true);
    expect(backupAge({ ...listing, backups: [] }, new Date()).overdue).toBe(true);
  });
});
