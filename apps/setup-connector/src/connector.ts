import type { ConnectorConfig, ConnectorStatus } from '@chorus/connect-api';
import {
  ConnectError,
  ConnectUnreachableError,
  type KafkaConnectClient,
  validationErrors,
} from '@chorus/kafka-connect';
import { OperatorError } from '@chorus/errors';
import type { Logger } from '@chorus/logger';
import { type Deadline, done, notYet, type Outcome, poll } from '@chorus/wait';
import { POSTGRES_CONNECTOR_CLASS } from './connector-config.ts';

/** Connect rejected the config for a reason that retrying will not change. */
export class InvalidConfigError extends OperatorError {
  constructor(readonly errors: { field: string; message: string }[]) {
    super(
      `Kafka Connect rejected the connector config:\n${errors.map((e) => `  - ${e.field}: ${e.message}`).join('\n')}`,
    );
  }
}

/** The connector or a task stayed FAILED after the allowed restarts. */
export class ConnectorFailedError extends OperatorError {
  constructor(
    readonly connector: string,
    readonly what: string,
    readonly trace: string | undefined,
    restarts: number,
  ) {
    const head = trace
      ? `\n${trace
          .split('\n')
          .slice(0, 6)
          .map((l) => `    ${l}`)
          .join('\n')}`
      : '';
    super(`connector ${connector}: ${what} is FAILED after ${restarts} restart(s)${head}`);
  }
}

// Only "not reachable yet": a refused password or a missing database is permanent and stops at once.
const DB_CONNECTION_ERROR =
  /Connection to .* refused|connection attempt failed|Unable to connect|Connection refused|the database system is starting up/i;

/** Failures that mean "try again shortly": Connect starting, rebalancing, or its database not reachable yet. */
function transient(error: unknown): string | undefined {
  if (error instanceof ConnectUnreachableError) return error.message;
  if (error instanceof ConnectError) {
    if (error.retriable) return `${error.request} answered ${error.status}: ${error.message}`;
    if (error.status === 400 && DB_CONNECTION_ERROR.test(error.message))
      return `Connect cannot reach Postgres yet: ${firstLine(error.message, 1)}`;
  }
  return undefined;
}

const firstLine = (text: string, n = 0) => text.split('\n').filter(Boolean)[n] ?? text;

/** Runs `fn`; a transient failure becomes "not yet", anything else propagates. */
async function attempt<T>(fn: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await fn();
  } catch (error) {
    const reason = transient(error);
    if (reason === undefined) throw error;
    return notYet(reason);
  }
}

/** How a wait paces its attempts: the first retry after initialMs, the delay doubling up to maxMs. */
export interface Pace {
  initialMs: number;
  maxMs: number;
}

/** Each wait's pace against a real worker: patient enough for one that takes a minute to start. */
export const PACE = {
  connect: { initialMs: 100, maxMs: 3000 },
  config: { initialMs: 200, maxMs: 3000 },
  running: { initialMs: 100, maxMs: 2000 },
} satisfies Record<string, Pace>;

const onWait = (log: Logger, what: string) => (info: { attempt: number; reason: string; nextDelayMs: number }) =>
  log.info({ attempt: info.attempt, retryInMs: info.nextDelayMs }, `waiting for ${what}: ${info.reason}`);

export async function waitForConnect(
  connect: KafkaConnectClient,
  deadline: Deadline,
  log: Logger,
  pace: Pace = PACE.connect,
): Promise<void> {
  const what = `the Debezium PostgreSQL plugin in Kafka Connect at ${connect.baseUrl}`;
  await poll(
    () =>
      attempt(async () => {
        await connect.serverInfo();
        const plugins = await connect.plugins();
        return plugins.some((p) => p.class === POSTGRES_CONNECTOR_CLASS)
          ? done(undefined)
          : notYet(`plugin ${POSTGRES_CONNECTOR_CLASS} is not listed (${plugins.length} plugins loaded)`);
      }),
    { what, deadline, ...pace, onWait: onWait(log, 'Kafka Connect') },
  );
}

/** GET /connectors/{name}/config, retrying 409, 5xx and connection errors; null when the connector is absent. */
export async function readConfig(
  connect: KafkaConnectClient,
  name: string,
  deadline: Deadline,
  log: Logger,
  pace: Pace = PACE.config,
): Promise<ConnectorConfig | null> {
  return poll(() => attempt(async () => done(await connect.getConfig(name))), {
    what: `the live config of ${name}`,
    deadline,
    ...pace,
    onWait: onWait(log, `the live config of ${name}`),
  });
}

/** Validates with the plugin, retrying while only the database is unreachable. */
export async function validateConfig(
  connect: KafkaConnectClient,
  name: string,
  config: ConnectorConfig,
  deadline: Deadline,
  log: Logger,
  pace: Pace = PACE.config,
): Promise<void> {
  await poll(
    () =>
      attempt(async () => {
        const result = await connect.validate(POSTGRES_CONNECTOR_CLASS, { ...config, name });
        if (result.error_count === 0) return done(undefined);
        const errors = validationErrors(result);
        const unreachable = errors.filter((e) => DB_CONNECTION_ERROR.test(e.message));
        if (unreachable.length === errors.length)
          return notYet(`Connect cannot reach Postgres yet: ${unreachable[0]?.message}`);
        throw new InvalidConfigError(errors);
      }),
    { what: 'a valid connector config', deadline, ...pace, onWait: onWait(log, 'config validation') },
  );
}

/** PUT /connectors/{name}/config (create-or-update). Returns true when Connect created it. */
export async function applyConfig(
  connect: KafkaConnectClient,
  name: string,
  config: ConnectorConfig,
  deadline: Deadline,
  log: Logger,
  pace: Pace = PACE.config,
): Promise<boolean> {
  try {
    return await poll(() => attempt(async () => done((await connect.putConfig(name, config)).created)), {
      what: `Kafka Connect to accept connector ${name}`,
      deadline,
      ...pace,
      onWait: onWait(log, 'Kafka Connect to accept the config'),
    });
  } catch (error) {
    if (error instanceof ConnectError && error.status === 400) {
      throw new InvalidConfigError(
        error.message
          .split('\n')
          .slice(1)
          .filter((line) => line && !line.startsWith('You can also find'))
          .map((message) => ({ field: '(config)', message })),
      );
    }
    throw error;
  }
}

/** Waits until the connector and all its tasks are RUNNING, restarting failed ones a bounded number of times. */
export async function waitUntilRunning(
  connect: KafkaConnectClient,
  name: string,
  maxRestarts: number,
  deadline: Deadline,
  log: Logger,
  pace: Pace = PACE.running,
): Promise<ConnectorStatus> {
  let restarts = 0;
  return poll(
    () =>
      attempt(async () => {
        const status = await connect.status(name);
        if (!status) return notYet(`Connect has no status for ${name} yet`);
        const failed = [
          ...(status.connector.state === 'FAILED' ? [{ what: 'the connector', trace: status.connector.trace }] : []),
          ...status.tasks.filter((t) => t.state === 'FAILED').map((t) => ({ what: `task ${t.id}`, trace: t.trace })),
        ];
        const first = failed[0];
        if (first) {
          if (restarts >= maxRestarts) throw new ConnectorFailedError(name, first.what, first.trace, restarts);
          restarts++;
          log.warn(
            { restart: restarts, of: maxRestarts, trace: first.trace?.split('\n')[0] },
            `${first.what} of ${name} FAILED; restarting failed instances (${restarts}/${maxRestarts})`,
          );
          await connect.restart(name, { includeTasks: true, onlyFailed: true });
          return notYet(`${first.what} was restarted`);
        }
        if (status.connector.state === 'STOPPED' || status.connector.state === 'PAUSED') {
          // Stopped by the hand-over (or paused by hand): this step's job is a running connector.
          log.info(`connector ${name} is ${status.connector.state}; resuming it`);
          await connect.resume(name);
          return notYet(`connector ${name} was ${status.connector.state} and is resuming`);
        }
        if (status.connector.state !== 'RUNNING') return notYet(`connector is ${status.connector.state}`);
        if (status.tasks.length === 0) return notYet('no task is assigned yet');
        const notRunning = status.tasks.filter((t) => t.state !== 'RUNNING');
        if (notRunning.length > 0) return notYet(notRunning.map((t) => `task ${t.id} is ${t.state}`).join(', '));
        return done(status);
      }),
    { what: `connector ${name} to be RUNNING`, deadline, ...pace, onWait: onWait(log, `${name} to run`) },
  );
}

/** Waits until Connect reports the connector STOPPED. */
export async function waitUntilStopped(
  connect: KafkaConnectClient,
  name: string,
  deadline: Deadline,
  log: Logger,
  pace: Pace = PACE.running,
): Promise<void> {
  await poll(
    () =>
      attempt(async () => {
        const state = (await connect.status(name))?.connector.state;
        return state === 'STOPPED' ? done(undefined) : notYet(`connector is ${state ?? 'not reported yet'}`);
      }),
    { what: `connector ${name} to be STOPPED`, deadline, ...pace, onWait: onWait(log, `${name} to stop`) },
  );
}
