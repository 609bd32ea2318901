import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKafkaConnect, POSTGRES_CONNECTOR_CLASS } from '@chorus/fake-kafka-connect';
import { ConnectError, ConnectUnreachableError, KafkaConnectClient } from '../src/index.ts';

const config = {
  'connector.class': POSTGRES_CONNECTOR_CLASS,
  'database.hostname': 'postgres',
  'database.user': 'chorus',
  'database.dbname': 'chorus',
  'topic.prefix': 'chorus_test',
};

describe('KafkaConnectClient', () => {
  let fake: FakeKafkaConnect;
  let client: KafkaConnectClient;

  beforeEach(async () => {
    fake = new FakeKafkaConnect();
    client = new KafkaConnectClient(`${await fake.start()}/`);
  });
  afterEach(() => fake.stop());

  it('tells create (201) from update (200) on PUT /connectors/{name}/config', async () => {
    expect((await client.putConfig('c1', config)).created).toBe(true);
    const second = await client.putConfig('c1', { ...config, 'topic.prefix': 'other' });
    expect(second.created).toBe(false);
    expect(second.info.config['topic.prefix']).toBe('other');
  });

  it('answers null for an unknown connector instead of throwing', async () => {
    expect(await client.getConfig('missing')).toBeNull();
    expect(await client.status('missing')).toBeNull();
  });

  it('turns an error body into a ConnectError with status, error_code and message', async () => {
    fake.rebalances = 1;
    const error = await client.putConfig('c1', config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ status: 409, errorCode: 409, request: 'PUT /connectors/c1/config' });
    expect((error as Error).message).toMatch(/rebalance/);
  });

  it('returns the 202 status body of a restart with includeTasks, and null for a plain 204 restart', async () => {
    fake.taskFailures = 1;
    fake.taskStartupPolls = 0;
    await client.putConfig('c1', config);
    expect((await client.status('c1'))?.tasks[0]?.state).toBe('FAILED');
    const restarting = await client.restart('c1', { includeTasks: true, onlyFailed: true });
    expect(restarting?.tasks[0]?.state).toBe('RESTARTING');
    expect(fake.requests).toContain('POST /connectors/c1/restart?includeTasks=true&onlyFailed=true');
    expect(await client.restart('c1')).toBeNull();
  });

  it('reports an unreachable worker as ConnectUnreachableError naming the URL', async () => {
    await fake.stop();
    const error = await client.serverInfo().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectUnreachableError);
    expect((error as Error).message).toMatch(/Kafka Connect at http:\/\/127\.0\.0\.1:\d+ is unreachable: ECONNREFUSED/);
  });
});
