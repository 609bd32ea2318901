/**
 * One backup while the environment keeps serving: the rows are counted, and the database dumped, from one
 * exported snapshot, so the manifest describes exactly what the dump holds.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { BACKUP_FILES, type Manifest, backupName } from '@chorus/backup-manifest';
import { OperatorError } from '@chorus/errors';
import { KafkaConnectClient } from '@chorus/kafka-connect';
import type { Logger } from '@chorus/logger';
import { digest, pgTool } from './pg-tools.ts';
import type { Settings } from './settings.ts';
import type { BackupStore } from './store.ts';

/** Every table of the public schema with its row count, and the migrations applied, as `client` sees them. */
export async function describeDatabase(
  client: pg.ClientBase,
): Promise<{ rows: Record<string, number>; migrations: string[] }> {
  const tables = await client.query<{ name: string }>(
    `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
  );
  const rows: Record<string, number> = {};
  for (const { name } of tables.rows)
    rows[name] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`)).rows[0]!.n);
  const applied =
    rows['public.schema_migrations'] === undefined
      ? []
      : (await client.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id')).rows.map((r) => r.id);
  return { rows, migrations: applied };
}

async function connect(settings: Settings['postgres']): Promise<pg.Client> {
  const client = new pg.Client(settings);
  try {
    await client.connect();
    return client;
  } catch (error) {
    throw new OperatorError(
      `cannot reach Postgres at ${settings.host}:${settings.port} as ${settings.user}: ${(error as Error).message}`,
      { retriable: true },
    );
  }
}

/** The connector's configuration as Connect holds it, or null when Connect is down or has none (the backup goes on). */
async function connectorConfig(s: Settings, log: Logger): Promise<string | null> {
  try {
    const config = await new KafkaConnectClient(s.connectUrl).getConfig(s.connectorName);
    return config ? `${JSON.stringify(config, null, 2)}\n` : null;
  } catch (error) {
    log.warn(
      { err: (error as Error).message },
      `could not read connector ${s.connectorName}'s configuration; the backup holds the database only`,
    );
    return null;
  }
}

export async function takeBackup(s: Settings, store: BackupStore, log: Logger): Promise<Manifest> {
  const started = Date.now();
  const takenAt = new Date();
  const name = backupName(s.env, takenAt);
  return store.write(name, async (folder) => {
    const client = await connect(s.postgres);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const snapshot = (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id;
      const described = await describeDatabase(client);
      const dumpFile = join(folder, BACKUP_FILES.database);
      await pgTool(
        'pg_dump',
        ['--format', 'custom', '--snapshot', snapshot, '--file', dumpFile, s.postgres.database],
        s.postgres,
      );
      await client.query('COMMIT');
      const connector = await connectorConfig(s, log);
      if (connector) writeFileSync(join(folder, BACKUP_FILES.connector), connector);
      return {
        format: 1,
        name,
        environment: s.env,
        release: s.release,
        takenAt: takenAt.toISOString(),
        migrations: described.migrations,
        rows: described.rows,
        files: {
          [BACKUP_FILES.database]: await digest(dumpFile),
          [BACKUP_FILES.connector]: connector ? await digest(join(folder, BACKUP_FILES.connector)) : null,
        },
        durationMs: Date.now() - started,
      };
    } finally {
      await client.end().catch(() => undefined);
    }
  });
}
