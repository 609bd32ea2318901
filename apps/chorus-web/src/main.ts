import { Command } from 'commander';
import pg from 'pg';
import { ConfigError } from '@chorus/config';
import { TaskStore, migrate } from '@chorus/db';
import { createLogger } from '@chorus/logger';
import { ReadModel, Redis } from '@chorus/read-model';
import { createApp } from './app.ts';
import { loadSettings, type Settings } from './settings.ts';

function settingsOrExit(): Settings {
  try {
    return loadSettings();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`chorus-web: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function serve() {
  const settings = settingsOrExit();
  const log = createLogger({ name: 'chorus-web', level: settings.logLevel });
  const pool = new pg.Pool({ ...settings.postgres, max: 10 });
  pool.on('error', (error) => log.warn({ err: error.message }, 'idle postgres connection failed'));
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', (error: Error) => log.warn({ err: error.message }, 'redis connection error'));
  const app = createApp({ pool, redis, store: new TaskStore(pool), model: new ReadModel(redis), log });
  const server = app.listen(settings.port, () => log.info({ port: settings.port }, 'chorus-web listening'));
  const stop = () => {
    server.close();
    void pool.end();
    redis.disconnect();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function runMigrations() {
  const settings = settingsOrExit();
  const log = createLogger({ name: 'chorus-web', level: settings.logLevel });
  const client = new pg.Client(settings.postgres);
  try {
    await client.connect();
  } catch (error) {
    log.error(`cannot reach Postgres at ${settings.postgres.host}:${settings.postgres.port}: ${(error as Error).message}`);
    process.exit(1);
  }
  try {
    const applied = await migrate(client);
    log.info(applied.length ? `applied migrations: ${applied.join(', ')}` : 'migrations: nothing to apply');
  } finally {
    await client.end();
  }
}

new Command()
  .name('chorus-web')
  .description('The CHORUS dashboard and JSON API')
  .addCommand(new Command('serve').description('serve the dashboard and the API (default)').action(serve), { isDefault: true })
  .addCommand(new Command('migrate').description('apply the database migrations (idempotent)').action(runMigrations))
  .parseAsync()
  .catch((error: unknown) => {
    process.stderr.write(`chorus-web: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
