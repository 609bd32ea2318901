/**
 * The verification suites' one CLI (make acceptance runs under vitest instead): each suite brings up what it
 * checks in a project or cluster of its own, on the env CLI's floor (its bring-up, run-project lifecycle,
 * processes and output), and exits non-zero when a check fails.
 */
import { Command } from 'commander';
import { positive, positiveList, positiveListOrNone } from '@chorus/cli-args';
import { EXIT, runMain } from '@chorus/errors';
import { BENCH_DEFAULTS, PATTERN_DEFAULTS } from '@chorus/load-reports';
import { createContext } from 'env-cli/context.ts';
import { type BenchOptions, bench } from './suites/bench.ts';
import { type BenchDevOptions, benchDev } from './suites/bench-dev.ts';
import { chaos } from './suites/chaos.ts';
import { k8sCheck } from './suites/k8s-check.ts';
import { type ParityOptions, parity } from './suites/parity.ts';
import { platformCheck } from './suites/platform-check.ts';
import { pullCheck } from './suites/pull-check.ts';
import { releaseCheck } from './suites/release-check.ts';
import { alertCheck } from './suites/alert-check.ts';
import { disasterDrill } from './suites/disaster-drill.ts';
import { restoreDrill } from './suites/restore-drill.ts';
import { smoke } from './suites/smoke.ts';
import { tlsCheck } from './suites/tls-check.ts';
import { upgradeCheck } from './suites/upgrade-check.ts';

const ctx = createContext();

/** A suite's verdict as the process's exit code. */
const exitWith = async (verdict: Promise<number>) => void (process.exitCode = await verdict);

const program = new Command()
  .name('verify')
  .description('The CHORUS verification suites, each in a project of its own.')
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.config));
program
  .command('smoke')
  .description('the container substrate alone: Postgres -> Debezium -> Kafka, one insert followed')
  .action(() => exitWith(smoke(ctx)));
program
  .command('parity')
  .option(
    '--drop <service.variable>',
    'remove a variable from that service in every Compose file first (a planted fault)',
    (v: string, all: string[]) => [...all, v],
    [] as string[],
  )
  .description("the look-alikes' Kafka and Connect configuration against upstream's rules, for every Compose file")
  .action((o: ParityOptions) => exitWith(parity(ctx, o)));
program
  .command('tls-check')
  .description(
    "prod's proxy configuration: a certificate from an ACME CA (Pebble) and an operator's own, served over HTTPS",
  )
  .action(() => exitWith(tlsCheck(ctx)));
program
  .command('pull-check')
  .description('a test run pulls every image from a registry on 127.0.0.1, builds none, and passes its journey')
  .action(() => exitWith(pullCheck(ctx)));
program
  .command('platform-check')
  .description('dev from a workspace installed for macOS arm64: healthy, and live reload works (needs dev absent)')
  .action(() => exitWith(platformCheck(ctx)));
program
  .command('upgrade-check')
  .option('--from <commit...>', 'these earlier releases instead of deploy/compose/upgrade-from.txt')
  .option('--rollback', 'then roll back to the newest of them (make rollback-prod) and forward again')
  .description(
    'prod upgraded in place from each earlier release, in projects of their own: tasks written before must read back, new ones flow, every service runs this checkout',
  )
  .action((o: { from?: string[]; rollback?: boolean }) => upgradeCheck(ctx, o));
program
  .command('release-check')
  .description(
    'releases of prod under probes and a writer through HTTPS: one that changes the app images with no failed request, one that needs a stop counted',
  )
  .action(() => exitWith(releaseCheck(ctx)));
program
  .command('restore-drill')
  .description(
    'back up and restore a prod-like project of its own, and check the read model against the restored database',
  )
  .action(() => restoreDrill(ctx));
program
  .command('disaster-drill')
  .description(
    'the host lost and prod rebuilt from its object store and exported secrets, at a moment before a mistake; refusals; the RPO',
  )
  .action(() => disasterDrill(ctx));
program
  .command('alert-check')
  .description('an alert reaches a mail server and a webhook, firing and resolved; its consequence is held back')
  .action(() => alertCheck(ctx));
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
  .command('k8s-check')
  .description(
    'the Helm chart on a two-node Kubernetes cluster of its own: installed, the journey, a node lost during writes; always torn down',
  )
  .action(() => k8sCheck(ctx));
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

runMain('env', async () => {
  await program.parseAsync();
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
});
