/**
 * How chorus-web talks to Postgres and Redis: a paused or unreachable one answers within about
 * `defaults.dependencyTimeoutMs` (connecting, and each query or command), so a request gets 503, not a hang.
 */
import type { RedisOptions } from 'ioredis';
import type pg from 'pg';
import { type PostgresSettings, defaults } from '@chorus/config';

export const poolConfig = (
  postgres: PostgresSettings | pg.PoolConfig,
  timeoutMs: number = defaults.dependencyTimeoutMs,
): pg.PoolConfig => ({
  ...postgres,
  max: 10,
  connectionTimeoutMillis: timeoutMs,
  query_timeout: timeoutMs,
  statement_timeout: timeoutMs,
});

export const redisOptions = (timeoutMs: number = defaults.dependencyTimeoutMs): RedisOptions => ({
  maxRetriesPerRequest: 1,
  connectTimeout: timeoutMs,
  commandTimeout: timeoutMs,
});
