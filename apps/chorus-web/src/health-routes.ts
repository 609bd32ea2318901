/** Liveness (/healthz: the process answers) and readiness (/readyz: Postgres and Redis answer). */
import express, { type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import type pg from 'pg';

const withTimeout = <T>(what: string, promise: Promise<T>, ms = 2000) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms))]);

export function healthRoutes({ pool, redis }: { pool: pg.Pool; redis: Redis }) {
  function live(_req: Request, res: Response) {
    res.json({ status: 'ok' });
  }

  async function ready(_req: Request, res: Response) {
    const checks = await Promise.allSettled([withTimeout('postgres', pool.query('SELECT 1')), withTimeout('redis', redis.ping())]);
    const [postgres, redisCheck] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : `down: ${(c.reason as Error).message}`));
    const failed = [postgres !== 'ok' ? 'postgres' : null, redisCheck !== 'ok' ? 'redis' : null].filter(Boolean);
    if (failed.length === 0) return res.json({ status: 'ready', postgres, redis: redisCheck });
    res.status(503).json({ status: 'not_ready', postgres, redis: redisCheck, error: { code: 'not_ready', message: `${failed.join(' and ')} unreachable` } });
  }

  return express.Router().get('/healthz', live).get('/readyz', ready);
}
