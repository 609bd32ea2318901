/**
 * A process's Prometheus metrics on a port of their own, which only the environment's Prometheus reaches:
 * GET /metrics answers the registry, anything else 404.
 */
import { type Server, createServer } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '@chorus/logger';

export function serveMetrics(
  registry: Registry,
  { port, name, log }: { port: number; name: string; log: Logger },
): Server {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (error: Error) => res.writeHead(500).end(error.message),
    );
  });
  return server.listen(port, () => log.info({ port }, `${name} metrics listening`));
}
