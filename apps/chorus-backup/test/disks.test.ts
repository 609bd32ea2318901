import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { disks } from '../src/metrics.ts';

describe('the disks under the volumes', () => {
  it('reports a disk once, naming every volume on it, and leaves out a path that is not there', async () => {
    const root = mkdtempSync(join(tmpdir(), 'chorus-disks-'));
    for (const name of ['postgres', 'backups']) mkdirSync(join(root, name));
    const found = await disks({
      postgres: join(root, 'postgres'),
      backups: join(root, 'backups'),
      gone: join(root, 'gone'),
    });
    expect(found).toHaveLength(1);
    expect(found[0]!.volumes).toBe('backups,postgres');
    expect(found[0]!.bytes).toBeGreaterThan(0);
    expect(found[0]!.free).toBeLessThanOrEqual(found[0]!.bytes);
  });

  it('reports two disks apart', async () => {
    const found = await disks({ tmp: tmpdir(), proc: '/proc' });
    expect(found.map((d) => d.volumes).sort()).toEqual(['proc', 'tmp']);
  });
});
