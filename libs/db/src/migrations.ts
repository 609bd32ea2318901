import type pg from 'pg';
import { defaults } from '@chorus/config';
import { STATUSES } from '@chorus/tasks';
import { NAME_PATTERN, USER_ROLES } from './account-store.ts';

export interface Migration {
  id: string;
  sql: string;
}

/** Append only: an applied migration is never edited. */
export const MIGRATIONS: Migration[] = [
  {
    id: '001_task_queue',
    sql: `
      CREATE TABLE IF NOT EXISTS task_queue (
        query_hash  char(32)    PRIMARY KEY CHECK (query_hash ~ '^[0-9a-f]{32}$'),
        user_query  jsonb       NOT NULL,
        status      text        NOT NULL DEFAULT 'PENDING_ANALYSIS'
                    CHECK (status IN (${STATUSES.map((s) => `'${s}'`).join(', ')})),
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
      -- Debezium then carries the whole old row in update and delete events.
      ALTER TABLE task_queue REPLICA IDENTITY FULL;
      CREATE INDEX IF NOT EXISTS task_queue_status_idx ON task_queue (status);`,
  },
  {
    id: '002_debezium_signal',
    // The structure Debezium requires of a signalling table: id, type, data, in this order.
    sql: `
      CREATE TABLE IF NOT EXISTS ${defaults.signalTable} (
        id    varchar(42) PRIMARY KEY,
        type  varchar(32) NOT NULL,
        data  varchar(2048) NULL
      );`,
  },
  {
    id: '003_accounts',
    // Who may use the UI and the API. Not captured: no password or token hash reaches Kafka.
    sql: `
      CREATE TABLE IF NOT EXISTS accounts (
        name           text        PRIMARY KEY CHECK (name ~ '${NAME_PATTERN}'),
        role           text        NOT NULL CHECK (role IN (${USER_ROLES.map((r) => `'${r}'`).join(', ')})),
        password_hash  text        NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS api_tokens (
        name        text        PRIMARY KEY CHECK (name ~ '${NAME_PATTERN}'),
        role        text        NOT NULL CHECK (role IN (${USER_ROLES.map((r) => `'${r}'`).join(', ')})),
        token_hash  char(64)    NOT NULL UNIQUE,
        created_at  timestamptz NOT NULL DEFAULT now()
      );`,
  },
];

const LOCK_ID = 4_240_001; // any constant: serialises concurrent migrate runs

/** Applies the migrations not yet recorded, each in its own transaction. Safe to run any number of times. */
export async function migrate(client: pg.ClientBase): Promise<string[]> {
  await client.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const pending = new Set(await pendingMigrations(client));
    const applied: string[] = [];
    for (const migration of MIGRATIONS) {
      if (!pending.has(migration.id)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      applied.push(migration.id);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]);
  }
}

/**
 * The migrations this release knows that the database has not recorded, oldest first; all of them when
 * none ever ran. Needs only SELECT on schema_migrations, which grantAccess gives the app role.
 */
export async function pendingMigrations(client: pg.ClientBase): Promise<string[]> {
  const table = await client.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (!table.rows[0]?.t) return MIGRATIONS.map((m) => m.id);
  const { rows } = await client.query<{ id: string }>('SELECT id FROM schema_migrations');
  const done = new Set(rows.map((r) => r.id));
  return MIGRATIONS.map((m) => m.id).filter((id) => !done.has(id));
}
