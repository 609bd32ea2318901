import { Command } from 'commander';
import { backupAge, backupListing } from '@chorus/backup-manifest';
import { EXIT, runMain } from '@chorus/errors';
import { createLogger } from '@chorus/logger';
import {
  archiveState,
  archiving,
  baseBackup,
  ensureStanza,
  newestBaseBackups,
  newestSegmentArrival,
  repositoryHealth,
} from './archive.ts';
import { BackupMetrics } from './metrics.ts';
import { checkBackup, restoreDatabase } from './restore.ts';
import { type ScheduledBackup, schedule } from './schedule.ts';
import { loadSettings } from './settings.ts';
import { BackupStore } from './store.ts';
import { takeBackup } from './take.ts';

const program = new Command()
  .name('chorus-backup')
  .description(
    "Backs up an environment's database (with its connector's configuration), lists, checks and restores backups.",
  )
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.config));

function context() {
  const settings = loadSettings();
  const log = createLogger({ name: 'chorus-backup', level: settings.logLevel });
  return { settings, log, store: new BackupStore(settings.dir) };
}

/** What the schedule and `backup` take: a base backup into each pgBackRest repository, where this environment archives, and an export. */
function kinds({ settings, log, store }: ReturnType<typeof context>): ScheduledBackup[] {
  const exported: ScheduledBackup = {
    kind: 'export',
    newest: async () => store.list()[0]?.takenAt,
    take: async () => {
      const m = await takeBackup(settings, store, log);
      const removed = store.prune(settings.keep);
      log.info(
        { name: m.name, bytes: m.files['database.dump'].bytes, rows: m.rows, removed },
        `export ${m.name} taken`,
      );
    },
  };
  if (!archiving()) return [exported];
  const base: ScheduledBackup = {
    kind: 'base backup',
    // The oldest repository's newest: each must have one within the period.
    // pgbackrest info alone: the schedule asks at every turn, and reading the WAL back is for listings.
    newest: async () => {
      const newest = await newestBaseBackups();
      return newest.includes(undefined) ? undefined : newest.sort()[0];
    },
    take: async () => {
      await ensureStanza();
      const labels = await baseBackup();
      log.info({ labels }, `base backup ${labels.join(', ')} taken`);
    },
  };
  return [base, exported];
}

program
  .command('backup')
  .description(
    "take a backup now (a base backup where the environment archives WAL, and an export); prints the export's manifest",
  )
  .option(
    '--export-only',
    'the export alone: a server of an older release, which archives nothing yet (before its upgrade)',
  )
  .action((o: { exportOnly?: boolean }) =>
    runMain('chorus-backup', async () => {
      const c = context();
      if (archiving() && !o.exportOnly) {
        await ensureStanza();
        await baseBackup();
      }
      const m = await takeBackup(c.settings, c.store, c.log);
      c.store.prune(c.settings.keep);
      process.stdout.write(`${JSON.stringify(m)}\n`);
      return EXIT.ok;
    }),
  );

program
  .command('schedule')
  .description('take backups every BACKUP_EVERY, keeping the newest BACKUP_KEEP (the Compose service)')
  .action(() =>
    runMain('chorus-backup', async () => {
      // As PID 1 in its container, a signal without a handler is ignored: stop at once (a half-written
      // export is removed by the next prune; pgBackRest resumes or discards a cut base backup).
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
      const c = context();
      // The stanza first: the metrics' first look at the repositories would otherwise find none.
      if (archiving())
        await ensureStanza().catch((error: Error) => c.log.error({ err: error.message }, 'archive not ready'));
      const metrics = new BackupMetrics({
        everyMs: c.settings.everyMs,
        paths: { postgres: '/var/lib/postgresql/data', pgbackrest: '/var/lib/pgbackrest', backups: c.settings.dir },
        ...(archiving() ? { repositories: repositoryHealth } : {}),
        log: c.log,
      });
      metrics.listen(c.settings.metricsPort, c.log);
      return schedule({ everyMs: c.settings.everyMs, backups: kinds(c), log: c.log, observer: metrics });
    }),
  );

program
  .command('list')
  .description('the exports present, newest first, and the schedule (JSON)')
  .option('--archive', "and the archive's repositories, base backups and restorable window (reads the newest WAL back)")
  .action((o: { archive?: boolean }) =>
    runMain('chorus-backup', async () => {
      const { settings, store } = context();
      const listing = backupListing.parse({
        schedule: { everyMs: settings.everyMs, keep: settings.keep },
        backups: store.list(),
        ...(o.archive && archiving() ? { archive: await archiveState() } : {}),
      });
      process.stdout.write(`${JSON.stringify({ ...listing, age: backupAge(listing, new Date()).ageMs ?? null })}\n`);
      return EXIT.ok;
    }),
  );

program
  .command('archive-newest <repo>')
  .description('when the newest WAL segment arrived in repository <repo> (JSON): how far the archive lags behind')
  .action((repo: string) =>
    runMain('chorus-backup', async () => {
      process.stdout.write(
        `${JSON.stringify({ repo: Number(repo), newest: (await newestSegmentArrival(Number(repo))) ?? null })}\n`,
      );
      return EXIT.ok;
    }),
  );

program
  .command('check <name>')
  .description('whether backup <name> can be restored here (environment, checksums, schema); exits 2 when not')
  .action((name: string) =>
    runMain('chorus-backup', async () => {
      const { settings, store } = context();
      const { manifest } = await checkBackup(settings, store, name);
      process.stdout.write(`${JSON.stringify(manifest)}\n`);
      return EXIT.ok;
    }),
  );

program
  .command('restore <name>')
  .description(
    "replace the environment's database with backup <name> (as the superuser); the env CLI runs the steps around it",
  )
  .action((name: string) =>
    runMain('chorus-backup', async () => {
      const { settings, log, store } = context();
      const restored = await restoreDatabase(settings, store, name, log);
      process.stdout.write(`${JSON.stringify({ name, rows: restored.rows, restoreMs: restored.restoreMs })}\n`);
      return EXIT.ok;
    }),
  );

program.parse();
