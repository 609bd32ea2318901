import { Command } from 'commander';
import { Redis } from 'ioredis';
import pg from 'pg';
import { TaskStore, migrate } from '@chorus/db';
import { OperatorError, runMain } from '@chorus/errors';
import { createLogger } from '@chorus/logger';
import { ReadModel } from '@chorus/read-model';
import { createApp } from './app.ts';
import { loadSettings } from './settings.ts';

async function serve() {
  const settings = loadSettings();
  const log = createLogger({ name: 'chorus-web', level: settings.logLevel });
  const pool = new pg.Pool({ ...settings.postgres, max: 10 });
  pool.on('error', (error) => log.warn({ err: error.message }, 'idle postgres connection failed'));
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', (error: Error) => log.warn({ err: error.message }, 'redis connection error'));
  const app = createApp({ pool, redis, store: new TaskStore(pool), model: new ReadModel(redis, { onMalformed: (e) => log.error({ hash: e.hash, problems: e.problems }, 'malformed read-model record: not shown') }), log });
  const server = app.listen(settings.port, () => log.info({ port: settings.port }, 'chorus-web listening'));
  const stop = () => {
    server.close();
    void pool.end();
    redis.disconnect();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function runMigrations(): Promise<number> {
  const settings = loadSettings();
  const log = createLogger({ name: 'chorus-web', level: settings.logLevel });
  const client = new pg.Client(settings.postgres);
  try {
    await client.connect();
  } catch (error) {
    throw new OperatorError(`cannot reach Postgres at ${settings.postgres.host}:${settings.postgres.port}: ${(error as Error).message}`);
  }
  try {
    const applied = await migrate(client);
    log.info(applied.length ? `applied migrations: ${applied.join(', ')}` : 'migrations: nothing to apply');
    return 0;
  } finally {
    await client.end();
  }
}

runMain('chorus-web', async () => {
  let command: Promise<number | void> = Promise.resolve();
  await new Command()
    .name('chorus-web')
    .description('The CHORUS dashboard and JSON API')
    .addCommand(new Command('serve').description('serve the dashboard and the API (default)').action(() => void (command = serve())), { isDefault: true })
    .addCommand(new Command('migrate').description('apply the database migrations (idempotent)').action(() => void (command = runMigrations())))
    .parseAsync();
  return command;
});
