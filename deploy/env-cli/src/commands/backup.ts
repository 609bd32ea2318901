/** `make backup-prod` and `make backups-prod`: one backup now, and the backups there are (backups.ts). */
import { type ArchiveState, backupAge } from '@chorus/backup-manifest';
import { OperatorError } from '@chorus/errors';
import { listBackups, takeBackup } from '../backups.ts';
import type { Context } from '../context.ts';
import type { Environment } from '../environments.ts';
import { print, say, seconds, span, table } from '../output.ts';
import { checkDocker } from '../preflight.ts';

const size = (bytes: number) =>
  bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const rows = (r: Record<string, number>) => String(r['public.task_queue'] ?? 0);

export async function backup(ctx: Context, e: Environment): Promise<void> {
  checkDocker();
  const m = await takeBackup(ctx, e.project, e.name);
  say(
    `${e.name}: backup ${m.name} taken in ${seconds(m.durationMs)} while ${e.name} kept serving: ${rows(m.rows)} tasks, ${size(m.files['database.dump'].bytes)}, release ${m.release}`,
  );
  say(
    `it is in the ${e.project}_backups_${e.name} volume; \`make backups-${e.name}\` lists the backups, \`make restore-${e.name} BACKUP=${m.name}\` restores this one`,
  );
}

/** Continuous archiving: each repository, its base backups, and the window a restore to a moment can reach. */
function showArchive(e: Environment, archive: ArchiveState): void {
  print(
    table(
      ['repository', 'state', 'base backups', 'newest base backup', 'restorable from', 'to'],
      archive.repos.map((r) => [
        `repo${r.repo} (${r.kind === 'local' ? 'this host' : 'object storage'})`,
        r.status,
        String(r.backups.length),
        r.backups.at(-1)?.stop ?? '-',
        r.window?.earliest ?? '-',
        r.window?.latest ?? '-',
      ]),
    ),
  );
  if (!archive.repos.some((r) => r.kind === 's3'))
    say(
      `WARNING: ${e.name}'s backups are on this host only: a lost disk loses them with the database. Name an object store in ${e.envFile} (BACKUP_S3_*, docs/operating.md)`,
    );
  say(`\`make restore-${e.name} AT=<time>\` restores to any moment in a window above`);
}

export async function backups(ctx: Context, e: Environment): Promise<void> {
  checkDocker();
  const listing = await listBackups(ctx, e.project, { archive: true });
  if (!listing)
    throw new OperatorError(
      `${e.name}'s backup service is not running: start ${e.name} with \`make run-${e.name}\` (a release from before backups has none)`,
    );
  const { ageMs, overdue } = backupAge(listing, new Date());
  say(
    `${e.name}: backups every ${span(listing.schedule.everyMs)}, the newest ${listing.schedule.keep} kept (BACKUP_EVERY, BACKUP_KEEP in ${e.envFile})`,
  );
  if (listing.archive) showArchive(e, listing.archive);
  say(`${e.name}: exports (pg_dump: portable, restored whole with \`make restore-${e.name} BACKUP=<name>\`):`);
  if (listing.backups.length === 0) return say(`${e.name}: no exports yet; \`make backup-${e.name}\` takes one now`);
  print(
    table(
      ['backup', 'taken', 'release', 'tasks', 'size', 'took'],
      listing.backups.map((m) => [
        m.name,
        m.takenAt,
        m.release,
        rows(m.rows),
        size(m.files['database.dump'].bytes),
        seconds(m.durationMs),
      ]),
    ),
  );
  if (overdue)
    say(
      `WARNING: the newest backup is ${span(ageMs ?? 0)} old, older than the schedule: \`make logs-${e.name}\` shows why the backup service did not take one`,
    );
}
