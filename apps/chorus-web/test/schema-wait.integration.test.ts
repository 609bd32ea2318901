import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '@chorus/db';
import { createLogger } from '@chorus/logger';
import { freePort, startPostgres, type TestPostgres } from '@chorus/testing';
import { waitForSchema } from '../src/schema-wait.ts';

const log = createLogger({ name: 'test', level: 'silent', format: 'json', destination: new PassThrough() });
let server: TestPostgres;
const last = MIGRATIONS.at(-1)!.id;

describe('chorus-web wait-for-schema (what a web pod waits on before it serves)', () => {
  beforeAll(async () => {
    server = await startPostgres();
    await server.withClient(migrate);
    await server.sql(`DELETE FROM schema_migrations WHERE id = '${last}'`);
  });
  afterAll(() => server?.stop());

  it('times out naming the migration the database lacks', async () => {
    await expect(waitForSchema(server.connection, { timeoutMs: 1500, log })).rejects.toThrow(
      `migrations not applied yet: ${last}`,
    );
  });

  it('names the Postgres it cannot reach', async () => {
    const port = await freePort();
    await expect(waitForSchema({ ...server.connection, port }, { timeoutMs: 1000, log })).rejects.toThrow(
      `cannot reach Postgres at 127.0.0.1:${port}`,
    );
  });

  it('returns once the migrate step has applied it', async () => {
    const waiting = waitForSchema(server.connection, { timeoutMs: 15_000, log });
    setTimeout(() => void server.sql(`INSERT INTO schema_migrations (id) VALUES ('${last}')`), 1000);
    await expect(waiting).resolves.toBeUndefined();
  });
});
