/** SIGTERM's drain: what was accepted is answered, a new connection is refused at once, and it lingers before exit. */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@chorus/logger';
import { drain } from '../src/drain.ts';

const log = createLogger({ name: 'test', level: 'silent' });

function get(port: number): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const req = request({ port, host: '127.0.0.1', path: '/' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end();
  });
}

describe('drain', () => {
  it('answers the request in flight, refuses a new connection at once, and lingers before it resolves', async () => {
    const server = createServer((_req, res) => void setTimeout(() => res.end('done'), 300));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const inFlight = get(port);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = Date.now();
    const drained = drain({ server, log }, { lingerMs: 600, limitMs: 2_000 });
    const refusedAt = Date.now();
    const late = await get(port);
    expect(Date.now() - refusedAt).toBeLessThan(200);
    expect(late).toEqual({ error: 'ECONNREFUSED' });
    expect(await inFlight).toEqual({ status: 200 });
    await drained;
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
  });

  it('closes what is still in flight at the limit', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const hung = get(port);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await drain({ server, log }, { lingerMs: 0, limitMs: 300 });
    expect(Date.now() - started).toBeLessThan(1_000);
    server.closeAllConnections();
    expect(await hung).toEqual({ error: 'ECONNRESET' });
  });
});
