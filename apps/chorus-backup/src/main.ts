import { Command } from 'commander';
import { backupAge, backupListing } from '@chorus/backup-manifest';
import { EXIT, runMain } from '@chorus/errors';
import { createLogger } from '@chorus/logger';
import { checkBackup, restoreDatabase } from './restore.ts';
import { schedule } from './schedule.ts';
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

program
  .command('backup')
  .description('take one backup now; prints its manifest')
  .action(() =>
    runMain('chorus-backup', async () => {
      const { settings, log, store } = context();
      const m = await takeBackup(settings, store, log);
      store.prune(settings.keep);
      process.stdout.write(`${JSON.stringify(m)}\n`);
      return EXIT.ok;
    }),
  );

program
  .command('schedule')
  .description('take a backup every BACKUP_EVERY, keeping the newest BACKUP_KEEP (the Compose service)')
  .action(() => runMain('chorus-backup', async () => schedule(context())));

program
  .command('list')
  .description('the backups present, newest first, and the schedule (JSON)')
  .action(() =>
    runMain('chorus-backup', async () => {
      const { settings, store } = context();
      const listing = backupListing.parse({
        schedule: { everyMs: settings.everyMs, keep: settings.keep },
        backups: store.list(),
      });
      process.stdout.write(`${JSON.stringify({ ...listing, age: backupAge(listing, new Date()).ageMs ?? null })}\n`);
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
