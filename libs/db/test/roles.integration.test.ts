/** The roles on a real PostgreSQL: what each may and may not do. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '@chorus/testing';
import { defaults } from '@chorus/config';
import {
  CAPTURED_TABLES,
  MIGRATIONS,
  ROLES,
  type RoleName,
  grantAccess,
  migrate,
  pendingMigrations,
  provisionRoles,
} from '../src/index.ts';

const PASSWORDS: Record<RoleName, string> = {
  owner: 'owner-password-1',
  app: 'app-password-123',
  cdc: 'cdc-password-123',
};
let server: TestPostgres;

async function as<T>(role: RoleName, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...server.connection, user: ROLES[role], password: PASSWORDS[role] });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  );

beforeAll(async () => {
  server = await startPostgres();
  // An older setup: the superuser made the table and a publication.
  await server.withClient(migrate);
  await server.sql('CREATE PUBLICATION chorus_old FOR TABLE task_queue');
  await server.withClient((c) => provisionRoles(c, 'chorus', PASSWORDS));
  await as('owner', migrate);
  await as('owner', (c) => grantAccess(c, 'chorus_test'));
}, 60_000);
afterAll(() => server?.stop());

describe('the roles', () => {
  it('none is a superuser; only the CDC role may replicate', async () => {
    const { rows } = await server.sql(
      `SELECT rolname, rolsuper, rolreplication, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname LIKE 'chorus_%' ORDER BY rolname`,
    );
    expect(rows).toEqual([
      { rolname: ROLES.app, rolsuper: false, rolreplication: false, rolcreaterole: false, rolcreatedb: false },
      { rolname: ROLES.cdc, rolsuper: false, rolreplication: true, rolcreaterole: false, rolcreatedb: false },
      { rolname: ROLES.owner, rolsuper: false, rolreplication: false, rolcreaterole: false, rolcreatedb: false },
    ]);
  });

  it('the owner owns the tables and the publications, old ones included', async () => {
    const tables = await server.sql(
      `SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    );
    expect(tables.rows).toEqual([
      { tablename: 'accounts', tableowner: ROLES.owner },
      { tablename: 'api_tokens', tableowner: ROLES.owner },
      { tablename: 'debezium_signal', tableowner: ROLES.owner },
      { tablename: 'schema_migrations', tableowner: ROLES.owner },
      { tablename: 'task_queue', tableowner: ROLES.owner },
    ]);
    const pubs = await server.sql(
      `SELECT pubname, pg_get_userbyid(pubowner) AS owner FROM pg_publication ORDER BY pubname`,
    );
    expect(pubs.rows).toEqual([
      { pubname: 'chorus_old', owner: ROLES.owner },
      { pubname: 'chorus_test', owner: ROLES.owner },
    ]);
    const published = await server.sql(
      `SELECT schemaname || '.' || tablename AS t FROM pg_publication_tables WHERE pubname = 'chorus_test' ORDER BY t`,
    );
    // Debezium reads its signals through the publication too.
    expect(published.rows.map((r) => r.t)).toEqual([defaults.signalTable, ...CAPTURED_TABLES].sort());
  });

  it('only the CDC role may write signals (Debezium marks its snapshot windows there), and it may not delete them', async () => {
    await as('cdc', async (c) => {
      await c.query(`INSERT INTO ${defaults.signalTable} (id, type) VALUES ('window-1', 'snapshot-window-open')`);
      expect(await code(c.query(`DELETE FROM ${defaults.signalTable}`))).toBe('42501');
    });
    await as('app', async (c) => {
      expect(
        await code(c.query(`INSERT INTO ${defaults.signalTable} (id, type) VALUES ('x', 'execute-snapshot')`)),
      ).toBe('42501');
    });
  });

  it('the app role has DML on task_queue, cannot create a table, and may read but not record the migrations', async () => {
    await as('app', async (c) => {
      await c.query(`INSERT INTO task_queue (query_hash, user_query) VALUES ('${'a'.repeat(32)}', '{}')`);
      expect((await c.query('SELECT count(*)::int AS n FROM task_queue')).rows[0].n).toBe(1);
      expect(await code(c.query('CREATE TABLE intruder (id int)'))).toBe('42501');
      expect(await code(c.query(`INSERT INTO schema_migrations (id) VALUES ('999_forged')`))).toBe('42501');
      expect(await code(c.query('DELETE FROM schema_migrations'))).toBe('42501');
      expect(await code(c.query('DROP TABLE task_queue'))).toBe('42501');
    });
  });

  it("the app role sees that this release's migrations all ran, and which one a database lacks", async () => {
    expect(await as('app', pendingMigrations)).toEqual([]);
    const last = MIGRATIONS.at(-1)!.id;
    await server.sql(`DELETE FROM schema_migrations WHERE id = '${last}'`);
    try {
      expect(await as('app', pendingMigrations)).toEqual([last]);
    } finally {
      await server.sql(`INSERT INTO schema_migrations (id) VALUES ('${last}')`);
    }
  });

  it('the CDC role can read the captured table and write nothing', async () => {
    await as('cdc', async (c) => {
      expect((await c.query('SELECT count(*)::int AS n FROM task_queue')).rows[0].n).toBe(1);
      expect(await code(c.query(`DELETE FROM task_queue`))).toBe('42501');
      expect(await code(c.query('CREATE TABLE intruder (id int)'))).toBe('42501');
      // Password and token hashes stay out of CDC's reach, and out of the publication (above).
      expect(await code(c.query('SELECT * FROM accounts'))).toBe('42501');
      expect(await code(c.query('SELECT * FROM api_tokens'))).toBe('42501');
    });
  });

  it('the app role manages accounts and tokens', async () => {
    await as('app', async (c) => {
      await c.query(`INSERT INTO accounts (name, role, password_hash) VALUES ('ana', 'viewer', 'x')`);
      await c.query(`DELETE FROM accounts WHERE name = 'ana'`);
      expect(await code(c.query(`INSERT INTO accounts (name, role, password_hash) VALUES ('ana', 'admin', 'x')`))).toBe(
        '23514',
      );
    });
  });

  it('running again changes nothing and applies a new password', async () => {
    await server.withClient((c) => provisionRoles(c, 'chorus', { ...PASSWORDS, app: 'a-new-password-1' }));
    await expect(as('app', (c) => c.query('SELECT 1'))).rejects.toMatchObject({ code: '28P01' });
    PASSWORDS.app = 'a-new-password-1';
    await as('app', (c) => c.query('SELECT 1'));
  });
});
