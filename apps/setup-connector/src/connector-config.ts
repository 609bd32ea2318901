import { cdcTuning } from '@chorus/config';
import type { ConnectorConfig } from '@chorus/connect-api';
import type { Settings } from './settings.ts';

export const POSTGRES_CONNECTOR_CLASS = 'io.debezium.connector.postgresql.PostgresConnector';
const SECRET_KEYS = new Set(['database.password']);

/**
 * The Debezium PostgreSQL connector config for one environment. Slot, publication and topic prefix
 * are always explicit: Debezium's defaults would let two environments share them.
 */
export function desiredConfig(s: Settings): ConnectorConfig {
  return {
    'connector.class': POSTGRES_CONNECTOR_CLASS,
    'tasks.max': '1',
    'database.hostname': s.connectorDatabase.host,
    'database.port': String(s.connectorDatabase.port),
    'database.user': s.postgres.user,
    'database.password': s.connectorPassword,
    'database.dbname': s.postgres.database,
    'topic.prefix': s.topicPrefix,
    'plugin.name': 'pgoutput',
    'slot.name': s.slotName,
    'publication.name': s.publicationName,
    'publication.autocreate.mode': s.publicationAutocreate,
    'table.include.list': s.tables.join(','),
    // Signals such as execute-snapshot (make rebuild-read-model-<env>) arrive through this table.
    'signal.data.collection': s.signalTable,
    'snapshot.mode': 'initial',
    // Debezium skips TRUNCATE by default; the read model must see it to empty itself.
    'skipped.operations': 'none',
    // Keeps the slot's confirmed LSN moving when the captured tables are quiet, so WAL is not pinned.
    'heartbeat.interval.ms': String(s.heartbeatIntervalMs),
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'false',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    // Debezium creates the tables' topics itself, laid out for the environment, keeping every change (the
    // read model is rebuilt from them); its other topics (heartbeats) get one partition and the broker's retention.
    'topic.creation.groups': 'changes',
    'topic.creation.changes.include': s.tables.map((t) => `${s.topicPrefix}.${t}`.replaceAll('.', '\\.')).join(','),
    'topic.creation.changes.partitions': String(s.changeTopic.partitions),
    'topic.creation.changes.retention.ms': '-1',
    'topic.creation.default.partitions': '1',
    'topic.creation.default.replication.factor': String(s.changeTopic.replicationFactor),
    ...cdcTuning(s.cdcProfile).connector,
  };
}

export interface Drift {
  key: string;
  desired: string | undefined;
  live: string | undefined;
}

/** Differences between the desired and the live config. Connect adds `name` to the live one; it is not drift. */
export function diffConfig(desired: ConnectorConfig, live: ConnectorConfig): Drift[] {
  const keys = [...new Set([...Object.keys(desired), ...Object.keys(live)])].filter((k) => k !== 'name').sort();
  return keys
    .filter((key) => desired[key] !== live[key])
    .map((key) => ({ key, desired: desired[key], live: live[key] }));
}

export function describeDrift(drift: Drift[]): string[] {
  const show = (key: string, value: string | undefined) =>
    value === undefined ? '(unset)' : SECRET_KEYS.has(key) ? '********' : JSON.stringify(value);
  return drift.map(({ key, desired, live }) => `${key}: live ${show(key, live)}, desired ${show(key, desired)}`);
}
