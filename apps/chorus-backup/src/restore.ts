/**
 * The database half of a restore (the env CLI does the rest: writes paused, the connector stopped, its
 * offsets and change topic reset, the read model rebuilt). The backup is restored into a database of its
 * own and checked against its manifest; only then does it take the environment's database name. The
 * database it replaces is kept as <name>_before_restore until the next restore.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { BACKUP_FILES, type Manifest } from '@chorus/backup-manifest';
import { MIGRATIONS } from '@chorus/db';
import { EXIT, OperatorError } from '@chorus/errors';
import type { Logger } from '@chorus/logger';
import { digest, pgTool } from './pg-tools.ts';
import type { Settings } from './settings.ts';
import type { BackupStore } from './store.ts';
import { describeDatabase } from './take.ts';
import { refusals } from './verify.ts';

/** Refuses the backup (exit 2, nothing changed) unless it is this environment's, intact, and of a schema this release knows. */
export async function checkBackup(
  s: Settings,
  store: BackupStore,
  name: string,
): Promise<{ path: string; manifest: Manifest }> {
  const opened = store.open(name);
  const files: Record<string, { bytes: number; sha256: string } | null> = {};
  for (const file of Object.values(BACKUP_FILES))
    files[file] = existsSync(join(opened.path, file)) ? await digest(join(opened.path, file)) : null;
  const problems = refusals(opened.manifest, {
    environment: s.env,
    knownMigrations: MIGRATIONS.map((m) => m.id),
    files,
  });
  if (problems.length > 0)
    throw new OperatorError(`refused, nothing changed: ${problems.join('; ')}`, { exitCode: EXIT.config });
  return opened;
}

export interface Restored {
  manifest: Manifest;
  rows: Record<string, number>;
  restoreMs: number;
}

export async function restoreDatabase(s: Settings, store: BackupStore, name: string, log: Logger): Promise<Restored> {
  if (!s.superuser)
    throw new OperatorError(
      'a restore needs POSTGRES_SUPERUSER and POSTGRES_SUPERUSER_PASSWORD: run it through make restore-<env>, which passes them',
      { exitCode: EXIT.config },
    );
  const { path, manifest } = await checkBackup(s, store, name);
  const started = Date.now();
  const db = s.postgres.database;
  const [staging, before] = [`${db}_restoring`, `${db}_before_restore`];
  const as = (database: string) => ({
    ...s.postgres,
    database,
    user: s.superuser!.user,
    password: s.superuser!.password,
  });
  const admin = new pg.Client(as('postgres'));
  await admin.connect();
  const ident = (n: string) => admin.escapeIdentifier(n);
  try {
    const owner =
      (
        await admin.query<{ owner: string }>(
          'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
          [db],
        )
      ).rows[0]?.owner ?? s.superuser.user;
    await admin.query(`DROP DATABASE IF EXISTS ${ident(staging)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${ident(staging)} OWNER ${ident(owner)}`);
    try {
      await pgTool(
        'pg_restore',
        ['--exit-on-error', '--single-transaction', '--dbname', staging, join(path, BACKUP_FILES.database)],
        as(staging),
      );
      const check = new pg.Client(as(staging));
      await check.connect();
      const { rows } = await describeDatabase(check).finally(() => check.end());
      const differ = Object.entries(manifest.rows).filter(([table, n]) => rows[table] !== n);
      if (differ.length > 0)
        throw new OperatorError(
          `the restored database differs from backup ${name}'s manifest (${differ.map(([t, n]) => `${t}: ${rows[t]} rows, not ${n}`).join('; ')}); nothing was replaced`,
        );
    } catch (error) {
      await admin.query(`DROP DATABASE IF EXISTS ${ident(staging)} WITH (FORCE)`).catch(() => undefined);
      throw error;
    }
    log.info(`backup ${name} restored into ${staging} and checked against its manifest; replacing ${db}`);
    // The slot belongs to the database being replaced; the connector makes a new one when it resumes.
    await admin.query(
      'SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL',
      [s.slotName],
    );
    await admin.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [
      s.slotName,
    ]);
    await admin.query(`DROP DATABASE IF EXISTS ${ident(before)} WITH (FORCE)`);
    await admin.query(`ALTER DATABASE ${ident(db)} WITH ALLOW_CONNECTIONS false`);
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [db],
    );
    await admin.query(`ALTER DATABASE ${ident(db)} RENAME TO ${ident(before)}`);
    await admin.query(`ALTER DATABASE ${ident(staging)} RENAME TO ${ident(db)}`);
    log.info(`${db} is backup ${name} now; the database it replaced is kept as ${before} until the next restore`);
    return { manifest, rows: manifest.rows, restoreMs: Date.now() - started };
  } finally {
    await admin.end().catch(() => undefined);
  }
}
