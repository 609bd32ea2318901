/**
 * The stream processor's GET /healthz reply (200 while healthy, 503 otherwise, same body). The processor
 * builds it as a ProcessorHealth; `make status` and `make chaos` parse it with `processorHealth`.
 */
import { z } from 'zod';

/** Why the processor is or is not healthy: its consumer's state, or what stopped it. */
export const PROCESSOR_STATUSES = [
  'running',
  'starting',
  'crashed',
  'stopped',
  'redis_unreachable',
  'stalled',
] as const;

export const processorHealth = z.object({
  status: z.enum(PROCESSOR_STATUSES),
  /** Messages behind the change topic's end; null when Kafka did not say in time. */
  lag: z.number().int().nonnegative().nullable(),
  lastEventAt: z.iso.datetime().nullable(),
  events: z.object({ applied: z.number(), stale: z.number(), skipped: z.number(), malformed: z.number() }),
  /** Records sent to the dead-letter topic since start. */
  deadLetters: z.number().int().nonnegative(),
  /** Commit in Postgres to the read model, over the latest changes; null before any. */
  latencyMs: z.object({ p50: z.number(), p99: z.number(), changes: z.number().int() }).nullable(),
});
export type ProcessorHealth = z.infer<typeof processorHealth>;
export type ProcessorStatus = ProcessorHealth['status'];

export const HEALTH_PATH = '/healthz';

/** Parses a /healthz body; undefined when it is not the documented reply (an older processor, or not JSON). */
export function readProcessorHealth(body: string): ProcessorHealth | undefined {
  try {
    const parsed = processorHealth.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
