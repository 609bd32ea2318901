/**
 * How CHORUS summarises latencies, one rule for the processor's /healthz and `make bench`: the
 * nearest-rank percentile (the smallest value with at least q of the values at or below it).
 */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** The nearest-rank q-percentile (0 < q <= 1) of values sorted ascending; undefined when there are none. */
export function percentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** p50, p95, p99 and max of the values (any order); null when there are none. */
export function summarize(values: readonly number[]): LatencySummary | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  return {
    count: list.length,
    p50: percentile(list, 0.5)!,
    p95: percentile(list, 0.95)!,
    p99: percentile(list, 0.99)!,
    max: list[list.length - 1]!,
  };
}
