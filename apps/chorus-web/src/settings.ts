import { env, loadConfig, z } from '@chorus/config';

export const schema = z.object({
  PORT: env.port().default(3000),
  POSTGRES_HOST: z.string().default('postgres'),
  POSTGRES_PORT: env.port().default(5432),
  POSTGRES_DB: z.string().default('chorus'),
  POSTGRES_USER: z.string().default('chorus'),
  POSTGRES_PASSWORD: z.string({ error: 'required: the password of POSTGRES_USER' }),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'use redis://host:port').default('redis://redis:6379'),
  LOG_LEVEL: env.logLevel().default('info'),
});

export type Settings = ReturnType<typeof loadSettings>;

export function loadSettings(source: Record<string, string | undefined> = process.env) {
  const c = loadConfig(schema, source);
  return {
    port: c.PORT,
    postgres: { host: c.POSTGRES_HOST, port: c.POSTGRES_PORT, database: c.POSTGRES_DB, user: c.POSTGRES_USER, password: c.POSTGRES_PASSWORD },
    redisUrl: c.REDIS_URL,
    logLevel: c.LOG_LEVEL,
  };
}
