import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type TestRedis } from './redis.ts';

/** A redis-server and a client for the tests of one file; both are ready inside the tests. */
export function useRedis(): { server: TestRedis; client: Redis } {
  const handle = {} as { server: TestRedis; client: Redis };
  beforeAll(async () => {
    handle.server = await startRedis();
    handle.client = new Redis(handle.server.url);
  });
  afterAll(async () => {
    handle.client?.disconnect();
    await handle.server?.stop();
  });
  return handle;
}
