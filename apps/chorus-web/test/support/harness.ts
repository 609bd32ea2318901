import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { Projector } from '@chorus/cdc-events';
import { TaskStore, migrate } from '@chorus/db';
import { createLogger } from '@chorus/logger';
import { Redis } from 'ioredis';
import { ReadModel } from '@chorus/read-model';
import { startPostgres, startRedis, type TestPostgres, type TestRedis } from '@chorus/testing';
import { createApp } from '../../src/app.ts';
import { poolConfig, redisOptions } from '../../src/clients.ts';

export interface Harness {
  url: string;
  pg: TestPostgres;
  redis: TestRedis;
  model: ReadModel;
  /** The Redis the read model lives in, for writing records the way an intruder would. */
  client: Redis;
  /** What the stream processor does with a batch of Kafka message values. */
  projector: Projector;
  rows(): Promise<number>;
}

/** chorus-web on a free port, against a real PostgreSQL and Redis, for the tests of one file. */
export function useHarness(): Harness {
  const h = {} as Harness & { server?: Server; pool?: pg.Pool };
  beforeAll(async () => {
    [h.pg, h.redis] = await Promise.all([startPostgres(), startRedis()]);
    await h.pg.withClient(migrate);
    h.pool = new pg.Pool(poolConfig(h.pg.connection));
    // As in main.ts: an idle client the server drops (here, Postgres stopping at teardown) is not a test failure.
    h.pool.on('error', () => {});
    h.client = new Redis(h.redis.url, redisOptions());
    h.client.on('error', () => {});
    h.model = new ReadModel(h.client);
    const log = createLogger({ name: 'test', level: 'silent', format: 'json', destination: new PassThrough() });
    h.projector = new Projector(h.model, log);
    const app = createApp({ env: 'test', pool: h.pool, redis: h.client, store: new TaskStore(h.pool), model: h.model, log });
    h.server = await new Promise<Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    h.url = `http://127.0.0.1:${(h.server.address() as AddressInfo).port}`;
    h.rows = async () => Number((await h.pg.sql('SELECT count(*) AS n FROM task_queue')).rows[0].n);
  });
  afterAll(async () => {
    h.server?.closeAllConnections();
    h.server?.close();
    await h.pool?.end();
    h.client?.disconnect();
    await Promise.all([h.pg?.stop(), h.redis?.stop()]);
  });
  return h;
}
