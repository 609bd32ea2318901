/**
 * `make bench`: the CDC path's latency, from the INSERT to the task in the read model, at fixed offered
 * rates and then a ramp, in projects of their own from the test file. One run measures three setups:
 *   tuned      CDC_PROFILE=low-latency, what every environment runs, on test's Postgres (fsync off);
 *   durable    the same with Postgres fsync on, as prod and dev run it;
 *   baseline   CDC_PROFILE=baseline, the upstream defaults, on test's Postgres,
 * so each figure comes with its ratio to the baseline.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cdcTuning } from '@chorus/config';
import { OperatorError } from '@chorus/errors';
import { type BenchStep, benchStep, readReports } from '@chorus/load-reports';
import { TESTER_IMAGE } from 'env-cli/app-images.ts';
import type { Context } from 'env-cli/context.ts';
import { benchTable, firstMinuteLines, ms, refusals, stageTable, sustainedRate, targetLines } from '../bench-report.ts';
import { print, say } from 'env-cli/output.ts';
import { withRunProject } from 'env-cli/run-project.ts';

export interface BenchOptions {
  build: boolean;
  rates: number[];
  seconds: number;
  ramp: number[];
  rampSeconds: number;
  /** Measure the baseline too (the default). */
  baseline: boolean;
  /** Single-row autocommit rates and API rates (the web app's own pattern), each `patternSeconds` long. */
  single: number[];
  api: number[];
  patternSeconds: number;
  connections: number;
}

export const SETUPS = {
  tuned: { CDC_PROFILE: 'low-latency' },
  durable: { CDC_PROFILE: 'low-latency', POSTGRES_FSYNC: 'on' },
  baseline: { CDC_PROFILE: 'baseline' },
} as const;
export type Setup = keyof typeof SETUPS;

async function measure(ctx: Context, setup: Setup, o: BenchOptions): Promise<BenchStep[]> {
  let steps: BenchStep[] = [];
  await withRunProject(
    ctx,
    { purpose: `bench run (${setup})`, build: o.build, vars: { ...SETUPS[setup] } },
    async (run, timings) => {
      const started = Date.now();
      // The prod-like setup also measures its first minute after ready, as users write when make run-prod says ready.
      const args = ['--label', setup, ...benchArgs(o), ...(setup === 'durable' ? ['--first-minute'] : [])];
      const result = await ctx.compose.runCapture(run, TESTER_IMAGE, ['node', '/app/main.cjs', 'bench', ...args]);
      if (result.code !== 0)
        throw new OperatorError(`the benchmark driver failed (exit ${result.code}); its output is above`);
      steps = readReports(benchStep, result.out);
      timings.push(`measuring ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
  );
  return steps;
}

/** The driver's arguments for these options (the same words make bench prints as its command). */
const list = (rates: number[]) => (rates.length ? rates.join(',') : '0');
export const benchArgs = (o: BenchOptions) => [
  ...[
    '--rates',
    o.rates.join(','),
    '--seconds',
    String(o.seconds),
    '--ramp',
    o.ramp.join(','),
    '--ramp-seconds',
    String(o.rampSeconds),
  ],
  ...[
    '--single',
    list(o.single),
    '--api',
    list(o.api),
    '--pattern-seconds',
    String(o.patternSeconds),
    '--connections',
    String(o.connections),
  ],
];

/**
 * Guards that machine noise cannot trip. The baseline's median has a floor of Debezium's 500 ms poll
 * interval, which the tuning removes, whatever the machine: the tuned median at the lowest fixed rate must be
 * at least 3× below the same run's baseline. And the tuned setup must keep up with 1,000 rows/s. (Tails and
 * 5,000 rows/s move with the machine: on a slow day the unchanged code missed both.)
 */
export const GUARD = { minP50Ratio: 3, keepUpRate: 1000 } as const;

export function benchRegressions(tuned: BenchStep[], baseline: BenchStep[] | undefined): string[] {
  const fixed = (steps: BenchStep[] | undefined, rate: number) =>
    steps?.find((s) => s.phase === 'fixed' && s.mode === 'batch' && s.offered === rate);
  const out: string[] = [];
  const lowest = Math.min(...tuned.filter((s) => s.phase === 'fixed' && s.mode === 'batch').map((s) => s.offered));
  const [t, b] = [fixed(tuned, lowest), fixed(baseline, lowest)];
  if (t?.latency && b?.latency && b.latency.p50 / t.latency.p50 < GUARD.minP50Ratio) {
    out.push(
      `at ${lowest} rows/s the tuned median (${ms(t.latency.p50)} ms) is not ${GUARD.minP50Ratio}× below the baseline's (${ms(b.latency.p50)} ms)`,
    );
  }
  const k = fixed(tuned, GUARD.keepUpRate);
  if (k && !k.sustained) out.push(`the tuned setup did not keep up at ${GUARD.keepUpRate} rows/s`);
  return out;
}

export async function bench(ctx: Context, o: BenchOptions): Promise<void> {
  const setups: Setup[] = o.baseline ? ['tuned', 'durable', 'baseline'] : ['tuned'];
  const results = new Map<Setup, BenchStep[]>();
  // Each setup builds and tags the images it runs (Docker's layer cache makes the second build a retag):
  // one setup's teardown untags its own, so no setup may lean on another's.
  for (const setup of setups) results.set(setup, await measure(ctx, setup, o));
  const [tuned, durable, baseline] = [results.get('tuned')!, results.get('durable'), results.get('baseline')];
  const command = `make bench (env bench ${benchArgs(o).join(' ')})`;
  const sustained = (label: string, steps: BenchStep[] | undefined) =>
    steps ? `${label} ${sustainedRate(steps)} rows/s` : undefined;
  const out = [
    '',
    `Benchmark: ${command}`,
    'Latency: from sending the INSERT to the stream processor writing the task to Redis (its projectedAt); one host, one clock.',
    [
      'Batched: one INSERT of the rows due, 4 in flight.',
      `Single-row: one autocommit INSERT a row over ${o.connections} connections, as the web app writes.`,
      `API: POST /api/tasks through the web app, ${o.connections} in flight.`,
      'Single-row and API latency counts from when a row was due, so a driver falling behind shows.',
    ].join(' '),
    `Tuned (CDC_PROFILE=low-latency, libs/config/src/cdc-profile.ts, every environment's setting): ${JSON.stringify(cdcTuning('low-latency'))}`,
    ...(durable
      ? ["fsync on: the tuned settings with Postgres's fsync on, as prod and dev run it (test runs it off)."]
      : []),
    ...(baseline
      ? [
          'Baseline (CDC_PROFILE=baseline): the upstream defaults (Debezium poll.interval.ms 500, kafkajs maxWaitTimeInMs 5000, each offset commit awaited).',
        ]
      : []),
    benchTable(tuned, durable, baseline),
    'Where the time goes (ms): INSERT sent → commit in Postgres (source.ts_ms) → Connect publishes to Kafka (record timestamp) → processor writes Redis (projectedAt).',
    stageTable([...results]),
    `Sustained without growing lag (batched): ${[sustained('tuned', tuned), sustained('fsync on', durable), sustained('baseline', baseline)].filter(Boolean).join('; ')}`,
    ...targetLines([...results]),
    ...firstMinuteLines([...results]),
    '',
  ].join('\n');
  print(out);
  const reports = join(ctx.root, 'reports');
  mkdirSync(reports, { recursive: true });
  writeFileSync(join(reports, 'bench.json'), `${JSON.stringify({ command, tuned, durable, baseline }, null, 2)}\n`);
  say('figures also in reports/bench.json');
  const regressions = benchRegressions(tuned, baseline);
  if (regressions.length > 0)
    throw new OperatorError(
      `the tuning regressed: ${regressions.join('; ')}. Compare the tables above with docs/performance.md's`,
    );
  const lost = [...results.values()].flat().filter((s) => s.missing > 0 && s.phase !== 'ramp');
  if (lost.length > 0)
    throw new OperatorError(
      `rows never reached the read model at ${lost.map((s) => `${s.offered} rows/s`).join(', ')}: the pipeline lost or stalled on them`,
    );
  const refused = refusals([...results.values()].flat());
  if (refused) throw new OperatorError(refused);
}
