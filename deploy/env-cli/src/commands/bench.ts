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
import { TESTER_IMAGE } from '../app-images.ts';
import type { Context } from '../context.ts';
import { print, say, table } from '../output.ts';
import { withRunProject } from '../run-project.ts';

export interface BenchOptions {
  build: boolean;
  rates: number[];
  seconds: number;
  ramp: number[];
  rampSeconds: number;
  /** Measure the baseline too (the default). */
  baseline: boolean;
}

export const SETUPS = {
  tuned: { CDC_PROFILE: 'low-latency' },
  durable: { CDC_PROFILE: 'low-latency', POSTGRES_FSYNC: 'on' },
  baseline: { CDC_PROFILE: 'baseline' },
} as const;
export type Setup = keyof typeof SETUPS;

async function measure(ctx: Context, setup: Setup, o: BenchOptions): Promise<BenchStep[]> {
  let steps: BenchStep[] = [];
  await withRunProject(ctx, { purpose: `bench run (${setup})`, build: o.build, vars: { ...SETUPS[setup] } }, async (run, timings) => {
    const started = Date.now();
    const args = ['--label', setup, '--rates', o.rates.join(','), '--seconds', String(o.seconds), '--ramp', o.ramp.join(','), '--ramp-seconds', String(o.rampSeconds)];
    const result = await ctx.compose.runCapture(run, TESTER_IMAGE, ['node', '/app/main.cjs', 'bench', ...args]);
    if (result.code !== 0) throw new OperatorError(`the benchmark driver failed (exit ${result.code}); its output is above`);
    steps = readReports(benchStep, result.out);
    timings.push(`measuring ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
  return steps;
}

const ms = (v: number | undefined | null) => (v === undefined || v === null ? '-' : `${Math.round(v)}`);
const ratio = (base: number | undefined, tuned: number | undefined) => (base && tuned ? `${(base / tuned).toFixed(1)}×` : '-');
/** The highest rate a profile committed and projected without growing lag. */
export const sustainedRate = (steps: BenchStep[]) => Math.max(0, ...steps.filter((s) => s.sustained).map((s) => s.achieved));

export function benchTable(tuned: BenchStep[], durable: BenchStep[] | undefined, baseline: BenchStep[] | undefined): string {
  const same = (steps: BenchStep[] | undefined, t: BenchStep) => steps?.find((s) => s.phase === t.phase && s.offered === t.offered);
  const rows = tuned.map((t) => {
    const d = same(durable, t);
    const b = same(baseline, t);
    const l = t.latency;
    return [
      `${t.phase === 'ramp' ? 'ramp ' : ''}${t.offered}`,
      String(t.achieved),
      ms(l?.p50),
      ms(l?.p95),
      ms(l?.p99),
      ms(l?.max),
      t.sustained ? 'yes' : `no${t.missing ? ` (${t.missing} missing)` : ''}`,
      ...(durable ? [ms(d?.latency?.p50), ms(d?.latency?.p99), d ? (d.sustained ? 'yes' : 'no') : '-'] : []),
      ...(baseline ? [ms(b?.latency?.p50), ms(b?.latency?.p99), ratio(b?.latency?.p50, l?.p50), ratio(b?.latency?.p99, l?.p99)] : []),
    ];
  });
  return table(
    [
      'offered rows/s',
      'committed rows/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'kept up',
      ...(durable ? ['fsync-on p50', 'fsync-on p99', 'fsync-on kept up'] : []),
      ...(baseline ? ['baseline p50', 'baseline p99', 'p50 ratio', 'p99 ratio'] : []),
    ],
    rows,
  );
}

/** Where the time goes, stage by stage, at the fixed rates of each setup measured. */
export function stageTable(results: [Setup, BenchStep[]][]): string {
  const pair = (l: { p50: number; p99: number } | null) => (l ? `${ms(l.p50)} / ${ms(l.p99)}` : '-');
  const rows = results.flatMap(([setup, steps]) =>
    steps.filter((s) => s.phase === 'fixed').map((s) => [setup, String(s.offered), pair(s.stages.commit), pair(s.stages.toKafka), pair(s.stages.toRedis), pair(s.latency)]),
  );
  return table(['setup', 'offered rows/s', 'INSERT → commit p50/p99', 'commit → Kafka p50/p99', 'Kafka → Redis p50/p99', 'end to end p50/p99'], rows);
}

/**
 * Guards that machine noise cannot trip. The baseline's median has a floor of Debezium's 500 ms poll
 * interval, which the tuning removes, whatever the machine: the tuned median at the lowest fixed rate must be
 * at least 3× below the same run's baseline. And the tuned setup must keep up with 1,000 rows/s. (Tails and
 * 5,000 rows/s move with the machine: on a slow day the unchanged code missed both.)
 */
export const GUARD = { minP50Ratio: 3, keepUpRate: 1000 } as const;

export function benchRegressions(tuned: BenchStep[], baseline: BenchStep[] | undefined): string[] {
  const fixed = (steps: BenchStep[] | undefined, rate: number) => steps?.find((s) => s.phase === 'fixed' && s.offered === rate);
  const out: string[] = [];
  const lowest = Math.min(...tuned.filter((s) => s.phase === 'fixed').map((s) => s.offered));
  const [t, b] = [fixed(tuned, lowest), fixed(baseline, lowest)];
  if (t?.latency && b?.latency && b.latency.p50 / t.latency.p50 < GUARD.minP50Ratio) {
    out.push(`at ${lowest} rows/s the tuned median (${ms(t.latency.p50)} ms) is not ${GUARD.minP50Ratio}× below the baseline's (${ms(b.latency.p50)} ms)`);
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
  const command = `make bench (env bench --rates ${o.rates.join(',')} --seconds ${o.seconds} --ramp ${o.ramp.join(',')} --ramp-seconds ${o.rampSeconds})`;
  const sustained = (label: string, steps: BenchStep[] | undefined) => (steps ? `${label} ${sustainedRate(steps)} rows/s` : undefined);
  const out = [
    '',
    `Benchmark: ${command}`,
    'Latency: from sending the INSERT to the stream processor writing the task to Redis (its projectedAt); one host, one clock.',
    `Tuned (CDC_PROFILE=low-latency, libs/config/src/cdc-profile.ts, every environment's setting): ${JSON.stringify(cdcTuning('low-latency'))}`,
    ...(durable ? ["fsync on: the tuned settings with Postgres's fsync on, as prod and dev run it (test runs it off)."] : []),
    ...(baseline ? ['Baseline (CDC_PROFILE=baseline): the upstream defaults (Debezium poll.interval.ms 500, kafkajs maxWaitTimeInMs 5000, each offset commit awaited).'] : []),
    benchTable(tuned, durable, baseline),
    'Where the time goes (ms): INSERT sent → commit in Postgres (source.ts_ms) → Connect publishes to Kafka (record timestamp) → processor writes Redis (projectedAt).',
    stageTable([...results]),
    `Sustained without growing lag: ${[sustained('tuned', tuned), sustained('fsync on', durable), sustained('baseline', baseline)].filter(Boolean).join('; ')}`,
    '',
  ].join('\n');
  print(out);
  const reports = join(ctx.root, 'reports');
  mkdirSync(reports, { recursive: true });
  writeFileSync(join(reports, 'bench.json'), `${JSON.stringify({ command, tuned, durable, baseline }, null, 2)}\n`);
  say('figures also in reports/bench.json');
  const regressions = benchRegressions(tuned, baseline);
  if (regressions.length > 0) throw new OperatorError(`the tuning regressed: ${regressions.join('; ')}. Compare the tables above with the README's`);
  const lost = [...results.values()].flat().filter((s) => s.missing > 0 && s.phase === 'fixed');
  if (lost.length > 0) throw new OperatorError(`rows never reached the read model at ${lost.map((s) => `${s.offered} rows/s`).join(', ')}: the pipeline lost or stalled on them`);
  // Nothing is down during a benchmark: a refused INSERT is a fault, not a figure.
  const refused = [...results.values()].flat().filter((s) => s.failed > 0);
  if (refused.length > 0) throw new OperatorError(`Postgres refused ${refused.reduce((n, s) => n + s.failed, 0)} INSERTs (at ${refused.map((s) => `${s.offered} rows/s`).join(', ')}); the driver's output above says why`);
}
