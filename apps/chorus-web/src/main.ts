import { Command } from 'commander';
import { Redis } from 'ioredis';
import pg from 'pg';
import { cdcNames } from '@chorus/cdc-names';
import type { PostgresSettings } from '@chorus/config';
import { ROLES, TaskStore, grantAccess, migrate, provisionRoles } from '@chorus/db';
import { OperatorError, runMain } from '@chorus/errors';
import { createLogger } from '@chorus/logger';
import { ReadModel } from '@chorus/read-model';
import { createApp } from './app.ts';
import { poolConfig, redisOptions } from './clients.ts';
import { loadMigrateSettings, loadRolesSettings, loadSettings } from './settings.ts';

async function serve() {
  const settings = loadSettings();
  const log = createLogger({ name: 'chorus-web', level: settings.logLevel });
  const pool = new pg.Pool(poolConfig(settings.postgres));
  pool.on('error', (error) => log.warn({ err: error.message }, 'idle postgres connection failed'));
  const redis = new Redis(settings.redisUrl, redisOptions());
  redis.on('error', (error: Error) => log.warn({ err: error.message }, 'redis connection error'));
  const app = createApp({ env: settings.env, pool, redis, store: new TaskStore(pool), model: new ReadModel(redis, { onMalformed: (e) => log.error({ hash: e.hash, problems: e.problems }, 'malformed read-model record: not shown') }), log });
  const server = app.listen(settings.port, () => log.info({ port: settings.port }, 'chorus-web listening'));
  const stop = () => {
    server.close();
    void pool.end();
    redis.disconnect();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Runs `fn` with one client as `postgres` says, or fails naming the server and the reason. */
async function withPostgres<T>(postgres: PostgresSettings, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(postgres);
  try {
    await client.connect();
  } catch (error) {
    throw new OperatorError(`cannot reach Postgres at ${postgres.host}:${postgres.port} as ${postgres.user}: ${(error as Error).message}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** As the owner: the migrations, then the other roles' grants and the environment's publication. */
async function runMigrations(): Promise<number> {
  const settings = loadMigrateSettings();
  const log = createLogger({ name: 'chorus-web', level: settings.logLevel });
  await withPostgres(settings.postgres, async (client) => {
    const applied = await migrate(client);
    log.info(applied.length ? `applied migrations: ${applied.join(', ')}` : 'migrations: nothing to apply');
    if (settings.env) {
      const { publication } = cdcNames(settings.env);
      await grantAccess(client, publication);
      log.info(`granted the app and CDC roles their access; publication ${publication} in place`);
    }
  });
  return 0;
}

/** As the superuser, once per start: the owner, app and CDC roles (see @chorus/db's roles.ts). */
async function runProvisionRoles(): Promise<number> {
  const settings = loadRolesSettings();
  const log = createLogger({ name: 'chorus-web', level: settings.logLevel });
  await withPostgres(settings.postgres, (client) => provisionRoles(client, settings.postgres.database, settings.passwords));
  log.info(`roles ${Object.values(ROLES).join(', ')} provisioned`);
  return 0;
}

runMain('chorus-web', async () => {
  let command: Promise<number | void> = Promise.resolve();
  await new Command()
    .name('chorus-web')
    .description('The CHORUS dashboard and JSON API')
    .addCommand(new Command('serve').description('serve the dashboard and the API (default)').action(() => void (command = serve())), { isDefault: true })
    .addCommand(new Command('migrate').description('apply the database migrations as the owner role, then grant access (idempotent)').action(() => void (command = runMigrations())))
    .addCommand(new Command('provision-roles').description('create or update the database roles, as the superuser (idempotent)').action(() => void (command = runProvisionRoles())))
    .parseAsync();
  return command;
});
