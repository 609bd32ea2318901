import { env, loadConfig, z } from '@chorus/config';

const tableName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, 'list tables as schema.table, lower-case, comma-separated');

/** Environment variables, with defaults. Documented one by one in this app's README. */
export const schema = z.object({
  CHORUS_ENV: env.identifier().describe('environment name; the default slot, publication, prefix and name derive from it'),
  POSTGRES_HOST: z.string().default('postgres'),
  POSTGRES_PORT: env.port().default(5432),
  POSTGRES_DB: z.string().default('chorus'),
  POSTGRES_USER: z.string().default('chorus'),
  POSTGRES_PASSWORD: z.string({ error: 'required: the password of POSTGRES_USER' }),
  CONNECTOR_DATABASE_HOST: z.string().optional(),
  CONNECTOR_DATABASE_PORT: env.port().optional(),
  KAFKA_CONNECT_URL: env.url().default('http://kafka-connect:8083'),
  CONNECTOR_NAME: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore').optional(),
  TOPIC_PREFIX: env.identifier().optional(),
  SLOT_NAME: env.identifier().optional(),
  PUBLICATION_NAME: env.identifier().optional(),
  TABLE_INCLUDE_LIST: env.list().pipe(z.array(tableName).min(1)).default(['public.task_queue']),
  HEARTBEAT_INTERVAL_MS: env.positiveInt().default(10_000),
  SETUP_TIMEOUT_SECONDS: env.positiveInt().default(180),
  MAX_TASK_RESTARTS: z.coerce.number().int().min(0).default(3),
  LOG_LEVEL: env.logLevel().default('info'),
});

export interface Settings {
  env: string;
  postgres: { host: string; port: number; database: string; user: string; password: string };
  /** Where Kafka Connect reaches Postgres; differs from `postgres` when this CLI runs on the host. */
  connectorDatabase: { host: string; port: number };
  connectUrl: string;
  connectorName: string;
  topicPrefix: string;
  slotName: string;
  publicationName: string;
  tables: string[];
  heartbeatIntervalMs: number;
  timeoutMs: number;
  maxTaskRestarts: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
}

export function loadSettings(source: Record<string, string | undefined> = process.env): Settings {
  const c = loadConfig(schema, source);
  return {
    env: c.CHORUS_ENV,
    postgres: {
      host: c.POSTGRES_HOST,
      port: c.POSTGRES_PORT,
      database: c.POSTGRES_DB,
      user: c.POSTGRES_USER,
      password: c.POSTGRES_PASSWORD,
    },
    connectorDatabase: {
      host: c.CONNECTOR_DATABASE_HOST ?? c.POSTGRES_HOST,
      port: c.CONNECTOR_DATABASE_PORT ?? c.POSTGRES_PORT,
    },
    connectUrl: c.KAFKA_CONNECT_URL,
    connectorName: c.CONNECTOR_NAME ?? `chorus-${c.CHORUS_ENV}-postgres`,
    topicPrefix: c.TOPIC_PREFIX ?? `chorus_${c.CHORUS_ENV}`,
    slotName: c.SLOT_NAME ?? `chorus_${c.CHORUS_ENV}`,
    publicationName: c.PUBLICATION_NAME ?? `chorus_${c.CHORUS_ENV}`,
    tables: c.TABLE_INCLUDE_LIST,
    heartbeatIntervalMs: c.HEARTBEAT_INTERVAL_MS,
    timeoutMs: c.SETUP_TIMEOUT_SECONDS * 1000,
    maxTaskRestarts: c.MAX_TASK_RESTARTS,
    logLevel: c.LOG_LEVEL,
  };
}
