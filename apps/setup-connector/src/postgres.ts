import pg from 'pg';
import { OperatorError } from '@chorus/errors';
import type { Logger } from '@chorus/logger';
import { type Deadline, done, notYet, poll } from '@chorus/wait';
import type { Settings } from './settings.ts';

export interface Problem {
  check: string;
  message: string;
  fix: string;
}

/** The database cannot host this connector. Every problem found is listed with its fix. */
export class PreflightError extends OperatorError {
  constructor(readonly problems: Problem[]) {
    super(
      `Postgres is not ready for change data capture:\n` +
        problems.map((p) => `  - ${p.message}\n    fix: ${p.fix}`).join('\n'),
    );
  }
}

/** Postgres answered, but refused these credentials or this database: waiting will not help. */
export class PostgresUnusableError extends OperatorError {
  constructor(where: string, reason: string) {
    super(`cannot use Postgres at ${where}: ${reason}`);
  }
}

/** Connects and runs `SELECT 1`, retrying with backoff until the deadline. Returns the open client. */
export async function waitForPostgres(s: Settings, deadline: Deadline, log: Logger): Promise<pg.Client> {
  const where = `${s.postgres.host}:${s.postgres.port}/${s.postgres.database}`;
  return poll(
    async () => {
      const client = new pg.Client({
        ...s.postgres,
        connectionTimeoutMillis: Math.max(500, Math.min(5000, deadline.remainingMs())),
      });
      client.on('error', () => {}); // a dropped idle connection is reported by the next query instead
      try {
        await client.connect();
        await client.query('SELECT 1');
        return done(client);
      } catch (error) {
        await client.end().catch(() => {});
        const message = errorMessage(error);
        // Wrong credentials or a missing database will not fix themselves by waiting.
        if (isPermanent(error)) throw new PostgresUnusableError(where, message);
        return notYet(message);
      }
    },
    {
      what: `Postgres at ${where}`,
      deadline,
      initialMs: 100,
      maxMs: 2000,
      onWait: ({ attempt, reason, nextDelayMs }) =>
        log.info({ attempt, retryInMs: nextDelayMs }, `waiting for Postgres at ${where}: ${reason}`),
    },
  );
}

const PERMANENT_SQLSTATES = new Set(['28P01', '28000', '3D000']); // bad password, no such role, no such database

function isPermanent(error: unknown): boolean {
  return PERMANENT_SQLSTATES.has((error as { code?: string }).code ?? '');
}

function errorMessage(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.message || e.code || String(error);
}

/** Checks what Debezium's pgoutput connector needs. Reports every missing piece at once. */
export async function preflight(client: pg.Client, s: Settings): Promise<void> {
  const problems: Problem[] = [];
  const one = async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows[0] as T;

  const { wal_level } = await one<{ wal_level: string }>('SHOW wal_level');
  if (wal_level !== 'logical') {
    problems.push({
      check: 'wal_level',
      message: `wal_level is '${wal_level}', but logical decoding needs 'logical'`,
      fix: `start Postgres with "-c wal_level=logical" (or ALTER SYSTEM SET wal_level = logical) and restart it`,
    });
  }

  const role = await one<{ rolname: string; rolreplication: boolean; rolsuper: boolean }>(
    'SELECT rolname, rolreplication, rolsuper FROM pg_roles WHERE rolname = current_user',
  );
  if (!role.rolreplication && !role.rolsuper) {
    problems.push({
      check: 'replication',
      message: `user "${role.rolname}" may not replicate`,
      fix: `ALTER ROLE "${role.rolname}" WITH REPLICATION;`,
    });
  }

  const publication = await one<{ exists: boolean; can_create: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1) AS exists,
            has_database_privilege(current_user, current_database(), 'CREATE') AS can_create`,
    [s.publicationName],
  );

  for (const table of [...s.tables, s.signalTable]) {
    const signals = table === s.signalTable;
    const row = await one<{
      oid: string | null;
      owned: boolean | null;
      readable: boolean | null;
      writable: boolean | null;
      published: boolean;
    }>(
      `SELECT to_regclass($1)::oid::text AS oid,
              (SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c WHERE c.oid = to_regclass($1)) AS owned,
              CASE WHEN to_regclass($1) IS NULL THEN NULL ELSE has_table_privilege(current_user, $1, 'SELECT') END AS readable,
              CASE WHEN to_regclass($1) IS NULL THEN NULL ELSE has_table_privilege(current_user, $1, 'INSERT') END AS writable,
              EXISTS (SELECT 1 FROM pg_publication_tables WHERE pubname = $2 AND format('%s.%s', schemaname, tablename) = $1) AS published`,
      [table, s.publicationName],
    );
    if (row.oid === null) {
      problems.push({
        check: 'table',
        message: `table ${table} does not exist in database "${s.postgres.database}"`,
        fix: signals
          ? `CREATE TABLE ${table} (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048) NULL); as the owner (the CHORUS migrations do this), or correct SIGNAL_DATA_COLLECTION`
          : `run the migrations that create it before registering the connector (or correct TABLE_INCLUDE_LIST)`,
      });
      continue;
    }
    if (!row.readable && !role.rolsuper) {
      problems.push({
        check: 'select',
        message: `user "${role.rolname}" may not read ${table}, which the snapshot and the events need`,
        fix: `GRANT SELECT ON ${table} TO "${role.rolname}"; (as the table's owner)`,
      });
    }
    if (signals && !row.writable && !role.rolsuper) {
      problems.push({
        check: 'signals',
        message: `user "${role.rolname}" may not insert into ${table}, where Debezium marks the windows of an incremental snapshot`,
        fix: `GRANT SELECT, INSERT ON ${table} TO "${role.rolname}"; (as the table's owner)`,
      });
    }
    if (publication.exists && !row.published) {
      problems.push({
        check: 'publication',
        message: `publication "${s.publicationName}" does not include ${table}`,
        fix: `ALTER PUBLICATION ${s.publicationName} ADD TABLE ${table}; (as the publication's owner)`,
      });
    } else if (!publication.exists && s.publicationAutocreate === 'filtered' && !row.owned && !role.rolsuper) {
      problems.push({
        check: 'publication',
        message: `user "${role.rolname}" does not own ${table}, so Debezium cannot create publication "${s.publicationName}" with it`,
        fix: `CREATE PUBLICATION ${s.publicationName} FOR TABLE ${s.tables.join(', ')}; as the tables' owner, or ALTER TABLE ${table} OWNER TO "${role.rolname}";`,
      });
    }
  }

  const slot = await one<
    { plugin: string; database: string; active_pid: number | null; application: string | null } | undefined
  >(
    `SELECT s.plugin, s.database, s.active_pid, a.application_name AS application
       FROM pg_replication_slots s LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid WHERE s.slot_name = $1`,
    [s.slotName],
  );
  if (slot) {
    if (slot.plugin !== 'pgoutput' || slot.database !== s.postgres.database) {
      problems.push({
        check: 'slot',
        message: `replication slot "${s.slotName}" exists for plugin ${slot.plugin} in database "${slot.database}"`,
        fix: `SELECT pg_drop_replication_slot('${s.slotName}'); or choose another SLOT_NAME`,
      });
    } else if (slot.active_pid !== null && !slot.application?.startsWith('Debezium')) {
      // Debezium's own walsender is ours (a connector already running); anything else would fight it for the slot.
      problems.push({
        check: 'slot',
        message: `replication slot "${s.slotName}" is in use by another client (pid ${slot.active_pid}${slot.application ? `, application "${slot.application}"` : ''})`,
        fix: `stop that client (SELECT pg_terminate_backend(${slot.active_pid});), or choose another SLOT_NAME`,
      });
    }
  } else {
    const slots = await one<{ used: number; max: number }>(
      `SELECT (SELECT count(*) FROM pg_replication_slots)::int AS used, current_setting('max_replication_slots')::int AS max`,
    );
    if (slots.used >= slots.max) {
      problems.push({
        check: 'slot',
        message: `all ${slots.max} replication slots are taken and "${s.slotName}" is not one of them`,
        fix: `raise max_replication_slots, or drop an unused slot with SELECT pg_drop_replication_slot('<name>')`,
      });
    }
  }

  if (!publication.exists && s.publicationAutocreate === 'disabled') {
    problems.push({
      check: 'publication',
      message: `publication "${s.publicationName}" does not exist, and PUBLICATION_AUTOCREATE_MODE=disabled says the connector may not create it`,
      fix: `CREATE PUBLICATION ${s.publicationName} FOR TABLE ${s.tables.join(', ')}; as the tables' owner (the CHORUS environments' migrate step does this)`,
    });
  } else if (!publication.exists && !publication.can_create && !role.rolsuper) {
    problems.push({
      check: 'publication',
      message: `publication "${s.publicationName}" does not exist and user "${role.rolname}" may not create it`,
      fix: `GRANT CREATE ON DATABASE "${s.postgres.database}" TO "${role.rolname}"; or CREATE PUBLICATION ${s.publicationName} FOR TABLE ${s.tables.join(', ')};`,
    });
  }

  if (problems.length > 0) throw new PreflightError(problems);
}
