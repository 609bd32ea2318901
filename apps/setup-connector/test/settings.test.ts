import { describe, expect, it } from 'vitest';
import { ConfigError } from '@chorus/errors';
import { describeDrift, desiredConfig, diffConfig } from '../src/connector-config.ts';
import { loadSettings } from '../src/settings.ts';

const base = { CHORUS_ENV: 'prod', POSTGRES_PASSWORD: 'secret' };

describe('settings', () => {
  it('derives a distinct slot, publication, topic prefix and connector name from the environment', () => {
    const prod = loadSettings(base);
    const dev = loadSettings({ ...base, CHORUS_ENV: 'dev' });
    expect(prod).toMatchObject({
      connectorName: 'chorus-prod-postgres',
      slotName: 'chorus_prod',
      publicationName: 'chorus_prod',
      topicPrefix: 'chorus_prod',
      tables: ['public.task_queue'],
      connectUrl: 'http://kafka-connect:8083',
      postgres: { host: 'postgres', port: 5432, database: 'chorus', user: 'chorus' },
      connectorDatabase: { host: 'postgres', port: 5432 },
      timeoutMs: 180_000,
    });
    expect(dev.slotName).not.toBe(prod.slotName);
    expect(dev.topicPrefix).not.toBe(prod.topicPrefix);
  });

  it('lets Connect reach Postgres at another address than this CLI does', () => {
    const s = loadSettings({
      ...base,
      POSTGRES_HOST: 'localhost',
      POSTGRES_PORT: '15432',
      CONNECTOR_DATABASE_HOST: 'postgres',
      CONNECTOR_DATABASE_PORT: '5432',
    });
    expect(desiredConfig(s)).toMatchObject({ 'database.hostname': 'postgres', 'database.port': '5432' });
    expect(s.postgres).toMatchObject({ host: 'localhost', port: 15432 });
  });

  it('names every bad variable', () => {
    const error = (() => {
      try {
        loadSettings({ CHORUS_ENV: 'Prod!', KAFKA_CONNECT_URL: 'not a url', TABLE_INCLUDE_LIST: 'task_queue' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const text = error!.problems.join('\n');
    expect(text).toMatch(/CHORUS_ENV: /);
    expect(text).toMatch(/POSTGRES_PASSWORD: required/);
    expect(text).toMatch(/KAFKA_CONNECT_URL: /);
    expect(text).toMatch(/TABLE_INCLUDE_LIST.*schema\.table/);
  });
});

describe('desired connector config', () => {
  it('uses pgoutput, the publication the migrations made, explicit names and a 5 s heartbeat, by default', () => {
    const config = desiredConfig(loadSettings(base));
    expect(config).toMatchObject({
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'plugin.name': 'pgoutput',
      'publication.autocreate.mode': 'disabled',
      'slot.name': 'chorus_prod',
      'publication.name': 'chorus_prod',
      'topic.prefix': 'chorus_prod',
      'table.include.list': 'public.task_queue',
      'heartbeat.interval.ms': '5000',
    });
    expect(Object.values(config).every((v) => typeof v === 'string')).toBe(true);
  });

  it('has Debezium create the change topic laid out for the environment, keeping every change', () => {
    const one = desiredConfig(loadSettings(base));
    expect(one).toMatchObject({
      'topic.creation.changes.partitions': '1',
      'topic.creation.default.replication.factor': '1',
    });
    const config = desiredConfig(
      loadSettings({ ...base, CHANGE_TOPIC_PARTITIONS: '6', KAFKA_REPLICATION_FACTOR: '3' }),
    );
    expect(config).toMatchObject({
      'topic.creation.groups': 'changes',
      'topic.creation.changes.include': 'chorus_prod\\.public\\.task_queue',
      'topic.creation.changes.partitions': '6',
      'topic.creation.changes.retention.ms': '-1',
      'topic.creation.default.partitions': '1',
      'topic.creation.default.replication.factor': '3',
    });
    // The include list is a regular expression: the topic's own name matches, a look-alike does not.
    const include = new RegExp(`^(?:${config['topic.creation.changes.include']})$`);
    expect(include.test('chorus_prod.public.task_queue')).toBe(true);
    expect(include.test('chorus_prodXpublic.task_queue')).toBe(false);
    expect(() => loadSettings({ ...base, CHANGE_TOPIC_PARTITIONS: '0' })).toThrow(/CHANGE_TOPIC_PARTITIONS/);
  });

  it('sees no drift in the name Connect adds, and shows real drift without the password', () => {
    const desired = desiredConfig(loadSettings(base));
    expect(diffConfig(desired, { ...desired, name: 'chorus-prod-postgres' })).toEqual([]);
    const drift = diffConfig(desired, { ...desired, 'slot.name': 'debezium', 'database.password': 'old', extra: 'x' });
    expect(drift.map((d) => d.key)).toEqual(['database.password', 'extra', 'slot.name']);
    const lines = describeDrift(drift).join('\n');
    expect(lines).toContain('slot.name: live "debezium", desired "chorus_prod"');
    expect(lines).toContain('extra: live "x", desired (unset)');
    expect(lines).not.toMatch(/secret|old/);
  });
});
