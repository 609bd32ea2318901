/**
 * make bench's and make bench-dev's figures as tables and lines: each step by how it wrote, the stages,
 * the product's targets for its write pattern and the first minute after ready.
 */
import { type BenchStep, FIRST_MINUTE } from '@chorus/load-reports';
import { table } from 'env-cli/output.ts';

/** A setup's name: tuned, durable, baseline (make bench) or dev (make bench-dev). */
type Setup = string;

/** A step's name in the tables: the rate, and how it was written unless batched. */
const stepName = (s: BenchStep) =>
  `${s.phase === 'start' ? 'first minute, ' : ''}${s.mode === 'single' ? 'single-row ' : s.mode === 'api' ? 'API ' : ''}${s.phase === 'ramp' ? 'ramp ' : ''}${s.offered}`;

export const ms = (v: number | undefined | null) => (v === undefined || v === null ? '-' : `${Math.round(v)}`);
const ratio = (base: number | undefined, tuned: number | undefined) =>
  base && tuned ? `${(base / tuned).toFixed(1)}×` : '-';
/** The highest rate a profile committed and projected without growing lag. */
export const sustainedRate = (steps: BenchStep[]) =>
  Math.max(0, ...steps.filter((s) => s.sustained && s.mode === 'batch' && s.phase !== 'start').map((s) => s.achieved));

export function benchTable(
  all: BenchStep[],
  durable: BenchStep[] | undefined,
  baseline: BenchStep[] | undefined,
): string {
  const tuned = all.filter((s) => s.phase !== 'start');
  const same = (steps: BenchStep[] | undefined, t: BenchStep) =>
    steps?.find((s) => s.phase === t.phase && s.offered === t.offered && s.mode === t.mode);
  const rows = tuned.map((t) => {
    const d = same(durable, t);
    const b = same(baseline, t);
    const l = t.latency;
    return [
      stepName(t),
      String(t.achieved),
      ms(l?.p50),
      ms(l?.p95),
      ms(l?.p99),
      ms(l?.max),
      t.sustained ? 'yes' : `no${t.missing ? ` (${t.missing} missing)` : ''}`,
      ...(durable ? [ms(d?.latency?.p50), ms(d?.latency?.p99), d ? (d.sustained ? 'yes' : 'no') : '-'] : []),
      ...(baseline
        ? [ms(b?.latency?.p50), ms(b?.latency?.p99), ratio(b?.latency?.p50, l?.p50), ratio(b?.latency?.p99, l?.p99)]
        : []),
    ];
  });
  return table(
    [
      'offered /s',
      'committed /s',
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
export function stageTable(results: [string, BenchStep[]][]): string {
  const pair = (l: { p50: number; p99: number } | null) => (l ? `${ms(l.p50)} / ${ms(l.p99)}` : '-');
  const rows = results.flatMap(([setup, steps]) =>
    steps
      .filter((s) => s.phase !== 'ramp')
      .map((s) => [
        setup,
        stepName(s),
        pair(s.stages.commit),
        pair(s.stages.toKafka),
        pair(s.stages.toRedis),
        pair(s.latency),
      ]),
  );
  return table(
    [
      'setup',
      'offered /s',
      'INSERT (or POST) → commit p50/p99',
      'commit → Kafka p50/p99',
      'Kafka → Redis p50/p99',
      'end to end p50/p99',
    ],
    rows,
  );
}

/** The product's own targets for its write pattern (tuned and fsync on): reported, not asserted; a tail moves with the machine. */
export const PATTERN_TARGETS = [
  { mode: 'single', rate: 1000, p99: 250 },
  { mode: 'single', rate: 2000, p99: 500 },
  { mode: 'api', rate: 500, p99: 300 },
] as const;

export function targetLines(results: [Setup, BenchStep[]][]): string[] {
  return results
    .filter(([setup]) => setup !== 'baseline')
    .flatMap(([setup, steps]) =>
      PATTERN_TARGETS.flatMap((t) => {
        const s = steps.find((x) => x.phase === 'fixed' && x.mode === t.mode && x.offered === t.rate);
        if (!s?.latency) return [];
        return [
          `Target ${t.mode === 'api' ? 'API' : 'single-row'} ${t.rate}/s p99 ≤ ${t.p99} ms (${setup}): ${Math.round(s.latency.p99)} ms, ${s.latency.p99 <= t.p99 ? 'met' : 'NOT met'}`,
        ];
      }),
    );
}

/** The first minute after ready, as measured in a setup: its longest wait against the stall limit. */
export function firstMinuteLines(results: [Setup, BenchStep[]][]): string[] {
  return results.flatMap(([setup, steps]) =>
    steps
      .filter((s) => s.phase === 'start' && s.latency)
      .map((s) =>
        [
          `First minute after ready (${setup}, single-row ${s.offered} tx/s for ${FIRST_MINUTE.seconds} s`,
          `from the moment the project was healthy): p50 ${ms(s.latency!.p50)} ms, p99 ${ms(s.latency!.p99)} ms,`,
          `longest ${ms(s.latency!.max)} ms${s.longestAt === null ? '' : ` (due ${s.longestAt} s in)`};`,
          `no stall over ${FIRST_MINUTE.stallMs} ms: ${s.latency!.max <= FIRST_MINUTE.stallMs ? 'met' : 'NOT met'}`,
        ].join(' '),
      ),
  );
}

/**
 * Nothing is down during a benchmark, so a refused write is a fault, not a figure: what was refused where, and
 * the client's reason for the first refusal of each step (CI keeps only the end of the output).
 */
export function refusals(steps: BenchStep[]): string | undefined {
  const refused = steps.filter((s) => s.failed > 0);
  if (refused.length === 0) return undefined;
  const where = refused.map(
    (s) => `${s.failed} at ${s.offered}/s (${s.mode}, ${s.phase}), the first because: ${s.refusal ?? 'not said'}`,
  );
  return `${refused.reduce((n, s) => n + s.failed, 0)} writes were refused: ${where.join('; ')}`;
}
