import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKafkaConnect, TASK_TRACE } from '@chorus/fake-kafka-connect';
import { KafkaConnectClient } from '@chorus/kafka-connect';
import { Deadline, TimeoutError } from '@chorus/wait';
import {
  ConnectorFailedError,
  InvalidConfigError,
  type Pace,
  applyConfig,
  readConfig,
  validateConfig,
  waitForConnect,
  waitUntilRunning,
} from '../src/connector.ts';
import { desiredConfig } from '../src/connector-config.ts';
import { captureLog } from './support/log.ts';
import { testSettings } from './support/settings.ts';

const settings = testSettings();
const config = desiredConfig(settings);
const NAME = settings.connectorName;
/** The fake counts polls, not time: the same sequence as a real worker's, without its seconds between attempts. */
const FAST: Pace = { initialMs: 5, maxMs: 20 };

describe('against the Kafka Connect REST API', () => {
  let fake: FakeKafkaConnect;
  let connect: KafkaConnectClient;
  const puts = () => fake.requests.filter((r) => r === `PUT /connectors/${NAME}/config`).length;

  beforeEach(async () => {
    fake = new FakeKafkaConnect();
    connect = new KafkaConnectClient(await fake.start());
  });
  afterEach(() => fake.stop());

  describe('waitForConnect', () => {
    it('waits through a starting worker until the Debezium plugin is listed, saying why', async () => {
      fake.startingPolls = 2;
      // Counted in polls, not time, so a busy machine sees the same sequence.
      fake.loadingPluginPolls = 2;
      const { log, messages } = captureLog();
      await waitForConnect(connect, new Deadline(5000), log, FAST);
      expect(messages().some((m) => /waiting for Kafka Connect: GET \/ answered 503/.test(m))).toBe(true);
      expect(messages().some((m) => /PostgresConnector is not listed/.test(m))).toBe(true);
    });

    it('times out naming the missing plugin', async () => {
      fake.plugins = ['org.apache.kafka.connect.mirror.MirrorSourceConnector'];
      const error = await waitForConnect(connect, new Deadline(100), captureLog().log, FAST).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toMatch(/Debezium PostgreSQL plugin.*is not listed \(1 plugins loaded\)/);
    });
  });

  describe('validateConfig', () => {
    it('sends the connector name, which Connect requires when validating', async () => {
      const raw = await connect.validate('PostgresConnector', config);
      expect(raw.configs.find((c) => c.value.name === 'name')?.value.errors).toEqual([
        'Missing required configuration "name" which has no default value.',
      ]);
      await validateConfig(connect, NAME, config, new Deadline(5000), captureLog().log, FAST);
    });

    it('retries while the only error is that Connect cannot reach the database', async () => {
      fake.databaseUnreachable = 2;
      const { log, messages } = captureLog();
      await validateConfig(connect, NAME, config, new Deadline(5000), log, FAST);
      expect(fake.requests.filter((r) => r.includes('/config/validate'))).toHaveLength(3);
      expect(messages().filter((m) => /cannot reach Postgres yet/.test(m))).toHaveLength(2);
    });

    it('stops at once on a real error and lists it field by field', async () => {
      const bad = { ...config, 'plugin.name': 'wal2json', 'topic.prefix': '' };
      const error = await validateConfig(connect, NAME, bad, new Deadline(5000), captureLog().log, FAST).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).errors.map((e) => e.field).sort()).toEqual(['plugin.name', 'topic.prefix']);
      expect((error as Error).message).toMatch(
        /- plugin\.name: The 'plugin\.name' value is invalid: Value must be one of decoderbufs, pgoutput/,
      );
      expect(fake.requests.filter((r) => r.includes('/config/validate'))).toHaveLength(1);
    });
  });

  describe('readConfig', () => {
    it('retries GET config through a rebalance (409), then reads it; absent is null, not an error', async () => {
      fake.rebalancingConfigReads = 2;
      const { log, messages } = captureLog();
      expect(await readConfig(connect, NAME, new Deadline(5000), log, FAST)).toBeNull();
      expect(fake.requests.filter((r) => r === `GET /connectors/${NAME}/config`)).toHaveLength(3);
      expect(messages().filter((m) => /answered 409/.test(m))).toHaveLength(2);
      await applyConfig(connect, NAME, config, new Deadline(5000), log, FAST);
      fake.rebalancingConfigReads = 1;
      expect(await readConfig(connect, NAME, new Deadline(5000), log, FAST)).toMatchObject({
        'slot.name': config['slot.name'],
      });
    });
  });

  describe('applyConfig', () => {
    it('creates with PUT (never POST) and reports created, then updated', async () => {
      expect(await applyConfig(connect, NAME, config, new Deadline(5000), captureLog().log, FAST)).toBe(true);
      expect(
        await applyConfig(
          connect,
          NAME,
          { ...config, 'heartbeat.interval.ms': '1' },
          new Deadline(5000),
          captureLog().log,
          FAST,
        ),
      ).toBe(false);
      expect(fake.requests.some((r) => r.startsWith('POST /connectors'))).toBe(false);
    });

    it('retries through a rebalance (409) and server errors (5xx)', async () => {
      fake.rebalances = 2;
      fake.serverErrors = 1;
      expect(await applyConfig(connect, NAME, config, new Deadline(5000), captureLog().log, FAST)).toBe(true);
      expect(puts()).toBe(4);
    });

    it('retries a 400 whose message is a database connection error', async () => {
      fake.databaseUnreachable = 1;
      expect(await applyConfig(connect, NAME, config, new Deadline(5000), captureLog().log, FAST)).toBe(true);
      expect(puts()).toBe(2);
    });

    it('stops on any other 400 and prints the errors', async () => {
      const error = await applyConfig(
        connect,
        NAME,
        { ...config, 'plugin.name': 'wal2json' },
        new Deadline(5000),
        captureLog().log,
        FAST,
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as Error).message).toMatch(/Value must be one of decoderbufs, pgoutput/);
      expect((error as Error).message).not.toMatch(/You can also find/);
      expect(puts()).toBe(1);
    });

    it('gives up at the deadline with the last reason', async () => {
      fake.rebalances = 1000;
      const error = await applyConfig(connect, NAME, config, new Deadline(100), captureLog().log, FAST).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toMatch(
        /answered 409: Cannot complete request because of a conflicting operation/,
      );
    });
  });

  describe('waitUntilRunning', () => {
    it('waits for the task to be assigned and running', async () => {
      fake.taskStartupPolls = 2;
      await connect.putConfig(NAME, config);
      const status = await waitUntilRunning(connect, NAME, 3, new Deadline(5000), captureLog().log, FAST);
      expect(status.tasks.map((t) => t.state)).toEqual(['RUNNING']);
    });

    it('restarts a FAILED task with includeTasks and onlyFailed, then succeeds', async () => {
      fake.taskFailures = 2;
      await connect.putConfig(NAME, config);
      const { log, messages } = captureLog();
      const status = await waitUntilRunning(connect, NAME, 3, new Deadline(5000), log, FAST);
      expect(status.tasks[0]?.state).toBe('RUNNING');
      expect(
        fake.requests.filter((r) => r === `POST /connectors/${NAME}/restart?includeTasks=true&onlyFailed=true`),
      ).toHaveLength(2);
      expect(messages().filter((m) => /task 0 of .* FAILED; restarting/.test(m))).toHaveLength(2);
    });

    it('stops after the allowed restarts and shows the first lines of the trace', async () => {
      fake.taskFailures = 100;
      await connect.putConfig(NAME, config);
      const error = await waitUntilRunning(connect, NAME, 2, new Deadline(5000), captureLog().log, FAST).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConnectorFailedError);
      const message = (error as Error).message;
      expect(message).toMatch(/task 0 is FAILED after 2 restart\(s\)/);
      expect(message).toContain(TASK_TRACE.split('\n')[0]);
      expect(message).not.toContain(TASK_TRACE.split('\n')[8]);
      expect(fake.requests.filter((r) => r.includes('/restart'))).toHaveLength(2);
    });
  });
});
