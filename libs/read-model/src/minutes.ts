/**
 * The projection's latency and throughput per minute, for the dashboard's chart: each minute is a hash of
 * latency buckets (commit in Postgres to the read model, ms) to counts, kept two hours. Percentiles read
 * from buckets are their upper bounds: coarse, and never better than the truth.
 */
export const LATENCY_BUCKETS_MS = [25, 50, 100, 200, 400, 800, 1600, 3200, 6400, 12_800] as const;
const OVER = 'over';
export const MINUTE_KEEP_SECONDS = 2 * 3600;

export const minuteOf = (ms: number) => Math.floor(ms / 60_000);
export const minuteKey = (minute: number) => `minute:${minute}`;

/** The bucket a latency falls in: its upper bound in ms, or "over" past the last. */
export function bucketOf(latencyMs: number): string {
  const bound = LATENCY_BUCKETS_MS.find((b) => latencyMs <= b);
  return bound === undefined ? OVER : String(bound);
}

export interface MinuteFigures {
  /** Minutes since the epoch. */
  minute: number;
  /** Changes projected in that minute. */
  count: number;
  /** Upper bounds of the buckets holding the median and the 99th percentile, in ms; null without changes. */
  p50: number | null;
  p99: number | null;
}

/** One minute's figures from its bucket counts. */
export function figuresOf(minute: number, buckets: Record<string, string>): MinuteFigures {
  const bounds = [...LATENCY_BUCKETS_MS.map(String), OVER];
  const counts = bounds.map((b) => Number(buckets[b] ?? 0));
  const count = counts.reduce((a, b) => a + b, 0);
  const at = (q: number) => {
    if (count === 0) return null;
    let seen = 0;
    for (const [i, n] of counts.entries()) {
      seen += n;
      if (seen >= q * count)
        return i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i]! : LATENCY_BUCKETS_MS.at(-1)! * 2;
    }
    return null;
  };
  return { minute, count, p50: at(0.5), p99: at(0.99) };
}
