import { PassThrough } from 'node:stream';
import parsePrometheus from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { Projector } from '@chorus/cdc-events';
import { asMessage, createEvent, taskRow } from '@chorus/cdc-events/fixtures';
import { createLogger } from '@chorus/logger';
import { ReadModel } from '@chorus/read-model';
import { useRedis } from '@chorus/testing/vitest';
import { ProcessorMetrics } from '../src/metrics.ts';

const r = useRedis();

describe('/metrics', () => {
  it('parses as Prometheus text, and the latency histogram and event counters move when changes flow', async () => {
    const metrics = new ProcessorMetrics();
    const projector = new Projector(
      new ReadModel(r.client),
      createLogger({ name: 't', format: 'json', destination: new PassThrough() }),
      undefined,
      metrics.observeLatency,
    );
    metrics.track(projector, { state: 'running', lag: async () => 7 });
    const scrape = async () =>
      Object.fromEntries(parsePrometheus(await metrics.registry.metrics()).map((family) => [family.name, family]));

    const before = await scrape();
    expect(before.chorus_cdc_latency_seconds?.type).toBe('HISTOGRAM');
    expect(before.chorus_cdc_latency_seconds?.metrics[0]?.count).toBe('0');
    expect(metrics.recentLatency()).toBeNull();

    // The fixtures' changes committed at a fixed past time, so each latency is now minus that.
    const rows = [1, 2, 3].map((i) => taskRow({ query: `metrics ${i}`, mode: 'flash' }));
    const committedAt = createEvent(rows[0]!, 10).source.ts_ms;
    await projector.project(
      rows.map((row, i) => ({ value: asMessage(createEvent(row, 10 + i)), offset: String(i), partition: 0 })),
    );
    await projector.project([{ value: Buffer.from('not a change'), offset: '9', partition: 0 }]);

    const after = await scrape();
    expect(after.chorus_cdc_latency_seconds?.metrics[0]?.count).toBe('3');
    expect(Number(after.chorus_cdc_latency_seconds?.metrics[0]?.sum)).toBeGreaterThanOrEqual(
      (3 * (Date.now() - committedAt - 60_000)) / 1000,
    );
    const events = Object.fromEntries(
      (after.chorus_events_total?.metrics ?? []).map((m) => [m.labels?.outcome, m.value]),
    );
    expect(events).toMatchObject({ applied: '3', dead_lettered: '1' });
    expect(after.chorus_consumer_lag?.metrics[0]?.value).toBe('7');
    expect(after.chorus_consumer_running?.metrics[0]?.value).toBe('1');
    expect(metrics.recentLatency()).toMatchObject({ changes: 3 });
    expect(metrics.recentLatency()!.p50).toBeGreaterThan(0);
  });

  it("reports the event loop's delay: a 300 ms block shows as its max", async () => {
    const metrics = new ProcessorMetrics();
    const scrape = async () =>
      Object.fromEntries(parsePrometheus(await metrics.registry.metrics()).map((family) => [family.name, family]));
    await scrape(); // the delay histogram starts over after each scrape
    await new Promise((resolve) => setTimeout(resolve, 50));
    const until = Date.now() + 300;
    while (Date.now() < until); // the processor busy, as a long batch would make it
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = await scrape();
    expect(Number(after.nodejs_eventloop_lag_max_seconds?.metrics[0]?.value)).toBeGreaterThanOrEqual(0.25);
    expect(Number(after.nodejs_eventloop_lag_p99_seconds?.metrics[0]?.value)).toBeGreaterThan(0);
  });
});
