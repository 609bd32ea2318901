import { z } from 'zod';
import { env, loadConfig, logEnv, postgresEnv, postgresSettings, redisEnv } from '@chorus/config';

export const schema = z.object({
  PORT: env.port().default(3000),
  CHORUS_ENV: env.identifier().default('local'),
  ...postgresEnv,
  ...redisEnv,
  ...logEnv,
});

export type Settings = ReturnType<typeof loadSettings>;

export function loadSettings(source: Record<string, string | undefined> = process.env) {
  const c = loadConfig(schema, source);
  return {
    port: c.PORT,
    env: c.CHORUS_ENV,
    postgres: postgresSettings(c),
    redisUrl: c.REDIS_URL,
    logLevel: c.LOG_LEVEL,
  };
}

/** `migrate`: the owner role's connection, and the environment whose publication it creates. */
export function loadMigrateSettings(source: Record<string, string | undefined> = process.env) {
  const c = loadConfig(z.object({ ...postgresEnv, ...logEnv, CHORUS_ENV: env.identifier().optional() }), source);
  return { postgres: postgresSettings(c), env: c.CHORUS_ENV, logLevel: c.LOG_LEVEL };
}

const rolePassword = (role: string) =>
  z.string({ error: `required: the password of the ${role} role` }).min(8, `the ${role} role's password needs at least 8 characters`);

/** `provision-roles`: the superuser's connection and the three roles' passwords. */
export function loadRolesSettings(source: Record<string, string | undefined> = process.env) {
  const c = loadConfig(
    z.object({
      ...postgresEnv,
      ...logEnv,
      CHORUS_OWNER_PASSWORD: rolePassword('owner'),
      CHORUS_APP_PASSWORD: rolePassword('app'),
      CHORUS_CDC_PASSWORD: rolePassword('CDC'),
    }),
    source,
  );
  return {
    postgres: postgresSettings(c),
    passwords: { owner: c.CHORUS_OWNER_PASSWORD, app: c.CHORUS_APP_PASSWORD, cdc: c.CHORUS_CDC_PASSWORD },
    logLevel: c.LOG_LEVEL,
  };
}
