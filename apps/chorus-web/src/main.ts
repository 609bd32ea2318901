import { Command } from 'commander';
import { Redis } from 'ioredis';
import pg from 'pg';
import { positive } from '@chorus/cli-args';
import type { PostgresSettings } from '@chorus/config';
import { ROLES, TaskStore, USER_ROLES, grantAccess, migrate, provisionRoles } from '@chorus/db';
import { OperatorError, runMain } from '@chorus/errors';
import { createLogger } from '@chorus/logger';
import { ReadModel } from '@chorus/read-model';
import {
  addToken,
  addUser,
  ensureAdmin,
  listTokens,
  listUsers,
  removeToken,
  removeUser,
  resetAdmin,
} from './account-commands.ts';
import { createApp } from './app.ts';
import { waitForSchema } from './schema-wait.ts';
import { WebMetrics } from './metrics.ts';
import { poolConfig, redisOptions } from './clients.ts';
import { loadMigrateSettings, loadRolesSettings, loadSettings } from './settings.ts';
import { trustProxy } from './trusted-proxy.ts';
import { drain } from './drain.ts';
import { issueCertificate } from './certificate-command.ts';

async function serve() {
  const settings = loadSettings();
  const log = createLogger({ name: 'chorus-web', level: settings.logLevel });
  const pool = new pg.Pool(poolConfig(settings.postgres));
  pool.on('error', (error) => log.warn({ err: error.message }, 'idle postgres connection failed'));
  const redis = new Redis(settings.redisUrl, redisOptions());
  redis.on('error', (error: Error) => log.warn({ err: error.message }, 'redis connection error'));
  const metrics = new WebMetrics({ pool, redis, log, certificates: settings.certificates });
  const proxies = settings.trustProxy ? trustProxy(settings.trustProxy, log) : undefined;
  const app = createApp({
    metrics,
    env: settings.env,
    sessionSecret: settings.sessionSecret,
    trustProxy: proxies?.setting,
    pool,
    redis,
    store: new TaskStore(pool),
    model: new ReadModel(redis, {
      onMalformed: (e) => log.error({ hash: e.hash, problems: e.problems }, 'malformed read-model record: not shown'),
    }),
    log,
  });
  const server = app.listen(settings.port, () => log.info({ port: settings.port }, 'chorus-web listening'));
  const metricsServer = metrics.listen(settings.metricsPort, log);
  // SIGTERM (a release replacing this replica, docker stop) drains first; Ctrl-C stops at once.
  process.once('SIGTERM', () => void drain({ server, log }).finally(close));
  process.once('SIGINT', close);
  function close() {
    server.closeAllConnections();
    metricsServer.close();
    redis.disconnect();
    void pool.end().finally(() => process.exit(0));
  }
}

/** Runs `fn` with one client as `postgres` says, or fails naming the server and the reason. */
async function withPostgres<T>(postgres: PostgresSettings, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(postgres);
  try {
    await client.connect();
  } catch (error) {
    throw new OperatorError(
      `cannot reach Postgres at ${postgres.host}:${postgres.port} as ${postgres.user}: ${(error as Error).message}`,
    );
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
    const admin = await ensureAdmin(client, settings.adminPassword);
    if (admin) log.info(admin);
    if (settings.publication) {
      await grantAccess(client, settings.publication);
      log.info(`granted the app and CDC roles their access; publication ${settings.publication} in place`);
    }
  });
  return 0;
}

/** As the superuser, once per start: the owner, app and CDC roles (see @chorus/db's roles.ts). */
async function runProvisionRoles(): Promise<number> {
  const settings = loadRolesSettings();
  const log = createLogger({ name: 'chorus-web', level: settings.logLevel });
  await withPostgres(settings.postgres, (client) =>
    provisionRoles(client, settings.postgres.database, settings.passwords),
  );
  log.info(`roles ${Object.values(ROLES).join(', ')} provisioned`);
  return 0;
}

/**
 * As the app role: waits until every migration this release knows has run, so that a pod started beside
 * a release's migrations (the Helm chart's init container) serves only once its schema is there.
 */
async function schemaReady(timeoutSeconds: number): Promise<number> {
  const settings = loadSettings();
  const log = createLogger({ name: 'chorus-web', level: settings.logLevel });
  await waitForSchema(settings.postgres, { timeoutMs: timeoutSeconds * 1000, log });
  log.info('schema ready: every migration of this release ran');
  return 0;
}

runMain('chorus-web', async () => {
  let command: Promise<number | void> = Promise.resolve();
  await new Command()
    .name('chorus-web')
    .description('The CHORUS dashboard and JSON API')
    .addCommand(
      new Command('serve')
        .description('serve the dashboard and the API (default)')
        .action(() => void (command = serve())),
      { isDefault: true },
    )
    .addCommand(
      new Command('migrate')
        .description('apply the database migrations as the owner role, then grant access (idempotent)')
        .action(() => void (command = runMigrations())),
    )
    .addCommand(
      new Command('wait-for-schema')
        .description(
          'wait, as the app role, until every migration this release knows has run; exits 1 when --timeout passes',
        )
        .option('--timeout <seconds>', 'how long to wait', positive, 600)
        .action((o: { timeout: number }) => void (command = schemaReady(o.timeout))),
    )
    .addCommand(
      new Command('provision-roles')
        .description('create or update the database roles, as the superuser (idempotent)')
        .action(() => void (command = runProvisionRoles())),
    )
    .addCommand(
      new Command('issue-certificate')
        .description(
          "keep the environment's own CA, its proxy's certificate and the CA's revocation list up to date in the proxy's data directory (idempotent)",
        )
        .requiredOption('--dir <path>', "the proxy's data directory")
        .requiredOption('--port <port>', 'the port clients reach the proxy on (the address of the CRL)', positive)
        .action((o: { dir: string; port: number }) => void (command = issueCertificate(o))),
    )
    .addCommand(new Command('users').description('list the accounts').action(() => void (command = listUsers())))
    .addCommand(
      new Command('user-add')
        .description('add an account with a generated password, printed once')
        .argument('<name>')
        .requiredOption('--role <role>', `${USER_ROLES.join(' or ')}`)
        .action((name: string, o: { role: string }) => void (command = addUser(name, o.role))),
    )
    .addCommand(
      new Command('user-remove')
        .description('remove an account and end its sessions')
        .argument('<name>')
        .action((name: string) => void (command = removeUser(name))),
    )
    .addCommand(new Command('tokens').description('list the API tokens').action(() => void (command = listTokens())))
    .addCommand(
      new Command('token-add')
        .description('make an API token, printed once and stored hashed')
        .argument('<name>')
        .requiredOption('--role <role>', `${USER_ROLES.join(' or ')}`)
        .option(
          '--replace',
          "revoke the token of that name first, and print only the new token (for the env CLI's own use)",
        )
        .action(
          (name: string, o: { role: string; replace?: boolean }) =>
            void (command = addToken(name, o.role, { replace: o.replace })),
        ),
    )
    .addCommand(
      new Command('token-remove')
        .description('revoke an API token')
        .argument('<name>')
        .action((name: string) => void (command = removeToken(name))),
    )
    .addCommand(
      new Command('reset-admin')
        .description("set the admin's password to CHORUS_ADMIN_PASSWORD, re-creating the account if needed")
        .action(() => void (command = resetAdmin())),
    )
    .parseAsync();
  return command;
});
