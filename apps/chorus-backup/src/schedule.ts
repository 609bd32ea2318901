import { rmSync, writeFileSync } from 'node:fs';
import type { Logger } from '@chorus/logger';
import { sleep } from '@chorus/wait';
import type { Settings } from './settings.ts';
import type { BackupStore } from './store.ts';
import { takeBackup } from './take.ts';

/** A failed backup is tried again this soon (or at the next period, if that is sooner). */
const RETRY_MS = 5 * 60_000;

/**
 * Present while the newest backup is within the schedule: the container's healthcheck tests for it (a file
 * test costs no Node start). Removed when a scheduled backup fails.
 */
export const CURRENT_FILE = '/tmp/backups-current';
const current = (yes: boolean) =>
  yes ? writeFileSync(CURRENT_FILE, new Date().toISOString()) : rmSync(CURRENT_FILE, { force: true });

/** When the next backup is due: a period after the newest one, or now. */
export function nextDueMs(newestTakenAt: string | undefined, everyMs: number, now: number): number {
  return newestTakenAt === undefined ? 0 : Math.max(0, Date.parse(newestTakenAt) + everyMs - now);
}

/** Runs until stopped: a backup each period, counted from the newest one present, so restarts do not add any. */
export async function schedule({
  settings,
  store,
  log,
}: {
  settings: Settings;
  store: BackupStore;
  log: Logger;
}): Promise<never> {
  // As PID 1 in its container, a signal without a handler is ignored: stop at once (a half-written backup is removed by the next prune).
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
  log.info({ everyMs: settings.everyMs, keep: settings.keep, dir: settings.dir }, 'backup schedule started');
  for (;;) {
    const due = nextDueMs(store.list()[0]?.takenAt, settings.everyMs, Date.now());
    if (due > 0) {
      current(true);
      await sleep(due);
      continue;
    }
    try {
      const m = await takeBackup(settings, store, log);
      const removed = store.prune(settings.keep);
      current(true);
      log.info(
        { name: m.name, bytes: m.files['database.dump'].bytes, durationMs: m.durationMs, rows: m.rows, removed },
        `backup ${m.name} taken`,
      );
    } catch (error) {
      current(false);
      log.error(
        { err: (error as Error).message },
        `scheduled backup failed; trying again in ${Math.min(RETRY_MS, settings.everyMs) / 1000} s`,
      );
      await sleep(Math.min(RETRY_MS, settings.everyMs));
    }
  }
}
