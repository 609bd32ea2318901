import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@chorus/logger';
import { type ScheduledBackup, schedule } from '../src/schedule.ts';

const DAY = 24 * 3600 * 1000;
const log = createLogger({ name: 'test', level: 'silent' });

/** A kind of backup that records when it was taken, its newest the last of those. */
function recorder(kind: string, newest?: string): ScheduledBackup & { taken: number[] } {
  const taken: number[] = [];
  return {
    kind,
    taken,
    newest: async () => (taken.length ? new Date(taken.at(-1)!).toISOString() : newest),
    take: async () => void taken.push(Date.now()),
  };
}

describe('the backup schedule', () => {
  afterEach(() => void vi.useRealTimers());

  it('with a 30-day period, takes the next backup 30 days after the newest, not at once and not before', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T00:00:00Z') });
    const base = recorder('base backup', '2026-12-01T00:00:00.000Z');
    void schedule({ everyMs: 30 * DAY, backups: [base], log });
    await vi.advanceTimersByTimeAsync(30 * DAY - 60_000);
    expect(base.taken).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(base.taken).toEqual([Date.parse('2026-12-31T00:00:00Z')]);
    // And the one after, another 30 days on.
    await vi.advanceTimersByTimeAsync(30 * DAY);
    expect(base.taken).toHaveLength(2);
  });

  it('takes a kind that has none at once, and the other when its own period ends', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T00:00:00Z') });
    const base = recorder('base backup');
    const exported = recorder('export', '2026-11-30T12:00:00.000Z');
    void schedule({ everyMs: DAY, backups: [base, exported], log });
    await vi.advanceTimersByTimeAsync(1000);
    expect([base.taken.length, exported.taken.length]).toEqual([1, 0]);
    await vi.advanceTimersByTimeAsync(12 * 3600 * 1000);
    expect([base.taken.length, exported.taken.length]).toEqual([1, 1]);
  });

  it('tries a failed backup again after the retry delay, not in a loop', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T00:00:00Z') });
    let attempts = 0;
    const failing: ScheduledBackup = {
      kind: 'base backup',
      newest: async () => undefined,
      take: async () => {
        attempts++;
        throw new Error('repository unreachable');
      },
    };
    void schedule({ everyMs: DAY, backups: [failing], log });
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    expect(attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts).toBe(2);
  });

  it("tells its observer each kind's newest backup and each failure (what the metrics and alerts read)", async () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T00:00:00Z') });
    const told: string[] = [];
    const present: ScheduledBackup = {
      kind: 'export',
      newest: async () => '2026-11-30T12:00:00.000Z',
      take: async () => undefined,
    };
    const failing: ScheduledBackup = {
      kind: 'base backup',
      newest: async () => undefined,
      take: async () => {
        throw new Error('repository unreachable');
      },
    };
    void schedule({
      everyMs: DAY,
      backups: [present, failing],
      log,
      observer: {
        newest: (kind, at) => told.push(`${kind} newest ${at ?? 'none'}`),
        failed: (kind, at) => told.push(`${kind} failed ${at.toISOString()}`),
      },
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(told.slice(0, 3)).toEqual([
      'export newest 2026-11-30T12:00:00.000Z',
      'base backup newest none',
      'base backup failed 2026-12-01T00:00:00.000Z',
    ]);
  });
});
