import type { Server } from 'node:http';
import express from 'express';
import type { Redis } from 'ioredis';
import { within } from '@chorus/wait';
import type { Projector } from '@chorus/cdc-events';
import { HEALTH_PATH, type ProcessorHealth, type ProcessorStatus } from '@chorus/processor-health';
import type { ChangeConsumer, ConsumerState } from './consumer.ts';
import type { ProcessorMetrics } from './metrics.ts';

/** How long /healthz waits for Kafka's offsets and Redis's PING. */
const CHECK_MS = 1000;

export interface HealthInput {
  state: ConsumerState;
  lag: number | null;
  redisOk: boolean;
  /** Since when the lag has been above 0 without a batch projected, if it has. */
  laggingSince: number | null;
  lastProgressAt: number;
  now: number;
  stallMs: number;
}

/**
 * The processor's health: healthy only while the consumer runs, Redis answers and any lag moves. A lag
 * that has not moved for `stallMs` is a stall, so a stopped projection shows within seconds.
 */
export function assess(h: HealthInput): { healthy: boolean; status: ProcessorStatus } {
  if (h.state !== 'running') return { healthy: false, status: h.state };
  if (!h.redisOk) return { healthy: false, status: 'redis_unreachable' };
  if (
    h.lag !== null &&
    h.lag > 0 &&
    h.laggingSince !== null &&
    h.now - Math.max(h.laggingSince, h.lastProgressAt) > h.stallMs
  ) {
    return { healthy: false, status: 'stalled' };
  }
  return { healthy: true, status: 'running' };
}

/** GET /healthz: 200 while healthy (see assess), 503 otherwise, with the reason, lag, dead letters and recent latency; GET /metrics: Prometheus. */
export function healthServer(
  consumer: ChangeConsumer,
  projector: Projector,
  redis: Redis,
  stallMs: number,
  metrics: ProcessorMetrics,
) {
  let laggingSince: number | null = null;
  const app = express();
  app.get(HEALTH_PATH, async (_req, res) => {
    // Bounded, so that the probe answers well inside its healthcheck's timeout: a lag Kafka does not
    // report in time is unknown (null), not a failure.
    const [lag, redisOk] = await Promise.all([
      within('kafka', consumer.lag(), CHECK_MS).catch(() => null),
      within('redis', redis.ping(), CHECK_MS).then(
        () => true,
        () => false,
      ),
    ]);
    const now = Date.now();
    if (lag === 0) laggingSince = null;
    else if (lag !== null && laggingSince === null) laggingSince = now;
    const { healthy, status } = assess({
      state: consumer.state,
      lag,
      redisOk,
      laggingSince,
      lastProgressAt: consumer.lastProgressAt,
      now,
      stallMs,
    });
    const reply: ProcessorHealth = {
      status,
      lag,
      lastEventAt: projector.lastEventAt?.toISOString() ?? null,
      events: { ...projector.counters },
      deadLetters: projector.counters.malformed,
      latencyMs: metrics.recentLatency(),
    };
    res.status(healthy ? 200 : 503).json(reply);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return {
    listen: (port: number) =>
      new Promise<Server>((resolve) => {
        const server = app.listen(port, () => resolve(server));
      }),
  };
}
