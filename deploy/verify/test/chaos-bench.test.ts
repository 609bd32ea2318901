import { describe, expect, it } from 'vitest';
import type { BenchStep } from '@chorus/load-reports';
import { benchTable, firstMinuteLines, refusals, stageTable, sustainedRate, targetLines } from '../src/bench-report.ts';
import { benchRegressions } from '../src/suites/bench.ts';
import { type FaultResult, chaosTable, passed } from '../src/suites/chaos.ts';
import { snapshotSignal } from 'env-cli/read-model-rebuild.ts';

const fault = (over: Partial<FaultResult> = {}): FaultResult => ({
  fault: 'Kafka killed',
  written: 3000,
  refused: 0,
  tasks: 2400,
  lost: 0,
  stale: 0,
  resurrected: 0,
  writingAfterSeconds: 5.5,
  convergedSeconds: 12.5,
  healthySeconds: 13,
  examples: [],
  ...over,
});

describe('the chaos verdict', () => {
  it('passes a fault only with nothing lost, stale or resurrected, converged within the limit and healthy again', () => {
    expect(passed(fault())).toBe(true);
    expect(passed(fault({ lost: 1 }))).toBe(false);
    expect(passed(fault({ stale: 1 }))).toBe(false);
    expect(passed(fault({ resurrected: 1 }))).toBe(false);
    expect(passed(fault({ convergedSeconds: null }))).toBe(false);
    expect(passed(fault({ healthySeconds: null }))).toBe(false);
  });

  it('prints a Markdown table with a row per fault and says which failed', () => {
    const lines = chaosTable([fault(), fault({ fault: 'Redis flushed', lost: 4, convergedSeconds: null })]).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\| fault +\| writes +\| refused +\| tasks checked +\| lost +\| stale/);
    expect(lines[2]).toMatch(/\| Kafka killed .*\| 12\.5 .*\| pass +\|$/);
    expect(lines[3]).toMatch(/\| Redis flushed .*\| 4 .*\| over 60 .*\| FAIL +\|$/);
  });
});

const step = (offered: number, p50: number, p99: number, over: Partial<BenchStep> = {}): BenchStep => ({
  phase: 'fixed',
  mode: 'batch',
  offered,
  achieved: offered,
  rows: offered * 20,
  missing: 0,
  failed: 0,
  latency: { count: offered * 20, p50, p95: p99, p99, max: p99 },
  longestAt: null,
  stages: {
    commit: { count: 1, p50: 1, p95: 2, p99: 3, max: 4 },
    toKafka: { count: 1, p50: p50 - 2, p95: p99, p99: p99 - 3, max: p99 },
    toRedis: null,
  },
  firstThirdP50: p50,
  lastThirdP50: p50,
  sustained: true,
  ...over,
});

describe('the benchmark table', () => {
  it('puts the baseline beside each tuned rate, with the ratio', () => {
    const text = benchTable([step(1000, 10, 200)], [step(1000, 20, 300)], [step(1000, 500, 1000)]);
    expect(text.split('\n')[2]).toMatch(
      /\| 1000 +\| 1000 +\| 10 +\| 200 +\| 200 +\| 200 +\| yes +\| 20 +\| 300 +\| yes +\| 500 +\| 1000 +\| 50\.0× +\| 5\.0× +\|/,
    );
  });

  it('says where the time goes, stage by stage, for each setup', () => {
    const lines = stageTable([
      ['tuned', [step(1000, 10, 200), step(2000, 40, 300, { mode: 'single' })]],
      ['baseline', [step(1000, 500, 1000)]],
    ]).split('\n');
    expect(lines[0]).toMatch(
      /\| setup +\| offered \/s +\| INSERT \(or POST\) → commit p50\/p99 +\| commit → Kafka p50\/p99 +\| Kafka → Redis p50\/p99 +\| end to end p50\/p99 +\|/,
    );
    expect(lines[2]).toMatch(/\| tuned +\| 1000 +\| 1 \/ 3 +\| 8 \/ 197 +\| - +\| 10 \/ 200 +\|/);
    expect(lines[3]).toMatch(/\| tuned +\| single-row 2000 +\| 1 \/ 3 +\| 38 \/ 297 +\| - +\| 40 \/ 300 +\|/);
    expect(lines[4]).toMatch(/\| baseline +\| 1000 +\| 1 \/ 3 +\| 498 \/ 997 +\| - +\| 500 \/ 1000 +\|/);
  });

  it("keeps a single-row step apart from the batched one at the same rate, beside the same mode's baseline", () => {
    const tuned = [step(1000, 10, 200), step(1000, 30, 240, { mode: 'single' })];
    const baseline = [step(1000, 500, 1000), step(1000, 600, 1200, { mode: 'single' })];
    const lines = benchTable(tuned, undefined, baseline).split('\n');
    expect(lines[2]).toMatch(/\| 1000 +\| 1000 +\| 10 +\| 200 .*\| 500 +\| 1000 +\| 50\.0× +\| 5\.0× +\|/);
    expect(lines[3]).toMatch(/\| single-row 1000 +\| 1000 +\| 30 +\| 240 .*\| 600 +\| 1200 +\| 20\.0× +\| 5\.0× +\|/);
  });

  it('reports the first minute after ready against the stall limit', () => {
    expect(
      firstMinuteLines([['durable', [step(200, 12, 90, { phase: 'start', mode: 'single' }), step(1000, 10, 200)]]]),
    ).toEqual([
      'First minute after ready (durable, single-row 200 tx/s for 60 s from the moment the project was healthy): p50 12 ms, p99 90 ms, longest 90 ms; no stall over 500 ms: met',
    ]);
    expect(
      firstMinuteLines([['durable', [step(200, 12, 900, { phase: 'start', mode: 'single', longestAt: 0.4 })]]])[0],
    ).toMatch(/longest 900 ms \(due 0\.4 s in\); no stall over 500 ms: NOT met$/);
  });

  it('fails on a refused write, with the reason the driver was given', () => {
    expect(refusals([step(1000, 10, 200)])).toBeUndefined();
    expect(
      refusals([
        step(200, 12, 90, { phase: 'start', mode: 'single', failed: 1, refusal: 'Connection terminated unexpectedly' }),
        step(1000, 10, 200),
      ]),
    ).toBe('1 writes were refused: 1 at 200/s (single, start), the first because: Connection terminated unexpectedly');
  });

  it("reports each target of the product's write pattern as met or not, for tuned and fsync on only", () => {
    const lines = targetLines([
      ['tuned', [step(1000, 30, 240, { mode: 'single' }), step(500, 40, 320, { mode: 'api' })]],
      ['baseline', [step(1000, 600, 1200, { mode: 'single' })]],
    ]);
    expect(lines).toEqual([
      'Target single-row 1000/s p99 ≤ 250 ms (tuned): 240 ms, met',
      'Target API 500/s p99 ≤ 300 ms (tuned): 320 ms, NOT met',
    ]);
  });

  it('takes the sustained rate from the steps that kept up only', () => {
    const steps = [
      step(6000, 20, 100, { phase: 'ramp' }),
      step(8000, 30, 200, { phase: 'ramp', achieved: 7990 }),
      step(10000, 3000, 5000, { phase: 'ramp', sustained: false }),
    ];
    expect(sustainedRate(steps)).toBe(7990);
    expect(sustainedRate([])).toBe(0);
  });
});

describe('the benchmark guard', () => {
  it('passes a tuned median at least 3× below the baseline at the lowest rate that keeps up at 1,000 rows/s', () => {
    expect(
      benchRegressions([step(100, 20, 900), step(1000, 90, 1500)], [step(100, 500, 900), step(1000, 800, 1600)]),
    ).toEqual([]);
  });

  it("fails a tuned median less than 3× below the same run's baseline, naming both", () => {
    expect(benchRegressions([step(100, 200, 300), step(1000, 90, 150)], [step(100, 500, 900)])).toEqual([
      "at 100 rows/s the tuned median (200 ms) is not 3× below the baseline's (500 ms)",
    ]);
  });

  it('fails a tuned run that did not keep up at 1,000 rows/s, with or without a baseline', () => {
    expect(benchRegressions([step(100, 20, 50), step(1000, 3000, 6000, { sustained: false })], undefined)).toEqual([
      'the tuned setup did not keep up at 1000 rows/s',
    ]);
  });
});

describe('the rebuild signal', () => {
  it('asks Debezium for an incremental snapshot of the captured tables through the signalling table', () => {
    expect(snapshotSignal('rebuild-1')).toBe(
      `INSERT INTO public.debezium_signal (id, type, data) VALUES ('rebuild-1', 'execute-snapshot', '{"data-collections":["public.task_queue"],"type":"incremental"}')`,
    );
    // Debezium's signalling table holds ids of up to 42 characters.
    expect(/VALUES \('([^']*)'/.exec(snapshotSignal())?.[1]?.length).toBeLessThanOrEqual(42);
  });
});
