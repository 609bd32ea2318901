/**
 * The web app as the benchmark loads it: in a process of its own, so that the load generator does not
 * share its event loop (in one process, each took half of one core). Started by submit.bench.ts with the
 * database and Redis to use; it says on which port it listens, and stops when told.
 */
import type { AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import pg from 'pg';
import { Redis } from 'ioredis';
import { AccountStore, TaskStore } from '@chorus/db';
import { createLogger } from '@chorus/logger';
import { ReadModel } from '@chorus/read-model';
import { createApp } from '../src/app.ts';
import { hashPassword } from '../src/accounts.ts';
import { poolConfig, redisOptions } from '../src/clients.ts';

export interface Credentials {
  name: string;
  password: string;
  sessionSecret: string;
}

const { connection, redisUrl, signedIn } = JSON.parse(process.env.BENCH_TARGETS!) as {
  connection: pg.PoolConfig;
  redisUrl: string;
  signedIn?: Credentials;
};
const pool = new pg.Pool({ ...poolConfig(connection), max: 10 });
pool.on('error', () => {}); // the server is stopped under idle connections at the end
const redis = new Redis(redisUrl, redisOptions());
// As prod runs it when signedIn is given: sign-in required, and a JSON access log line a request, written and dropped.
const log = createLogger({
  name: 'bench',
  level: signedIn ? 'info' : 'silent',
  format: 'json',
  destination: signedIn ? new Writable({ write: (_c, _e, done) => done() }) : new PassThrough(),
});
if (signedIn) await new AccountStore(pool).add(signedIn.name, 'operator', await hashPassword(signedIn.password, 4));
const app = createApp({
  pool,
  redis,
  store: new TaskStore(pool),
  model: new ReadModel(redis),
  log,
  sessionSecret: signedIn?.sessionSecret,
});
const server = app.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('message', () => {
  server.closeAllConnections();
  server.close();
  void pool.end().then(() => {
    redis.disconnect();
    process.exit(0);
  });
});
