import pg from 'pg';
import type { PostgresSettings } from '@chorus/config';
import { pendingMigrations } from '@chorus/db';
import type { Logger } from '@chorus/logger';
import { Deadline, done, notYet, poll } from '@chorus/wait';

/**
 * Resolves once every migration this release knows is in schema_migrations, read as `postgres` (the app
 * role); rejects, naming what was still missing, when `timeoutMs` passes. A web pod waits on it before it
 * serves, so that it never serves an older schema than its code.
 */
export async function waitForSchema(
  postgres: PostgresSettings,
  { timeoutMs, log }: { timeoutMs: number; log: Logger },
): Promise<void> {
  await poll(
    async () => {
      const client = new pg.Client(postgres);
      try {
        await client.connect();
        const missing = await pendingMigrations(client);
        return missing.length === 0 ? done(true) : notYet(`migrations not applied yet: ${missing.join(', ')}`);
      } catch (error) {
        return notYet(
          `cannot reach Postgres at ${postgres.host}:${postgres.port} as ${postgres.user}: ${(error as Error).message}`,
        );
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    {
      what: "this release's schema (the migrate step applies it)",
      deadline: new Deadline(timeoutMs),
      initialMs: 500,
      maxMs: 5000,
      onWait: ({ reason }) => log.info(reason),
    },
  );
}
