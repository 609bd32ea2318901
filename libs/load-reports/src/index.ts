/**
 * What the tester's load tools print, one JSON document a line on stdout, and the env CLI reads back:
 * one shape for both sides, checked where it is read.
 */
import { z } from 'zod';
import type { LatencySummary } from '@chorus/latency';

const count = z.number().int().nonnegative();

/** The chaos writer: what it wrote while a fault happened. */
export const writerReport = z.object({
  submitted: count,
  cancelled: count,
  deleted: count,
  /** Writes that failed (Postgres down); Postgres itself is the truth the check compares with. */
  failed: count,
  seconds: z.number(),
});
export type WriterReport = z.infer<typeof writerReport>;

/** The upgrade check's API writer (deploy/verify/writer): what the web app answered while prod was upgraded. */
export const apiWriterReport = z.object({
  sent: count,
  /** The hashes of the tasks the API accepted (201). */
  accepted: z.array(z.string()),
  /** 503 answers: with Retry-After, as a paused write must be, and without. */
  refused: z.object({ withRetryAfter: count, withoutRetryAfter: count }),
  otherStatuses: z.record(z.string(), count),
  /** No answer within 10 s, or the connection refused (the web being replaced). */
  noAnswer: count,
  /** When the first and the last 503 came, in ms from the writer's start. */
  firstRefusedAt: z.number().nullable(),
  lastRefusedAt: z.number().nullable(),
});
export type ApiWriterReport = z.infer<typeof apiWriterReport>;

/** Postgres against the read model, task by task. */
export const comparison = z.object({
  /** Tasks in Postgres. */
  tasks: count,
  /** In Postgres, missing from the read model. */
  lost: count,
  /** In both, with another status in the read model. */
  stale: count,
  /** In the read model, deleted from Postgres. */
  resurrected: count,
  /** A few hashes of each kind, to start from when one is not 0. */
  examples: z.array(z.string()),
});
export type Comparison = z.infer<typeof comparison>;

export const convergence = comparison.extend({ converged: z.boolean(), seconds: z.number() });
export type Convergence = z.infer<typeof convergence>;

const latencySummary = z.object({
  count,
  p50: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
}) satisfies z.ZodType<LatencySummary>;

/** The benchmark's rates, as make bench runs them: fixed rates, then a ramp to the first rate not kept up with. */
export const BENCH_DEFAULTS = {
  rates: [100, 1000, 5000],
  seconds: 20,
  ramp: [6000, 8000, 10000, 12000, 14000, 16000],
  rampSeconds: 10,
} as const;

/**
 * How the benchmark writes: `batch` (one INSERT of all the rows due), `single` (one autocommit INSERT a
 * row, as the web app writes) or `api` (one POST /api/tasks a row, through the web app).
 */
export const WRITE_MODES = ['batch', 'single', 'api'] as const;
export type WriteMode = (typeof WRITE_MODES)[number];

/**
 * The single-row and API steps make bench adds to the batched ones, and how many connections write. 16,
 * not 8: a single-row commit takes about 4 ms here, so 2,000 a second keep 8 in flight on average. Over 8
 * connections the writer itself topped out at 1,529 a second (queueing 1.1 s before its INSERTs), while
 * over 16 the same step committed 2,000 with a p99 of 17 ms.
 */
export const PATTERN_DEFAULTS = { single: [500, 1000, 2000], api: [200, 500], seconds: 10, connections: 16 } as const;

/** The first minute after ready: single-row writes at this rate for 60 s, from the moment the project is healthy. */
export const FIRST_MINUTE = { rate: 200, seconds: 60, stallMs: 500 } as const;

/** One rate of the benchmark. */
export const benchStep = z.object({
  /** `start`: the first minute after the project reported ready; `fixed` rates; the `ramp`. */
  phase: z.enum(['start', 'fixed', 'ramp']),
  mode: z.enum(WRITE_MODES).default('batch'),
  offered: z.number().int().positive(),
  /** Rows a second the INSERTs committed. */
  achieved: count,
  rows: count,
  /** Rows that never reached the read model within the drain. */
  missing: count,
  /** Rows whose INSERT failed. */
  failed: count,
  /** Why the first of them failed, as the client said it. */
  refusal: z.string().optional(),
  latency: latencySummary.nullable(),
  /** Seconds into the step at which the row with the longest latency was due: a stall at the start shows as near 0. */
  longestAt: z.number().nullable().default(null),
  /**
   * The same rows' latency by stage: INSERT sent to its commit in Postgres (Debezium's source.ts_ms),
   * commit to Connect publishing it to Kafka (the record's timestamp), and Kafka to the processor's write
   * to Redis (projectedAt).
   */
  stages: z.object({
    commit: latencySummary.nullable(),
    toKafka: latencySummary.nullable(),
    toRedis: latencySummary.nullable(),
  }),
  /** Medians of the first and last third of the rows, in write order: growing lag shows as a rise. */
  firstThirdP50: z.number().nullable(),
  lastThirdP50: z.number().nullable(),
  /**
   * Kept up with: committed at 95 % of the offered rate or more, every row arrived, the lag did not grow
   * during the step, and the median stayed within 500 ms of the same setup's median at the lowest rate.
   */
  sustained: z.boolean(),
});
export type BenchStep = z.infer<typeof benchStep>;

/** The documents of one kind in a tool's output; other lines (there should be none) are ignored. */
export function readReports<T>(schema: z.ZodType<T>, out: string): T[] {
  return out
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => schema.parse(JSON.parse(line)));
}
