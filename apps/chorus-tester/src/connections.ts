/** The tester's clients, from the variables the test Compose file gives it: the app role and Redis. */
import { Redis } from 'ioredis';
import pg from 'pg';
import { defaults } from '@chorus/config';

export function openPool(max = 4): pg.Pool {
  const pool = new pg.Pool({
    host: process.env.POSTGRES_HOST ?? defaults.postgres.host,
    port: Number(process.env.POSTGRES_PORT ?? defaults.postgres.port),
    database: process.env.POSTGRES_DB ?? defaults.postgres.database,
    user: process.env.POSTGRES_USER,
    password: process.env.POSTGRES_PASSWORD,
    max,
    connectionTimeoutMillis: defaults.dependencyTimeoutMs,
  });
  // A killed Postgres drops idle clients; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export function openRedis(): Redis {
  const redis = new Redis(process.env.REDIS_URL ?? defaults.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 5000 });
  redis.on('error', () => undefined);
  return redis;
}
