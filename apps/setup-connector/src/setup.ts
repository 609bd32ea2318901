import type { ConnectorStatus } from '@chorus/connect-api';
import { KafkaConnectClient } from '@chorus/kafka-connect';
import type { Logger } from '@chorus/logger';
import { Deadline } from '@chorus/wait';
import {
  applyConfig,
  readConfig,
  validateConfig,
  waitForConnect,
  waitUntilRunning,
  waitUntilStopped,
} from './connector.ts';
import { type Drift, desiredConfig, diffConfig } from './connector-config.ts';
import { preflight, waitForPostgres } from './postgres.ts';
import type { Settings } from './settings.ts';

export type Action = 'created' | 'updated' | 'unchanged';

export interface SetupResult {
  action: Action;
  status: ConnectorStatus;
  elapsedMs: number;
}

/** Postgres ready and fit for CDC, then the connector applied (only if it changed) and RUNNING. */
export async function setupConnector(s: Settings, log: Logger): Promise<SetupResult> {
  const deadline = new Deadline(s.timeoutMs);
  const connect = new KafkaConnectClient(s.connectUrl);
  const desired = desiredConfig(s);

  const client = await waitForPostgres(s, deadline, log);
  try {
    log.info(`Postgres is up at ${s.postgres.host}:${s.postgres.port}; checking CDC prerequisites`);
    await preflight(client, s);
  } finally {
    await client.end().catch(() => {});
  }

  await waitForConnect(connect, deadline, log);
  const live = await readConfig(connect, s.connectorName, deadline, log);
  let action: Action = 'unchanged';
  if (live && diffConfig(desired, live).length === 0) {
    log.info(`connector ${s.connectorName} unchanged`);
  } else {
    await validateConfig(connect, s.connectorName, desired, deadline, log);
    const created = await applyConfig(connect, s.connectorName, desired, deadline, log);
    action = created ? 'created' : 'updated';
    log.info(`connector ${s.connectorName} ${action}`);
  }

  const status = await waitUntilRunning(connect, s.connectorName, s.maxTaskRestarts, deadline, log);
  return { action, status, elapsedMs: deadline.elapsedMs() };
}

/** Compares desired and live config without changing anything. `live` is null when the connector is absent. */
export async function checkConnector(s: Settings, log: Logger): Promise<{ live: boolean; drift: Drift[] }> {
  const deadline = new Deadline(s.timeoutMs);
  const connect = new KafkaConnectClient(s.connectUrl);
  await waitForConnect(connect, deadline, log);
  const desired = desiredConfig(s);
  const live = await readConfig(connect, s.connectorName, deadline, log);
  return live ? { live: true, drift: diffConfig(desired, live) } : { live: false, drift: diffConfig(desired, {}) };
}

/**
 * Before the migrations (`--hand-over`): a connector registered by an older release that manages its own
 * publication (publication.autocreate.mode other than this config's) is stopped. On a restart of Connect
 * such a connector sets the publication back to its own table list, undoing what the migrations add to it
 * (the signalling table). Stopped, it keeps its offsets; setup-connector applies this release's config
 * after the migrations and resumes it. Resolves to whether it stopped one.
 */
export async function handOver(s: Settings, log: Logger): Promise<boolean> {
  const deadline = new Deadline(s.timeoutMs);
  const connect = new KafkaConnectClient(s.connectUrl);
  await waitForConnect(connect, deadline, log);
  const live = await readConfig(connect, s.connectorName, deadline, log);
  const key = 'publication.autocreate.mode';
  const desired = desiredConfig(s)[key];
  if (!live || live[key] === desired) {
    log.info(
      `connector ${s.connectorName}: ${live ? `already runs with ${key}=${desired}` : 'not registered yet'}; nothing to hand over`,
    );
    return false;
  }
  log.warn(
    `connector ${s.connectorName} was registered with ${key}=${live[key] ?? '(Debezium default: all_tables)'}, so it rewrites publication ${s.publicationName} on every start; stopping it until the migrations have run and this release's config (${key}=${desired}) is applied`,
  );
  await connect.stop(s.connectorName);
  await waitUntilStopped(connect, s.connectorName, deadline, log);
  log.info(`connector ${s.connectorName} STOPPED (its offsets kept)`);
  return true;
}

export function summary(s: Settings, r: SetupResult): string {
  const running = r.status.tasks.filter((t) => t.state === 'RUNNING').length;
  return (
    `connector ${s.connectorName} ${r.status.connector.state} (${r.action}): ` +
    `${running}/${r.status.tasks.length} tasks RUNNING, slot ${s.slotName}, publication ${s.publicationName}, ` +
    `topic prefix ${s.topicPrefix}, in ${(r.elapsedMs / 1000).toFixed(1)}s`
  );
}
