import { rmSync, writeFileSync } from 'node:fs';
import type { Logger } from '@chorus/logger';
import { sleep } from '@chorus/wait';
import type { BackupObserver } from './metrics.ts';

/** A failed backup is tried again this soon (or at the next period, if that is sooner). */
const RETRY_MS = 5 * 60_000;

/**
 * Present while the newest backup of each kind is within the schedule: the container's healthcheck tests
 * for it (a file test costs no Node start). Removed when a scheduled backup fails.
 */
export const CURRENT_FILE = '/tmp/backups-current';
const current = (yes: boolean) =>
  yes ? writeFileSync(CURRENT_FILE, new Date().toISOString()) : rmSync(CURRENT_FILE, { force: true });

/** One kind of backup the schedule takes: a base backup (pgBackRest), an export (pg_dump). */
export interface ScheduledBackup {
  kind: string;
  /** When the newest one present was taken (ISO), if there is one. */
  newest(): Promise<string | undefined>;
  take(): Promise<void>;
}

/** When the next backup is due: a period after the newest one, or now. */
export function nextDueMs(newestTakenAt: string | undefined, everyMs: number, now: number): number {
  return newestTakenAt === undefined ? 0 : Math.max(0, Date.parse(newestTakenAt) + everyMs - now);
}

/**
 * Runs until stopped: each kind once a period, counted from its newest backup present, so restarts add
 * none. Any period works, a month included (sleep takes waits beyond one timer's reach).
 */
export async function schedule({
  everyMs,
  backups,
  log,
  observer,
}: {
  everyMs: number;
  backups: ScheduledBackup[];
  log: Logger;
  /** Told each kind's newest backup at every turn, and each failure (the metrics). */
  observer?: BackupObserver;
}): Promise<never> {
  const retryMs = Math.min(RETRY_MS, everyMs);
  const failedAt = new Map<string, number>();
  log.info({ everyMs, kinds: backups.map((b) => b.kind) }, 'backup schedule started');
  for (;;) {
    const now = Date.now();
    const dues = await Promise.all(
      backups.map(async (b) => {
        const failed = failedAt.get(b.kind);
        const newest = await b.newest().catch(() => undefined);
        observer?.newest(b.kind, newest);
        const due = nextDueMs(newest, everyMs, now);
        return failed === undefined ? due : Math.max(due, failed + retryMs - now);
      }),
    );
    const dueNow = backups.filter((b, i) => dues[i] === 0);
    if (dueNow.length === 0) {
      current(failedAt.size === 0);
      await sleep(Math.min(...dues));
      continue;
    }
    for (const b of dueNow) {
      try {
        await b.take();
        failedAt.delete(b.kind);
      } catch (error) {
        failedAt.set(b.kind, Date.now());
        observer?.failed(b.kind, new Date());
        current(false);
        log.error(
          { kind: b.kind, err: (error as Error).message },
          `scheduled ${b.kind} failed; trying again in ${retryMs / 1000} s`,
        );
      }
    }
  }
}
