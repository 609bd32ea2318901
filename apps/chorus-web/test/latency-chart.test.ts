import { describe, expect, it } from 'vitest';
import type { MinuteFigures } from '@chorus/read-model';
import { latencyChart } from '../src/templates.ts';

const minute = (i: number, count: number, p50: number | null, p99: number | null): MinuteFigures => ({
  minute: 29_000_000 + i,
  count,
  p50,
  p99,
});

describe('the dashboard latency chart', () => {
  it('draws p50 and p99 where there were changes, bars for throughput, and says the same in words', () => {
    const minutes = [minute(0, 0, null, null), minute(1, 120, 50, 400), minute(2, 60, 100, 1600)];
    const svg = latencyChart(minutes).value;
    const lines = [...svg.matchAll(/<polyline points="([^"]*)"/g)].map((m) => m[1]!.split(' '));
    // Two points each (the empty minute has none): p99 first, then p50, each higher on the log axis for the larger value.
    expect(lines.map((l) => l.length)).toEqual([2, 2]);
    const [p99, p50] = lines.map((l) => l.map((point) => Number(point.split(',')[1])));
    expect(p99![0]).toBeLessThan(p50![0]!);
    expect(p50![1]).toBeLessThan(p50![0]!);
    expect(svg.match(/<rect /g)).toHaveLength(3);
    expect(svg).toContain('role="img"');
    expect(svg).toContain(
      'Last hour: 180 changes projected, at most 120 in a minute. Latest minute with changes: p50 under 100 ms, p99 under 1600 ms.',
    );
  });

  it('says when nothing was projected', () => {
    expect(latencyChart([minute(0, 0, null, null)]).value).toContain('No change was projected in the last hour.');
  });
});
