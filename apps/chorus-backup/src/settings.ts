import { z } from 'zod';
import { cdcNameOverrides, cdcNames } from '@chorus/cdc-names';
import {
  cdcNamesEnv,
  defaults,
  env,
  loadConfig,
  logEnv,
  type PostgresSettings,
  postgresEnv,
  postgresSettings,
} from '@chorus/config';

/** Environment variables, with defaults. The owner role dumps; a restore adds the superuser's. */
export const schema = z.object({
  CHORUS_ENV: env.identifier(),
  ...postgresEnv,
  KAFKA_CONNECT_URL: env.url().default(defaults.kafkaConnectUrl),
  /** The release the environment runs, recorded in each manifest. */
  CHORUS_RELEASE: z.string().min(1).default('unknown'),
  BACKUP_DIR: z.string().min(1).default(defaults.backup.dir),
  BACKUP_EVERY: env.period().default(defaults.backup.everyMs),
  BACKUP_KEEP: env.positiveInt().default(defaults.backup.keep),
  METRICS_PORT: env.port().default(defaults.backupMetricsPort),
  /** Only a restore needs them: it creates a database and renames two. */
  POSTGRES_SUPERUSER: z.string().min(1).optional(),
  POSTGRES_SUPERUSER_PASSWORD: z.string().min(1).optional(),
  ...cdcNamesEnv,
  ...logEnv,
});

export interface Settings {
  env: string;
  postgres: PostgresSettings;
  superuser: { user: string; password: string } | undefined;
  connectUrl: string;
  connectorName: string;
  slotName: string;
  release: string;
  dir: string;
  everyMs: number;
  keep: number;
  metricsPort: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
}

export function loadSettings(source: Record<string, string | undefined> = process.env): Settings {
  const c = loadConfig(schema, source);
  const names = cdcNames(c.CHORUS_ENV, cdcNameOverrides(c));
  return {
    env: c.CHORUS_ENV,
    postgres: postgresSettings(c),
    superuser:
      c.POSTGRES_SUPERUSER && c.POSTGRES_SUPERUSER_PASSWORD
        ? { user: c.POSTGRES_SUPERUSER, password: c.POSTGRES_SUPERUSER_PASSWORD }
        : undefined,
    connectUrl: c.KAFKA_CONNECT_URL,
    connectorName: names.connector,
    slotName: names.slot,
    release: c.CHORUS_RELEASE,
    dir: c.BACKUP_DIR,
    everyMs: c.BACKUP_EVERY,
    keep: c.BACKUP_KEEP,
    metricsPort: c.METRICS_PORT,
    logLevel: c.LOG_LEVEL,
  };
}
