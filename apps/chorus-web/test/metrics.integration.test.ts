/**
 * The web app's /metrics, as Prometheus scrapes it on its own port: requests by route pattern and status
 * with their latency, Node's event-loop delay, and each replication slot's retained WAL from Postgres.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@chorus/logger';
import { useHarness } from './support/harness.ts';

const h = useHarness();
let server: Server;
let metricsUrl: string;
beforeAll(async () => {
  server = h.metrics.listen(
    0,
    createLogger({ name: 'test', level: 'silent', format: 'json', destination: new PassThrough() }),
  );
  await new Promise((resolve) => server.once('listening', resolve));
  metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const scrape = async () => (await fetch(`${metricsUrl}/metrics`)).text();
const sample = (body: string, series: string) =>
  Number(
    body
      .split('\n')
      .find((l) => l.startsWith(`${series} `))
      ?.split(' ')[1] ?? NaN,
  );

describe('the web app on its metrics port', () => {
  it('counts requests by route pattern and status, never by id', async () => {
    const before = await scrape();
    const created = await fetch(`${h.url}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'counted', mode: 'flash' }),
    });
    expect(created.status).toBe(201);
    const { queryHash } = (await created.json()) as { queryHash: string };
    for (let i = 0; i < 3; i++) await fetch(`${h.url}/api/tasks/${'f'.repeat(32)}`);
    await fetch(`${h.url}/no/such/page`);
    const after = await scrape();
    const count = (labels: string) =>
      sample(after, `chorus_http_request_duration_seconds_count{${labels}}`) -
      (sample(before, `chorus_http_request_duration_seconds_count{${labels}}`) || 0);
    expect(count('method="POST",route="/api/tasks",status="201"')).toBe(1);
    expect(count('method="GET",route="/api/tasks/:hash",status="404"')).toBe(3);
    expect(count('method="GET",route="unmatched",status="404"')).toBe(1);
    expect(after).not.toContain(queryHash);
    expect(after).toContain('nodejs_eventloop_lag_p99_seconds');
  });

  it("reports each replication slot's retained WAL, and whether Postgres answered", async () => {
    await h.pg.sql("SELECT pg_create_logical_replication_slot('chorus_metrics_test', 'pgoutput')");
    try {
      await h.pg.sql("CREATE TABLE wal_filler AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 20000) g");
      const body = await scrape();
      expect(sample(body, 'chorus_replication_slot_retained_wal_bytes{slot="chorus_metrics_test"}')).toBeGreaterThan(
        1_000_000,
      );
      expect(sample(body, 'chorus_write_store_up')).toBe(1);
    } finally {
      await h.pg.sql("SELECT pg_drop_replication_slot('chorus_metrics_test')");
      await h.pg.sql('DROP TABLE IF EXISTS wal_filler');
    }
  });

  /** A scrape with `store` paused: answered within the dependency timeout, saying the store is down. */
  async function scrapeWhilePaused(store: { pause(): void; resume(): void }, gauge: string) {
    store.pause();
    try {
      const started = Date.now();
      const body = await scrape();
      expect(Date.now() - started).toBeLessThan(5000);
      expect(sample(body, gauge)).toBe(0);
    } finally {
      store.resume();
    }
  }

  it('answers within the dependency timeout with Postgres paused, saying it is down', { timeout: 30_000 }, async () => {
    await fetch(`${h.url}/api/tasks`);
    await scrapeWhilePaused(h.pg, 'chorus_write_store_up');
  });

  it('says whether Redis answers, within the dependency timeout when it does not', { timeout: 30_000 }, async () => {
    expect(sample(await scrape(), 'chorus_read_store_up')).toBe(1);
    await scrapeWhilePaused(h.redis, 'chorus_read_store_up');
  });

  it('serves nothing but /metrics', async () => {
    expect((await fetch(`${metricsUrl}/`)).status).toBe(404);
  });
});
