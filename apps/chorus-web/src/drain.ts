/**
 * A release replaces the web app without a failed request (deploy/env-cli/src/rolling.ts): the old process,
 * sent SIGTERM once its successor is ready, stops accepting connections at once (the proxy's next attempt
 * on it is refused and retried on another replica), finishes what it had accepted, and lingers with its
 * port closed until the proxy has looked its upstreams up again.
 */
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaults } from '@chorus/config';
import type { Logger } from '@chorus/logger';

export async function drain(
  { server, log }: { server: Server; log: Logger },
  { lingerMs = defaults.drainLingerMs, limitMs = defaults.drainLimitMs }: { lingerMs?: number; limitMs?: number } = {},
): Promise<void> {
  const started = Date.now();
  log.info('SIGTERM: no new connections; finishing the requests in flight');
  const finished = new Promise<void>((resolve) => server.close(() => resolve()));
  // A keep-alive connection left idle (now, or once its request is answered) would hold close() open until it
  // timed out: each is closed as soon as it is idle.
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  const limit = new AbortController();
  const outcome = await Promise.race([
    finished.then(() => 'finished' as const),
    sleep(limitMs, 'limit' as const, { signal: limit.signal }).catch(() => 'finished' as const),
  ]);
  clearInterval(idle);
  limit.abort();
  if (outcome === 'limit')
    log.warn({ limitMs }, 'requests still in flight at the drain limit: their connections are closed');
  await sleep(Math.max(0, lingerMs - (Date.now() - started)));
  log.info({ ms: Date.now() - started }, 'drained');
}
