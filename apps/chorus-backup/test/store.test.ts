import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Manifest, backupName } from '@chorus/backup-manifest';
import { nextDueMs } from '../src/schedule.ts';
import { loadSettings } from '../src/settings.ts';
import { BackupStore } from '../src/store.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const store = () => {
  const dir = mkdtempSync(join(tmpdir(), 'backups-'));
  dirs.push(dir);
  return new BackupStore(dir);
};
const manifestAt = (at: Date): Manifest => ({
  format: 1,
  name: backupName('prod', at),
  environment: 'prod',
  release: 'r1',
  takenAt: at.toISOString(),
  migrations: [],
  rows: {},
  files: { 'database.dump': { bytes: 0, sha256: '0'.repeat(64) }, 'connector.json': null },
  durationMs: 1,
});

describe('BackupStore', () => {
  it('lists complete backups newest first, and keeps the newest when pruning', async () => {
    const s = store();
    for (const hour of [1, 3, 2]) {
      const m = manifestAt(new Date(Date.UTC(2026, 10, 26, hour)));
      await s.write(m.name, async () => m);
    }
    expect(s.list().map((m) => m.name)).toEqual([
      'prod-20261126T030000Z',
      'prod-20261126T020000Z',
      'prod-20261126T010000Z',
    ]);
    expect(s.prune(2)).toEqual(['prod-20261126T010000Z']);
    expect(s.list()).toHaveLength(2);
  });

  it('leaves nothing behind when writing a backup fails', async () => {
    const s = store();
    await expect(s.write('prod-20261126T010000Z', async () => Promise.reject(new Error('disk full')))).rejects.toThrow(
      'disk full',
    );
    expect(readdirSync(s.dir)).toEqual([]);
  });

  it('names the backups there are when asked for one that is not', async () => {
    const s = store();
    const m = manifestAt(new Date(Date.UTC(2026, 10, 26, 1)));
    await s.write(m.name, async () => m);
    expect(() => s.open('prod-nope')).toThrow(/no backup named "prod-nope" .* the backups are prod-20261126T010000Z/);
    expect(() => s.open('../etc')).toThrow(/no backup named/);
    expect(existsSync(join(s.dir, m.name, 'manifest.json'))).toBe(true);
  });
});

describe('schedule', () => {
  it('is due at once without a backup, else a period after the newest', () => {
    expect(nextDueMs(undefined, 3_600_000, Date.now())).toBe(0);
    expect(nextDueMs('2026-11-26T10:00:00.000Z', 3_600_000, Date.parse('2026-11-26T10:15:00Z'))).toBe(2_700_000);
    expect(nextDueMs('2026-11-26T10:00:00.000Z', 3_600_000, Date.parse('2026-11-26T12:00:00Z'))).toBe(0);
  });

  it('reads BACKUP_EVERY as a period, and says how to write one', () => {
    const base = { CHORUS_ENV: 'prod', POSTGRES_PASSWORD: 'x' };
    expect(loadSettings({ ...base, BACKUP_EVERY: '6h' }).everyMs).toBe(21_600_000);
    expect(loadSettings(base)).toMatchObject({ everyMs: 86_400_000, keep: 7 });
    expect(() => loadSettings({ ...base, BACKUP_EVERY: 'daily' })).toThrow(/BACKUP_EVERY.*30m, 6h, 1d/s);
  });
});
