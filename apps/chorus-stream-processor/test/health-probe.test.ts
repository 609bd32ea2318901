import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { OperatorError } from '@chorus/errors';
import { printHealth } from '../src/health-probe.ts';

describe('main.cjs health', () => {
  it("prints the replica's /healthz reply as served, a 503 included", async () => {
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/healthz' ? 503 : 404, { 'content-type': 'application/json' });
      res.end(req.url === '/healthz' ? '{"status":"stalled"}' : '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const printed: string[] = [];
    try {
      const code = await printHealth((server.address() as AddressInfo).port, (t) => void printed.push(t));
      expect(code).toBe(0);
      expect(printed.join('')).toBe('{"status":"stalled"}\n');
    } finally {
      server.close();
    }
  });

  it('fails with the URL and a question when nothing answers', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const failed = printHealth(port, () => undefined);
    await expect(failed).rejects.toBeInstanceOf(OperatorError);
    await expect(failed).rejects.toThrow(`http://127.0.0.1:${port}/healthz did not answer`);
  });
});
