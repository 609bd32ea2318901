import { z } from 'zod';
import { PROXY_NAME } from '@chorus/pki';
import { proxyNames } from './trusted-proxy.ts';
import { cdcNameOverrides, cdcNames } from '@chorus/cdc-names';
import {
  cdcNamesEnv,
  defaults,
  env,
  loadConfig,
  logEnv,
  postgresEnv,
  postgresSettings,
  redisEnv,
} from '@chorus/config';

const adminPassword = z.string().min(12, "the admin's password (CHORUS_ADMIN_PASSWORD) needs at least 12 characters");
const secret = (what: string) =>
  z.string().min(32, `${what} needs at least 32 characters (make run-prod generates one in .env.prod)`);

export const schema = z
  .object({
    PORT: env.port().default(defaults.webPort),
    METRICS_PORT: env.port().default(defaults.webMetricsPort),
    CHORUS_ENV: env.identifier().default(defaults.webEnv),
    CHORUS_SIGN_IN: z
      .enum(['required', 'off'], { error: 'CHORUS_SIGN_IN is `required` or `off`' })
      .default(defaults.signIn),
    CHORUS_SESSION_SECRET: secret('CHORUS_SESSION_SECRET').optional(),
    // prod: the proxy whose certificates the metrics report (host:port), and the names it serves besides localhost.
    TLS_PROXY: z
      .string()
      .regex(/^[a-z0-9.-]+:\d+$/i, { error: 'expected the proxy as host:port, such as proxy:443' })
      .optional(),
    PROD_HOSTNAMES: z.string().optional(),
    TRUST_PROXY: z
      .string()
      .optional()
      .refine((v) => v === undefined || proxyNames(v) !== undefined, {
        error:
          "give either host names (prod's proxy service) or Express's forms (addresses, subnets, loopback, a hop count), not both",
      }),
    ...postgresEnv,
    ...redisEnv,
    ...logEnv,
  })
  .refine((c) => c.CHORUS_SIGN_IN === 'off' || c.CHORUS_SESSION_SECRET, {
    path: ['CHORUS_SESSION_SECRET'],
    error: 'required while CHORUS_SIGN_IN=required: the key that signs session cookies',
  });

export type Settings = ReturnType<typeof loadSettings>;

export function loadSettings(source: Record<string, string | undefined> = process.env) {
  const c = loadConfig(schema, source);
  return {
    port: c.PORT,
    metricsPort: c.METRICS_PORT,
    env: c.CHORUS_ENV,
    postgres: postgresSettings(c),
    redisUrl: c.REDIS_URL,
    logLevel: c.LOG_LEVEL,
    sessionSecret: c.CHORUS_SIGN_IN === 'required' ? c.CHORUS_SESSION_SECRET : undefined,
    trustProxy: c.TRUST_PROXY,
    certificates: c.TLS_PROXY
      ? {
          host: c.TLS_PROXY.split(':')[0]!,
          port: Number(c.TLS_PROXY.split(':')[1]),
          names: ['localhost', ...(c.PROD_HOSTNAMES ?? '').split(/\s+/).filter(Boolean)],
        }
      : undefined,
  };
}

/** The account commands (users, tokens, the admin): Postgres as the app role, and Redis for sessions. */
export function loadAccountSettings(source: Record<string, string | undefined> = process.env) {
  const c = loadConfig(
    z.object({ ...postgresEnv, ...redisEnv, ...logEnv, CHORUS_ADMIN_PASSWORD: adminPassword.optional() }),
    source,
  );
  return {
    postgres: postgresSettings(c),
    redisUrl: c.REDIS_URL,
    logLevel: c.LOG_LEVEL,
    adminPassword: c.CHORUS_ADMIN_PASSWORD,
  };
}

/** `migrate`: the owner role's connection, and the environment whose publication it creates. */
export function loadMigrateSettings(source: Record<string, string | undefined> = process.env) {
  const c = loadConfig(
    z.object({
      ...postgresEnv,
      ...logEnv,
      CHORUS_ENV: env.identifier().optional(),
      CHORUS_ADMIN_PASSWORD: adminPassword.optional(),
      ...cdcNamesEnv,
    }),
    source,
  );
  return {
    postgres: postgresSettings(c),
    env: c.CHORUS_ENV,
    /** The environment's publication, which the migrations make; none outside an environment. */
    publication: c.CHORUS_ENV === undefined ? undefined : cdcNames(c.CHORUS_ENV, cdcNameOverrides(c)).publication,
    logLevel: c.LOG_LEVEL,
    adminPassword: c.CHORUS_ADMIN_PASSWORD,
  };
}

const rolePassword = (role: string) =>
  z
    .string({ error: `required: the password of the ${role} role` })
    .min(8, `the ${role} role's password needs at least 8 characters`);

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

/**
 * `issue-certificate`: the environment (its CA is "CHORUS <env>") and the names its proxy serves: those in
 * PROD_HOSTNAMES first (the first names the certificate and its CRL's host), then localhost, 127.0.0.1 and
 * the name prod's own programs reach the proxy by.
 */
export function loadCertificateSettings(source: Record<string, string | undefined> = process.env) {
  const c = loadConfig(
    z.object({
      CHORUS_ENV: env.identifier().default(defaults.webEnv),
      PROD_HOSTNAMES: z.string().optional(),
      ...logEnv,
    }),
    source,
  );
  const names = [...(c.PROD_HOSTNAMES ?? '').split(/\s+/).filter(Boolean), 'localhost', '127.0.0.1', PROXY_NAME];
  return { caName: `CHORUS ${c.CHORUS_ENV}`, names: [...new Set(names)], logLevel: c.LOG_LEVEL };
}
