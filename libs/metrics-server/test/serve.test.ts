import type { AddressInfo } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@chorus/logger';
import { serveMetrics } from '../src/index.ts';

describe('serveMetrics', () => {
  const registry = new Registry();
  new Gauge({ name: 'chorus_example', help: 'an example', registers: [registry] }).set(42);
  const server = serveMetrics(registry, { port: 0, name: 'test', log: createLogger({ name: 'test', level: 'error' }) });
  let url = '';
  beforeAll(async () => {
    if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("answers GET /metrics with the registry's figures in Prometheus's text format", async () => {
    const r = await fetch(`${url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    expect(await r.text()).toContain('chorus_example 42');
  });

  it('serves nothing else', async () => {
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(404);
  });
});
