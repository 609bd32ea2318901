import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { positive, positiveList } from '@chorus/cli-args';
import { EXIT, runMain } from '@chorus/errors';
import { logs } from './compose.ts';
import { ENVIRONMENTS, ENV_NAMES, type EnvName, type Environment, repoRoot } from './environments.ts';
import { clean, start, stop } from './lifecycle.ts';
import { status } from './status.ts';
import { cleanTestRuns, testRun } from './test-env.ts';
import { chaos } from './chaos.ts';
import { rebuildReadModel } from './rebuild.ts';
import { BENCH_DEFAULTS } from '@chorus/load-reports';
import { type BenchOptions, bench } from './bench.ts';
import { checkDocker } from './preflight.ts';
import { describeImages, resolveImages, wantedImages } from './images.ts';
import { readEnvFile } from './env-file.ts';

const root = repoRoot();

/** prod or dev: the environments an operator starts, stops and deletes by name. */
function lastingEnv(value: string): Environment {
  if (value !== 'prod' && value !== 'dev') {
    const hint = ENV_NAMES.includes(value as EnvName) ? '; the test environment runs per `make test` and is cleaned with `env clean-test`' : '';
    throw new InvalidArgumentError(`choose prod or dev${hint}`);
  }
  return ENVIRONMENTS[value];
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
  .action((e: Environment, o: { build: boolean }) => start(root, e, o));
program.command('down').argument('<env>', 'prod or dev', lastingEnv).description('stop the environment, keeping its volumes').action((e: Environment) => stop(root, e));
program
  .command('test')
  .option('--no-build', 'run the app images prod and dev use (chorus/*:local) as they are, instead of building its own')
  .description('bring up a test run in its own project, run chorus-tester, always tear down')
  .action((o: { build: boolean }) => testRun(root, o));
program
  .command('chaos')
  .option('--no-build', 'run the app images prod and dev use (chorus/*:local) as they are, instead of building its own')
  .description('a project of its own from the test file: kill and restart each service under a steady writer; the read model must match Postgres again')
  .action((o: { build: boolean }) => chaos(root, o));
program
  .command('bench')
  .option('--no-build', 'run the app images prod and dev use (chorus/*:local) as they are, instead of building its own')
  .option('--no-baseline', 'measure the tuned settings only (no fsync-on run, no baseline)')
  .option('--rates <list>', 'fixed offered rates, rows a second', positiveList, [...BENCH_DEFAULTS.rates])
  .option('--seconds <n>', 'seconds per fixed rate', positive, BENCH_DEFAULTS.seconds)
  .option('--ramp <list>', 'then these rates, until one is not kept up with', positiveList, [...BENCH_DEFAULTS.ramp])
  .option('--ramp-seconds <n>', 'seconds per ramp rate', positive, BENCH_DEFAULTS.rampSeconds)
  .description('CDC latency from INSERT to the read model at fixed rates and a ramp, tuned and baseline, in projects of their own')
  .action((o: BenchOptions) => bench(root, o));
program
  .command('rebuild-read-model')
  .argument('<env>', 'prod or dev', lastingEnv)
  .description('clear the Redis read model and rebuild it from the change topic and an incremental snapshot of Postgres, while streaming goes on')
  .action(async (e: Environment) => {
    checkDocker();
    await rebuildReadModel(root, e.project, e.name);
  });
program
  .command('images')
  .option('--env <name>', "resolve for this environment's env file (its *_IMAGE lines)", anyEnv, ENVIRONMENTS.dev)
  .option('--print', 'print NAME=reference lines, for scripts')
  .description('make every third-party image present: here already, else pulled, else built offline (CHORUS_IMAGES=auto|pull|local)')
  .action(async (o: { env: Environment; print?: boolean }) => {
    checkDocker();
    const envFile = existsSync(join(root, o.env.envFile)) ? readEnvFile(root, o.env) : {};
    const resolved = await resolveImages(root, { wanted: wantedImages(envFile) });
    if (o.print) for (const r of resolved) process.stdout.write(`${r.key}=${r.ref}\n`);
    else describeImages(resolved);
  });
program.command('status').description('every environment and test run: services, health, ports, connector state').action(() => status(root));
program
  .command('logs')
  .argument('<env>', 'prod or dev', lastingEnv)
  .description('follow the logs')
  .action(async (e: Environment) => {
    checkDocker();
    process.exitCode = await logs(root, e.project, { follow: true });
  });
program
  .command('clean')
  .argument('<env>', 'prod or dev', lastingEnv)
  .option('-y, --yes', 'do not ask')
  .description('stop the environment and delete its volumes, after asking')
  .action((e: Environment, o: { yes?: boolean }) => clean(root, e, { yes: Boolean(o.yes) }));
program.command('clean-test').description('remove test runs whose owner is gone (killed or closed); live runs are left alone').action(() => cleanTestRuns(root));

runMain('env', async () => {
  await program.parseAsync();
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
});
