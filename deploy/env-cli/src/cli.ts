import { Command, InvalidArgumentError } from 'commander';
import { positive, positiveList, positiveListOrNone } from '@chorus/cli-args';
import { EXIT, runMain } from '@chorus/errors';
import { BENCH_DEFAULTS, PATTERN_DEFAULTS } from '@chorus/load-reports';
import { backup, backups } from './commands/backup.ts';
import { type BenchOptions, bench } from './commands/bench.ts';
import { type BenchDevOptions, benchDev } from './commands/bench-dev.ts';
import { chaos } from './commands/chaos.ts';
import { clean } from './commands/clean.ts';
import { cleanTest } from './commands/clean-test.ts';
import { down } from './commands/down.ts';
import { images } from './commands/images.ts';
import { k8sCheck } from './commands/k8s-check.ts';
import { logs } from './commands/logs.ts';
import { rebuild } from './commands/rebuild-read-model.ts';
import { restore } from './commands/restore.ts';
import { restoreDrill } from './commands/restore-drill.ts';
import * as accounts from './commands/accounts.ts';
import { rollback } from './commands/rollback.ts';
import { status } from './commands/status.ts';
import { test } from './commands/test.ts';
import { up } from './commands/up.ts';
import { upgradeCheck } from './commands/upgrade-check.ts';
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
  .command('chaos')
  .option('--no-build', 'run the app images prod and dev use (chorus/*:local) as they are, instead of building its own')
  .option(
    '--scale',
    'the scale profile (three brokers, two Connect workers, processor replicas) and its faults instead',
  )
  .description(
    'a project of its own from the test file: kill and restart each service under a steady writer; the read model must match Postgres again',
  )
  .action((o: { build: boolean; scale?: boolean }) => chaos(ctx, o));
program
  .command('bench')
  .option('--no-build', 'run the app images prod and dev use (chorus/*:local) as they are, instead of building its own')
  .option('--no-baseline', 'measure the tuned settings only (no fsync-on run, no baseline)')
  .option('--rates <list>', 'fixed offered rates, rows a second', positiveList, [...BENCH_DEFAULTS.rates])
  .option('--seconds <n>', 'seconds per fixed rate', positive, BENCH_DEFAULTS.seconds)
  .option('--ramp <list>', 'then these rates, until one is not kept up with', positiveList, [...BENCH_DEFAULTS.ramp])
  .option('--ramp-seconds <n>', 'seconds per ramp rate', positive, BENCH_DEFAULTS.rampSeconds)
  .option('--single <list>', 'single-row autocommit INSERTs, transactions a second (0: none)', positiveListOrNone, [
    ...PATTERN_DEFAULTS.single,
  ])
  .option('--api <list>', 'POST /api/tasks through the web app, requests a second (0: none)', positiveListOrNone, [
    ...PATTERN_DEFAULTS.api,
  ])
  .option('--pattern-seconds <n>', 'seconds per single-row or API rate', positive, PATTERN_DEFAULTS.seconds)
  .option(
    '--connections <n>',
    'writes in flight in the single-row and API steps',
    positive,
    PATTERN_DEFAULTS.connections,
  )
  .description(
    'CDC latency from INSERT to the read model: batched, single-row and through the API at fixed rates, then a ramp; tuned, fsync on and baseline, in projects of their own',
  )
  .action((o: BenchOptions) => bench(ctx, o));
program
  .command('bench-dev')
  .option('--single <list>', 'single-row autocommit INSERTs, transactions a second', positiveList, [
    ...PATTERN_DEFAULTS.single,
  ])
  .option('--seconds <n>', 'seconds per rate', positive, PATTERN_DEFAULTS.seconds)
  .option('--connections <n>', 'connections writing at once', positive, PATTERN_DEFAULTS.connections)
  .description("make bench's single-row steps against the running dev (it writes into dev, and deletes its rows after)")
  .action((o: BenchDevOptions) => benchDev(ctx, o));
program
  .command('rollback')
  .argument('<env>', 'prod', prodOnly)
  .description('return prod to the release it ran before (its Compose file and images as deployed), keeping its data')
  .action(async (e: Environment) => void (await rollback(ctx, e)));
program
  .command('upgrade-check')
  .option('--from <commit...>', 'these earlier releases instead of deploy/compose/upgrade-from.txt')
  .option('--rollback', 'then roll back to the newest of them (make rollback-prod) and forward again')
  .description(
    'prod upgraded in place from each earlier release, in projects of their own: tasks written before must read back, new ones flow, every service runs this checkout',
  )
  .action((o: { from?: string[]; rollback?: boolean }) => upgradeCheck(ctx, o));
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
  .argument('[backup]', 'the backup to restore (see `backups`)')
  .description(
    'replace the database with a backup: writes paused, connector stopped and reset, read model rebuilt, writes resumed',
  )
  .action((e: Environment, name: string | undefined) => restore(ctx, e, name || undefined));
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
  .command('k8s-check')
  .description(
    'the Helm chart on a two-node Kubernetes cluster of its own: installed, the journey, a node lost during writes; always torn down',
  )
  .action(() => k8sCheck(ctx));
program
  .command('restore-drill')
  .description(
    'back up and restore a prod-like project of its own, and check the read model against the restored database',
  )
  .action(() => restoreDrill(ctx));
program
  .command('clean-test')
  .description('remove test runs whose owner is gone (killed or closed); live runs are left alone')
  .action(() => cleanTest(ctx));

runMain('env', async () => {
  await program.parseAsync();
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
});
