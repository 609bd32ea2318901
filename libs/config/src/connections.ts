/**
 * The connection settings that several services parse, as schema fragments to spread into a
 * service's own schema, and the settings objects they become.
 */
import { z } from 'zod';
import { defaults } from './defaults.ts';
import { env } from './fields.ts';

export const postgresEnv = {
  POSTGRES_HOST: z.string().default(defaults.postgres.host),
  POSTGRES_PORT: env.port().default(defaults.postgres.port),
  POSTGRES_DB: z.string().default(defaults.postgres.database),
  POSTGRES_USER: z.string().default(defaults.postgres.user),
  POSTGRES_PASSWORD: z.string({ error: 'required: the password of POSTGRES_USER' }),
};

export interface PostgresSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

type PostgresValues = { [K in keyof typeof postgresEnv]: z.infer<(typeof postgresEnv)[K]> };

export const postgresSettings = (c: PostgresValues): PostgresSettings => ({
  host: c.POSTGRES_HOST,
  port: c.POSTGRES_PORT,
  database: c.POSTGRES_DB,
  user: c.POSTGRES_USER,
  password: c.POSTGRES_PASSWORD,
});

export const redisEnv = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'use redis://host:port')
    .default(defaults.redisUrl),
};

export const logEnv = {
  LOG_LEVEL: env.logLevel().default(defaults.logLevel),
};
