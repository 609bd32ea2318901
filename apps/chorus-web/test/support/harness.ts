import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { Projector } from '@chorus/cdc-events';
import { AccountStore, TaskStore, type UserRole, migrate } from '@chorus/db';
import { createLogger } from '@chorus/logger';
import { Redis } from 'ioredis';
import { ReadModel } from '@chorus/read-model';
import { startPostgres, startRedis, type TestPostgres, type TestRedis } from '@chorus/testing';
import { generateToken, hashPassword, tokenHash } from '../../src/accounts.ts';
import { createApp } from '../../src/app.ts';
import { WebMetrics } from '../../src/metrics.ts';
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
  /** With sign-in on: adds an account (bcrypt at a test's cost) or an API token, and returns the token. */
  addAccount(name: string, role: UserRole, password: string): Promise<void>;
  addToken(name: string, role: UserRole): Promise<string>;
  accounts: AccountStore;
  /** The app's metrics, as main.ts wires them (its /metrics is served with metrics.listen). */
  metrics: WebMetrics;
  /** The app's log so far, one JSON line each (info and above). */
  logLines: string[];
}

/** The session-signing key the harness uses when sign-in is on. */
export const TEST_SESSION_SECRET = 'a-test-session-secret-of-32-chars-or-more';

/** chorus-web on a free port, against a real PostgreSQL and Redis, for the tests of one file. */
export function useHarness({ signIn = false, trustProxy }: { signIn?: boolean; trustProxy?: string } = {}): Harness {
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
    h.logLines = [];
    const lines = new PassThrough();
    lines.on('data', (chunk: Buffer) => h.logLines.push(...chunk.toString().split('\n').filter(Boolean)));
    const log = createLogger({ name: 'test', level: 'info', format: 'json', destination: lines });
    h.projector = new Projector(h.model, log);
    h.metrics = new WebMetrics({ pool: h.pool, redis: h.client, log });
    const app = createApp({
      metrics: h.metrics,
      env: 'test',
      pool: h.pool,
      redis: h.client,
      store: new TaskStore(h.pool),
      model: h.model,
      log,
      sessionSecret: signIn ? TEST_SESSION_SECRET : undefined,
      trustProxy,
    });
    const accounts = (h.accounts = new AccountStore(h.pool));
    h.addAccount = async (name, role, password) =>
      void (await accounts.add(name, role, await hashPassword(password, 4)));
    h.addToken = async (name, role) => {
      const token = generateToken();
      await accounts.addToken(name, role, tokenHash(token));
      return token;
    };
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
