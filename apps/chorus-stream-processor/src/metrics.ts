/**
 * The processor's Prometheus metrics (prom-client), served at /metrics beside /healthz: events by
 * outcome, dead letters, consumer lag and state, and the end-to-end latency of each change, from its
 * commit in Postgres to Redis holding it. A window of the latest latencies gives the p50 and p99 that
 * /healthz and `make status` show. Node's own figures too (prom-client's defaults), among them the event
 * loop's delay (perf_hooks.monitorEventLoopDelay: nodejs_eventloop_lag_p99_seconds, _max_seconds), which
 * says whether a latency tail was the processor itself being busy.
 */
import { summarize } from '@chorus/latency';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Projector } from '@chorus/cdc-events';
import type { ChangeConsumer } from './consumer.ts';

const WINDOW = 1000;

export class ProcessorMetrics {
  readonly registry = new Registry();
  private readonly latency = new Histogram({
    name: 'chorus_cdc_latency_seconds',
    help: 'Time from a change committing in Postgres to the read model holding it',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly recent: number[] = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
  }

  /** For the Projector: one change's latency in ms. */
  readonly observeLatency = (ms: number): void => {
    this.latency.observe(ms / 1000);
    this.recent.push(ms);
    if (this.recent.length > WINDOW) this.recent.shift();
  };

  /** p50 and p99 of the latest changes (up to 1000), in ms; null before the first. */
  recentLatency(): { p50: number; p99: number; changes: number } | null {
    if (this.recent.length === 0) return null;
    const summary = summarize(this.recent);
    return summary && { p50: summary.p50, p99: summary.p99, changes: summary.count };
  }

  track(projector: Projector, consumer: Pick<ChangeConsumer, 'state' | 'lag'>): void {
    const seen = { applied: 0, stale: 0, skipped: 0, malformed: 0 };
    new Counter({
      name: 'chorus_events_total',
      help: 'Change events consumed, by what became of them',
      labelNames: ['outcome'],
      registers: [this.registry],
      collect() {
        for (const outcome of ['applied', 'stale', 'skipped', 'malformed'] as const) {
          const delta = projector.counters[outcome] - seen[outcome];
          seen[outcome] = projector.counters[outcome];
          // A malformed event is the one that went to the dead-letter topic.
          this.inc({ outcome: outcome === 'malformed' ? 'dead_lettered' : outcome }, delta);
        }
      },
    });
    new Gauge({
      name: 'chorus_consumer_lag',
      help: 'Messages on the change topic not yet projected',
      registers: [this.registry],
      async collect() {
        const lag = await consumer.lag().catch(() => null);
        if (lag !== null) this.set(lag);
      },
    });
    new Gauge({
      name: 'chorus_consumer_running',
      help: '1 while the Kafka consumer runs, else 0',
      registers: [this.registry],
      collect() {
        this.set(consumer.state === 'running' ? 1 : 0);
      },
    });
  }
}
