/** Liveness (/healthz: the process answers) and readiness (/readyz: Postgres and Redis answer). */
import express, { type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { defaults } from '@chorus/config';
import type { Logger } from '@chorus/logger';
import { within } from '@chorus/wait';

// The same bound as every request's (clients.ts): readiness waits no longer than a page would.
const withTimeout = <T>(what: string, promise: Promise<T>) => within(what, promise, defaults.dependencyTimeoutMs);

export function healthRoutes({ pool, redis, log }: { pool: pg.Pool; redis: Redis; log: Logger }) {
  function live(_req: Request, res: Response) {
    res.json({ status: 'ok' });
  }

  /** Names a failing dependency, never its address or error text (those go to the log). */
  async function ready(_req: Request, res: Response) {
    const checks = await Promise.allSettled([
      withTimeout('postgres', pool.query('SELECT 1')),
      withTimeout('redis', redis.ping()),
    ]);
    const [postgres, redisCheck] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'down'));
    for (const [name, c] of [
      ['postgres', checks[0]],
      ['redis', checks[1]],
    ] as const) {
      if (c?.status === 'rejected')
        log.warn({ dependency: name, err: (c.reason as Error).message }, 'readiness check failed');
    }
    const failed = [postgres !== 'ok' ? 'postgres' : null, redisCheck !== 'ok' ? 'redis' : null].filter(Boolean);
    if (failed.length === 0) return res.json({ status: 'ready', postgres, redis: redisCheck });
    res.status(503).json({
      status: 'not_ready',
      postgres,
      redis: redisCheck,
      error: { code: 'not_ready', message: `${failed.join(' and ')} unreachable` },
    });
  }

  return express.Router().get('/healthz', live).get('/readyz', ready);
}
