/**
 * The database's roles, least privilege each, following Debezium's guidance for a non-superuser setup:
 *   owner  runs the migrations: the only role with DDL; owns the tables and the publication.
 *   app    the web app: SELECT, INSERT, UPDATE, DELETE on task_queue and the account tables, nothing else.
 *   cdc    Debezium: LOGIN REPLICATION and SELECT on the captured tables, nothing else.
 * The superuser made by initdb only runs provisionRoles, once per start, and never serves a request.
 */
import type pg from 'pg';
import { defaults } from '@chorus/config';
import { ACCOUNT_TABLES } from './account-store.ts';

export const ROLES = { owner: 'chorus_owner', app: 'chorus_app', cdc: 'chorus_cdc' } as const;
export type RoleName = keyof typeof ROLES;

/** The tables the app writes and Debezium captures. */
export const CAPTURED_TABLES = ['public.task_queue'] as const;

const ident = (client: pg.ClientBase, name: string) => client.escapeIdentifier(name);

/**
 * As the superuser: creates the three roles if missing and sets their attributes and passwords; makes the
 * owner own the database and every table and publication an earlier superuser-run setup left behind.
 * Idempotent: runs on every start, so a password changed in the env file takes effect.
 */
export async function provisionRoles(
  client: pg.ClientBase,
  database: string,
  passwords: Record<RoleName, string>,
): Promise<void> {
  const attributes: Record<RoleName, string> = {
    owner: 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS',
    app: 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS',
    cdc: 'LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS',
  };
  await client.query('BEGIN');
  try {
    for (const role of Object.keys(ROLES) as RoleName[]) {
      const name = ROLES[role];
      const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount === 1;
      if (!exists) await client.query(`CREATE ROLE ${ident(client, name)}`);
      await client.query(
        `ALTER ROLE ${ident(client, name)} WITH ${attributes[role]} PASSWORD ${client.escapeLiteral(passwords[role])}`,
      );
    }
    const owner = ident(client, ROLES.owner);
    await client.query(`ALTER DATABASE ${ident(client, database)} OWNER TO ${owner}`);
    // Nobody but the owner creates objects; the others only connect.
    await client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await client.query(
      `GRANT CONNECT ON DATABASE ${ident(client, database)} TO ${ident(client, ROLES.app)}, ${ident(client, ROLES.cdc)}`,
    );
    await client.query(`GRANT USAGE ON SCHEMA public TO ${ident(client, ROLES.app)}, ${ident(client, ROLES.cdc)}`);
    const tables = await client.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tableowner <> $1`,
      [ROLES.owner],
    );
    for (const { name } of tables.rows) await client.query(`ALTER TABLE ${name} OWNER TO ${owner}`);
    const publications = await client.query<{ pubname: string }>(
      `SELECT pubname FROM pg_publication p JOIN pg_roles r ON r.oid = p.pubowner WHERE r.rolname <> $1`,
      [ROLES.owner],
    );
    for (const { pubname } of publications.rows)
      await client.query(`ALTER PUBLICATION ${ident(client, pubname)} OWNER TO ${owner}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/**
 * As the owner, after the migrations: the app's DML and Debezium's SELECT on the captured tables, its
 * SELECT and INSERT (snapshot watermarks) on the signalling table, and the publication Debezium reads,
 * created ahead of time so that the CDC role needs no ownership. A publication from before the
 * signalling table gains it. The app role may read which migrations ran, so that an app can wait for
 * its release's schema (chorus-web wait-for-schema).
 */
export async function grantAccess(client: pg.ClientBase, publication: string): Promise<void> {
  const app = ident(client, ROLES.app);
  const cdc = ident(client, ROLES.cdc);
  const qualified = (t: string) =>
    t
      .split('.')
      .map((part) => ident(client, part))
      .join('.');
  const tables = CAPTURED_TABLES.map(qualified).join(', ');
  const signals = qualified(defaults.signalTable);
  await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${tables} TO ${app}`);
  await client.query(`GRANT SELECT ON ${tables} TO ${cdc}`);
  await client.query(`GRANT SELECT, INSERT ON ${signals} TO ${cdc}`);
  await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${ACCOUNT_TABLES.map(qualified).join(', ')} TO ${app}`);
  await client.query(`GRANT SELECT ON schema_migrations TO ${app}`);
  const exists = (await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication])).rowCount === 1;
  if (!exists) await client.query(`CREATE PUBLICATION ${ident(client, publication)} FOR TABLE ${tables}, ${signals}`);
  const published = await client.query(
    `SELECT 1 FROM pg_publication_tables WHERE pubname = $1 AND format('%s.%s', schemaname, tablename) = $2`,
    [publication, defaults.signalTable],
  );
  if (published.rowCount === 0)
    await client.query(`ALTER PUBLICATION ${ident(client, publication)} ADD TABLE ${signals}`);
}
