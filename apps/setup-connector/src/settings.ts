import { z } from 'zod';
import { cdcNameOverrides, cdcNames } from '@chorus/cdc-names';
import {
  type CdcProfile,
  type ChangeTopicLayout,
  cdcNamesEnv,
  cdcProfileEnv,
  changeTopicEnv,
  changeTopicLayout,
  defaults,
  env,
  loadConfig,
  logEnv,
  type PostgresSettings,
  postgresEnv,
  postgresSettings,
} from '@chorus/config';

const tableName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, 'list tables as schema.table, lower-case, comma-separated');

/** Environment variables, with defaults. Documented one by one in this app's README. */
export const schema = z.object({
  CHORUS_ENV: env
    .identifier()
    .describe('environment name; the default slot, publication, prefix and name derive from it'),
  ...postgresEnv,
  CONNECTOR_DATABASE_HOST: z.string().optional(),
  CONNECTOR_DATABASE_PORT: env.port().optional(),
  KAFKA_CONNECT_URL: env.url().default(defaults.kafkaConnectUrl),
  PUBLICATION_AUTOCREATE_MODE: z.enum(['filtered', 'disabled']).default(defaults.connector.publicationAutocreate),
  CONNECTOR_DATABASE_PASSWORD: z.string().min(1).optional(),
  TABLE_INCLUDE_LIST: env
    .list()
    .pipe(z.array(tableName).min(1))
    .default([...defaults.connector.tables]),
  SIGNAL_DATA_COLLECTION: tableName.default(defaults.signalTable),
  HEARTBEAT_INTERVAL_MS: env.positiveInt().default(defaults.connector.heartbeatIntervalMs),
  SETUP_TIMEOUT_SECONDS: env.positiveInt().default(defaults.connector.setupTimeoutS),
  MAX_TASK_RESTARTS: z.coerce.number().int().min(0).default(defaults.connector.maxTaskRestarts),
  ...cdcNamesEnv,
  ...cdcProfileEnv,
  ...changeTopicEnv,
  ...logEnv,
});

export interface Settings {
  env: string;
  postgres: PostgresSettings;
  /** Where Kafka Connect reaches Postgres; differs from `postgres` when this CLI runs on the host. */
  connectorDatabase: { host: string; port: number };
  connectUrl: string;
  connectorName: string;
  topicPrefix: string;
  slotName: string;
  publicationName: string;
  /** filtered: Debezium creates the publication (the user must own the tables); disabled: it must exist. */
  publicationAutocreate: 'filtered' | 'disabled';
  /**
   * What the connector config says for database.password: the password itself, or a Kafka Connect
   * config-provider reference such as ${env:CHORUS_CDC_PASSWORD} that the worker resolves.
   */
  connectorPassword: string;
  tables: string[];
  /** Debezium's signalling table (schema.table): an incremental snapshot is asked for there. */
  signalTable: string;
  heartbeatIntervalMs: number;
  timeoutMs: number;
  maxTaskRestarts: number;
  /** The latency settings the connector runs with (libs/config/src/cdc-profile.ts). */
  cdcProfile: CdcProfile;
  /** The partitions and copies Debezium creates the change topics with. */
  changeTopic: ChangeTopicLayout;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
}

export function loadSettings(source: Record<string, string | undefined> = process.env): Settings {
  const c = loadConfig(schema, source);
  const names = cdcNames(c.CHORUS_ENV, cdcNameOverrides(c));
  return {
    env: c.CHORUS_ENV,
    postgres: postgresSettings(c),
    connectorDatabase: {
      host: c.CONNECTOR_DATABASE_HOST ?? c.POSTGRES_HOST,
      port: c.CONNECTOR_DATABASE_PORT ?? c.POSTGRES_PORT,
    },
    connectUrl: c.KAFKA_CONNECT_URL,
    connectorName: names.connector,
    topicPrefix: names.topicPrefix,
    slotName: names.slot,
    publicationName: names.publication,
    publicationAutocreate: c.PUBLICATION_AUTOCREATE_MODE,
    connectorPassword: c.CONNECTOR_DATABASE_PASSWORD ?? c.POSTGRES_PASSWORD,
    tables: c.TABLE_INCLUDE_LIST,
    signalTable: c.SIGNAL_DATA_COLLECTION,
    heartbeatIntervalMs: c.HEARTBEAT_INTERVAL_MS,
    timeoutMs: c.SETUP_TIMEOUT_SECONDS * 1000,
    maxTaskRestarts: c.MAX_TASK_RESTARTS,
    cdcProfile: c.CDC_PROFILE,
    changeTopic: changeTopicLayout(c),
    logLevel: c.LOG_LEVEL,
  };
}
