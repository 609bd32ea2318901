import { describe, expect, it } from 'vitest';
import type { Manifest } from '@chorus/backup-manifest';
import { refusals } from '../src/verify.ts';

const sum = { bytes: 100, sha256: 'a'.repeat(64) };
const backup: Manifest = {
  format: 1,
  name: 'prod-20261126T190000Z',
  environment: 'prod',
  release: 'v1.0.0',
  takenAt: '2026-11-26T19:00:00.000Z',
  migrations: ['001_task_queue', '002_debezium_signal'],
  rows: { 'public.task_queue': 20 },
  files: { 'database.dump': sum, 'connector.json': null },
  durationMs: 300,
};
const here = {
  environment: 'prod',
  knownMigrations: ['001_task_queue', '002_debezium_signal'],
  files: { 'database.dump': sum, 'connector.json': null },
};

describe('refusals', () => {
  it('accepts an intact backup of this environment and a schema this release knows', () => {
    expect(refusals(backup, here)).toEqual([]);
  });

  it("refuses another environment's backup, naming both and the fix", () => {
    const [problem] = refusals({ ...backup, environment: 'dev' }, here);
    expect(problem).toMatch(
      /taken from dev, and this is prod: a restore takes only prod's own backups; pick one of them \(make backups-prod\)/,
    );
  });

  it('refuses a dump whose checksum or size differs from the manifest', () => {
    expect(
      refusals(backup, { ...here, files: { 'database.dump': { bytes: 100, sha256: 'b'.repeat(64) } } })[0],
    ).toMatch(/database\.dump does not match its manifest .* it is corrupted/);
    expect(refusals(backup, { ...here, files: { 'database.dump': null } })[0]).toMatch(/lacks database\.dump/);
  });

  it('refuses a backup with a migration this release does not know', () => {
    const [problem] = refusals({ ...backup, migrations: [...backup.migrations, '003_later'] }, here);
    expect(problem).toMatch(
      /newer schema than this release \(003_later unknown here; it was taken on release v1\.0\.0\)/,
    );
  });
});
