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

/**
 * A reading shared by the gauges one scrape collects (prom-client collects them concurrently): `read` runs
 * once per scrape, is given up after `timeoutMs`, and a failure reads as null (`onError` is told why).
 */
export function oncePerScrape<T>(
  read: () => Promise<T>,
  { timeoutMs, onError = () => undefined }: { timeoutMs?: number; onError?: (error: Error) => void } = {},
): () => Promise<T | null> {
  let pending: Promise<T | null> | undefined;
  const limit = (p: Promise<T>) =>
    timeoutMs === undefined
      ? p
      : Promise.race([
          p,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref(),
          ),
        ]);
  return () =>
    (pending ??= limit(read())
      .catch((error: Error) => {
        onError(error);
        return null;
      })
      // Cleared once this turn's collectors have all taken it, so the next scrape reads afresh.
      .finally(() => setImmediate(() => (pending = undefined))));
}
