import { Command, InvalidArgumentError } from 'commander';
import { EXIT, OperatorError, runMain } from '@chorus/errors';
import { alerts } from './commands/alerts.ts';
import { backup, backups } from './commands/backup.ts';
import { ca } from './commands/ca.ts';
import { clean } from './commands/clean.ts';
import { cleanTest } from './commands/clean-test.ts';
import { down } from './commands/down.ts';
import { idleCost } from './commands/idle-cost.ts';
import { images } from './commands/images.ts';
import { logs } from './commands/logs.ts';
import { rebuild } from './commands/rebuild-read-model.ts';
import { restore } from './commands/restore.ts';
import { exportSecrets, importSecrets } from './commands/secrets.ts';
import * as accounts from './commands/accounts.ts';
import { rollback } from './commands/rollback.ts';
import { status } from './commands/status.ts';
import { test } from './commands/test.ts';
import { up } from './commands/up.ts';
import { createContext } from './context.ts';
import { ENVIRONMENTS, ENV_NAMES, type EnvName, type Environment } from './environments.ts';

/** The repository, the caller's environment and a Compose: made once, handed to every command. */
const ctx = createContext();

/** prod or dev: the environments an operator starts, stops and deletes by name. */
function lastingEnv(value: string): Environment {
  if (value !== 'prod' && value !== 'dev') {
    const hint = ENV_NAMES.includes(value as EnvName)
      ? '; the test environment runs per `make test` and is cleaned with `env clean-test`'
      : '';
    throw new InvalidArgumentError(`choose prod or dev${hint}`);
  }
  return ENVIRONMENTS[value];
}

/** prod: the one environment that runs releases and keeps backups. */
function prodOnly(value: string): Environment {
  if (value !== 'prod')
    throw new InvalidArgumentError('only prod runs releases and keeps backups; dev runs the working tree');
  return ENVIRONMENTS.prod;
}

function anyEnv(value: string): Environment {
  if (!ENV_NAMES.includes(value as EnvName)) throw new InvalidArgumentError(`choose ${ENV_NAMES.join(', ')}`);
  return ENVIRONMENTS[value as EnvName];
}

const program = new Command()
  .name('env')
  .description('Runs the CHORUS environments (prod, dev, test), one Compose file each.')
  .showHelpAfterError()
  // Usage errors exit like configuration errors, as in every CHORUS command.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.config));
program
  .command('up')
  .argument('<env>', 'prod or dev', lastingEnv)
  .option('--no-build', 'use the app images as they are')
  .description('build the app images, then start the environment and wait until it is healthy (idempotent)')
  .action((e: Environment, o: { build: boolean }) => up(ctx, e, o));
program
  .command('down')
  .argument('<env>', 'prod or dev', lastingEnv)
  .description('stop the environment, keeping its volumes')
  .action((e: Environment) => down(ctx, e));
program
  .command('test')
  .option('--no-build', 'run the app images prod and dev use (chorus/*:local) as they are, instead of building its own')
  .description('bring up a test run in its own project, run chorus-tester, always tear down')
  .action((o: { build: boolean }) => test(ctx, o));
program
  .command('rollback')
  .argument('<env>', 'prod', prodOnly)
  .description('return prod to the release it ran before (its Compose file and images as deployed), keeping its data')
  .action(async (e: Environment) => void (await rollback(ctx, e)));
program
  .command('ca')
  .argument('<env>', 'prod', prodOnly)
  .description("write prod's CA certificate beside its env file, and print its fingerprint and how to trust it")
  .action((e: Environment) => ca(ctx, e));
program
  .command('secrets-export')
  .argument('<env>', 'prod', prodOnly)
  .argument('[file]', 'the file to write (a new one)')
  .description('seal the env file and the CA into one file with SECRETS_PASSPHRASE, to keep off the host')
  .action((e: Environment, file: string | undefined) => exportSecrets(ctx, e, file || undefined));
program
  .command('secrets-import')
  .argument('<env>', 'prod', prodOnly)
  .argument('[file]', 'a file secrets-export wrote')
  .description('put the env file and the CA of a secrets file in place on a new host (SECRETS_PASSPHRASE opens it)')
  .action((e: Environment, file: string | undefined) => importSecrets(ctx, e, file || undefined));
program
  .command('rebuild-read-model')
  .argument('<env>', 'prod or dev', lastingEnv)
  .description(
    'clear the Redis read model and rebuild it from the change topic and an incremental snapshot of Postgres, while streaming goes on',
  )
  .action((e: Environment) => rebuild(ctx, e));
program
  .command('images')
  .option('--env <name>', "resolve for this environment's env file (its *_IMAGE lines)", anyEnv, ENVIRONMENTS.dev)
  .option('--print', 'print NAME=reference lines, for scripts')
  .description(
    'make every third-party image present: here already, else pulled, else built offline (CHORUS_IMAGES=auto|pull|local)',
  )
  .action((o: { env: Environment; print?: boolean }) => images(ctx, o));
program
  .command('status')
  .description('every environment and test run: services, health, ports, connector state')
  .action(() => status(ctx));
program
  .command('logs')
  .argument('<env>', 'prod or dev', lastingEnv)
  .description('follow the logs')
  .action(async (e: Environment) => {
    process.exitCode = await logs(ctx, e);
  });
program
  .command('clean')
  .argument('<env>', 'prod or dev', lastingEnv)
  .option('-y, --yes', 'do not ask')
  .description('stop the environment and delete its volumes, after asking')
  .action((e: Environment, o: { yes?: boolean }) => clean(ctx, e, { yes: Boolean(o.yes) }));
program
  .command('idle-cost')
  .option('--seconds <n>', 'how long to measure', '60')
  .description(
    "each running environment's CPU (share of one core) and memory (without page cache) while nobody uses it",
  )
  .action((o: { seconds: string }) => {
    const seconds = Number(o.seconds);
    if (!Number.isInteger(seconds) || seconds < 5)
      throw new OperatorError(`--seconds: expected a whole number of seconds, 5 or more; got ${o.seconds}`, {
        exitCode: EXIT.config,
      });
    return idleCost(ctx, { seconds });
  });
program
  .command('alerts')
  .argument('<env>', 'prod or dev', lastingEnv)
  .description('the alerts Alertmanager holds now, and who they reach')
  .action((e: Environment) => alerts(ctx, e));
program
  .command('backup')
  .argument('<env>', 'prod', prodOnly)
  .description('take a backup now, while it keeps serving')
  .action((e: Environment) => backup(ctx, e));
program
  .command('backups')
  .argument('<env>', 'prod', prodOnly)
  .description('list the backups and the schedule')
  .action((e: Environment) => backups(ctx, e));
program
  .command('restore')
  .argument('<env>', 'prod', prodOnly)
  .argument('[backup]', 'the export to restore (see `backups`)')
  .option('--at <time>', "a moment in the archive's window to restore to (ISO 8601 with its zone)")
  .description(
    'replace the database with an export or the archive at a moment: writes paused, connector stopped and reset, read model rebuilt, writes resumed',
  )
  .action((e: Environment, name: string | undefined, o: { at?: string }) =>
    restore(ctx, e, name || undefined, { at: o.at || undefined }),
  );
program
  .command('users')
  .argument('<env>', 'prod', prodOnly)
  .description('list the accounts')
  .action((e: Environment) => accounts.users(ctx, e));
program
  .command('user-add')
  .argument('<env>', 'prod', prodOnly)
  .argument('[name]')
  .argument('[role]', 'viewer or operator')
  .description('add an account; its generated password is printed once')
  .action((e: Environment, name?: string, role?: string) =>
    accounts.userAdd(ctx, e, name || undefined, role || undefined),
  );
program
  .command('user-remove')
  .argument('<env>', 'prod', prodOnly)
  .argument('[name]')
  .description('remove an account and end its sessions')
  .action((e: Environment, name?: string) => accounts.userRemove(ctx, e, name || undefined));
program
  .command('tokens')
  .argument('<env>', 'prod', prodOnly)
  .description('list the API tokens')
  .action((e: Environment) => accounts.tokens(ctx, e));
program
  .command('token-add')
  .argument('<env>', 'prod', prodOnly)
  .argument('[name]')
  .argument('[role]', 'viewer or operator')
  .description('make an API token, printed once and stored hashed')
  .action((e: Environment, name?: string, role?: string) =>
    accounts.tokenAdd(ctx, e, name || undefined, role || undefined),
  );
program
  .command('token-remove')
  .argument('<env>', 'prod', prodOnly)
  .argument('[name]')
  .description('revoke an API token')
  .action((e: Environment, name?: string) => accounts.tokenRemove(ctx, e, name || undefined));
program
  .command('reset-admin')
  .argument('<env>', 'prod', prodOnly)
  .description('give the admin a new password, written into the env file and never printed')
  .action((e: Environment) => accounts.resetAdmin(ctx, e));
program
  .command('clean-test')
  .description('remove test runs whose owner is gone (killed or closed); live runs are left alone')
  .action(() => cleanTest(ctx));

runMain('env', async () => {
  await program.parseAsync();
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
});
