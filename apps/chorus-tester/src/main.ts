/**
 * The tester's load tools, run inside a test-file project by `make chaos` and `make bench`. Each
 * command prints its results on stdout as JSON, one document a line, and its progress on stderr.
 */
import { Command } from 'commander';
import { positive, positiveList, positiveListOrNone } from '@chorus/cli-args';
import { EXIT, runMain } from '@chorus/errors';
import { BENCH_DEFAULTS, type BenchStep, FIRST_MINUTE, PATTERN_DEFAULTS } from '@chorus/load-reports';
import { CONNECT_TIMEOUT_MS, step } from './bench.ts';
import { converge, write } from './chaos.ts';
import { adminCookie, openPool, openReadModel, settings } from './connections.ts';

const emit = (result: unknown) => void process.stdout.write(`${JSON.stringify(result)}\n`);
const progress = (line: string) => void process.stderr.write(`${line}\n`);
const outcome = (r: Omit<BenchStep, 'phase'>) =>
  progress(
    `  committed ${r.achieved} rows/s; p50 ${r.latency?.p50 ?? '-'} ms, p99 ${r.latency?.p99 ?? '-'} ms, max ${r.latency?.max ?? '-'} ms; ${r.sustained ? 'kept up' : `did not keep up (${r.missing} missing, ${r.failed} failed)`}`,
  );

const program = new Command()
  .name('chorus-tester')
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.config));

program
  .command('chaos-write')
  .description('submit, cancel and delete tasks at a steady rate; print what was written')
  .requiredOption('--rate <n>', 'operations a second', positive)
  .requiredOption('--seconds <n>', 'how long', positive)
  .requiredOption('--run <id>', 'keeps this writer’s tasks apart from other writers’')
  .action(async (o: { rate: number; seconds: number; run: string }) => {
    const pool = openPool(2);
    emit(await write(pool, o));
    await pool.end();
  });

program
  .command('converge')
  .description('compare Postgres with the read model until they match; print the comparison')
  .requiredOption('--timeout <seconds>', 'give up after', positive)
  .action(async (o: { timeout: number }) => {
    const [pool, { model, redis }] = [openPool(1), openReadModel()];
    emit(await converge(pool, model, o.timeout));
    await pool.end();
    redis.disconnect();
  });

program
  .command('bench')
  .description('fixed offered rates, then a ramp that stops at the first rate not sustained; a result line per step')
  .requiredOption('--label <name>', 'keeps this run’s rows apart')
  .option('--rates <list>', 'fixed offered rates, rows a second (none: 0)', positiveListOrNone, [
    ...BENCH_DEFAULTS.rates,
  ])
  .option('--seconds <n>', 'seconds per fixed rate', positive, BENCH_DEFAULTS.seconds)
  .option('--ramp <list>', 'ramp rates, rows a second (none: 0)', positiveListOrNone, [...BENCH_DEFAULTS.ramp])
  .option('--ramp-seconds <n>', 'seconds per ramp rate', positive, BENCH_DEFAULTS.rampSeconds)
  .option('--single <list>', 'single-row autocommit INSERTs, transactions a second (none: 0)', positiveListOrNone, [
    ...PATTERN_DEFAULTS.single,
  ])
  .option('--api <list>', 'POST /api/tasks through the web app, requests a second (none: 0)', positiveListOrNone, [
    ...PATTERN_DEFAULTS.api,
  ])
  .option('--pattern-seconds <n>', 'seconds per single-row or API rate', positive, PATTERN_DEFAULTS.seconds)
  .option(
    '--connections <n>',
    'writes in flight in the single-row and API steps',
    positive,
    PATTERN_DEFAULTS.connections,
  )
  .option(
    '--first-minute',
    `first, before any warm-up: single-row writes at ${FIRST_MINUTE.rate} tx/s for ${FIRST_MINUTE.seconds} s`,
  )
  .action(
    async (o: {
      label: string;
      rates: number[];
      seconds: number;
      ramp: number[];
      rampSeconds: number;
      single: number[];
      api: number[];
      patternSeconds: number;
      connections: number;
      firstMinute?: boolean;
    }) => {
      const [pool, { model, redis }] = [openPool(4, CONNECT_TIMEOUT_MS), openReadModel()];
      const singles = openPool(o.connections, CONNECT_TIMEOUT_MS);
      if (o.firstMinute) {
        progress(
          `bench ${o.label}: the first minute, ${FIRST_MINUTE.rate} single-row transactions a second for ${FIRST_MINUTE.seconds} s`,
        );
        const result = await step(singles, model, {
          rate: FIRST_MINUTE.rate,
          seconds: FIRST_MINUTE.seconds,
          label: `${o.label} first-minute`,
          mode: 'single',
          connections: o.connections,
        });
        outcome(result);
        emit({ phase: 'start', ...result });
      }
      // Warm-up: the first rows pay for connections and JIT, not the pipeline.
      await step(pool, model, { rate: 200, seconds: 3, label: `${o.label} warm-up` });
      let floorP50: number | undefined;
      // Each step's rows are its own (the step's number is in their label), even when a rate repeats.
      for (const [i, rate] of o.rates.entries()) {
        progress(`bench ${o.label}: ${rate} rows/s for ${o.seconds} s`);
        const result = await step(pool, model, {
          rate,
          seconds: o.seconds,
          label: `${o.label} ${i + 1} ${rate}`,
          floorP50,
        });
        floorP50 ??= result.latency?.p50;
        outcome(result);
        emit({ phase: 'fixed', ...result });
      }
      const patterns = [
        ...o.single.map((rate) => ['single', rate] as const),
        ...o.api.map((rate) => ['api', rate] as const),
      ];
      const web = o.api.length > 0 ? { url: settings().webUrl, cookie: await adminCookie() } : undefined;
      for (const [i, [mode, rate]] of patterns.entries()) {
        progress(
          `bench ${o.label}: ${mode === 'api' ? `${rate} POST /api/tasks a second` : `${rate} single-row transactions a second`} over ${o.connections} connections for ${o.patternSeconds} s`,
        );
        const result = await step(mode === 'single' ? singles : pool, model, {
          rate,
          seconds: o.patternSeconds,
          label: `${o.label} ${mode} ${i + 1} ${rate}`,
          mode,
          connections: o.connections,
          web,
        });
        outcome(result);
        emit({ phase: 'fixed', ...result });
      }
      for (const [i, rate] of o.ramp.entries()) {
        progress(`bench ${o.label}: ramp ${rate} rows/s for ${o.rampSeconds} s`);
        const result = await step(pool, model, {
          rate,
          seconds: o.rampSeconds,
          label: `${o.label} ramp ${i + 1} ${rate}`,
          floorP50,
        });
        outcome(result);
        emit({ phase: 'ramp', ...result });
        if (!result.sustained) break;
      }
      await Promise.all([pool.end(), singles.end()]);
      redis.disconnect();
    },
  );

runMain('chorus-tester', async () => {
  await program.parseAsync();
  return EXIT.ok;
});
