import { z } from 'zod';
import { env, loadConfig, logEnv, postgresEnv, postgresSettings, redisEnv } from '@chorus/config';

export const schema = z.object({
  PORT: env.port().default(3000),
  ...postgresEnv,
  ...redisEnv,
  ...logEnv,
});

export type Settings = ReturnType<typeof loadSettings>;

export function loadSettings(source: Record<string, string | undefined> = process.env) {
  const c = loadConfig(schema, source);
  return {
    port: c.PORT,
    postgres: postgresSettings(c),
    redisUrl: c.REDIS_URL,
    logLevel: c.LOG_LEVEL,
  };
}
