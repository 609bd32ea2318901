import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'dotenv';
import { z } from 'zod';
import { type AlertingEnv, alertingEnv, alertingProblems } from '@chorus/alerting';
import { cdcNamesEnv, changeTopicEnv, env } from '@chorus/config';
import { ConfigError } from '@chorus/errors';
import { IMAGE_KEYS, imageReference } from '@chorus/versions';
import { type BackupStorageSettings, backupStorageEnv, backupStorageProblems } from './backup-storage.ts';
import { type CertificateSettings, certificateProblems, hostNames } from './certificates.ts';
import type { Environment } from './environments.ts';

const passwordFor = (e: Pick<Environment, 'name'>) =>
  z
    .string()
    .min(
      e.name === 'prod' ? 16 : 8,
      e.name === 'prod' ? 'use at least 16 characters in prod' : 'use at least 8 characters',
    )
    .regex(/^[A-Za-z0-9_.~-]+$/, 'use letters, digits and _ . ~ - only');

/** More replicas than this is more than one host's Compose project should run; the Helm chart is the way past it. */
const MAX_PROCESSOR_REPLICAS = 16;

const schemaFor = (e: Environment) =>
  z
    .object({
      CHORUS_ENV: z.literal(e.name, { error: `must be "${e.name}" in this environment's file` }),
      POSTGRES_USER: env.identifier(),
      POSTGRES_DB: env.identifier(),
      POSTGRES_PASSWORD: passwordFor(e),
      REDIS_PASSWORD: passwordFor(e),
      // The database roles' passwords (libs/db/src/roles.ts); POSTGRES_USER/POSTGRES_PASSWORD is the superuser that provisions them.
      CHORUS_OWNER_PASSWORD: passwordFor(e),
      CHORUS_APP_PASSWORD: passwordFor(e),
      CHORUS_CDC_PASSWORD: passwordFor(e),
      // Sign-in: the first account's password, and the key that signs session cookies.
      CHORUS_ADMIN_PASSWORD: passwordFor(e),
      CHORUS_SESSION_SECRET: z.string().min(32, 'use at least 32 characters'),
      // dev and test may turn sign-in off or on; prod always requires it.
      ...(e.name === 'prod' ? {} : { CHORUS_SIGN_IN: z.enum(['required', 'off']).optional() }),
      // prod only: where its UI listens on the host (the other environments publish on 127.0.0.1 only), and its backup schedule.
      ...(e.name === 'prod'
        ? {
            UI_BIND_ADDRESS: z.ipv4({ error: 'expected an IPv4 address such as 127.0.0.1 or 0.0.0.0' }).optional(),
            // HTTPS (docs/security.md): the names users reach prod by, and where its certificate comes from.
            PROD_HOSTNAMES: hostNames.optional(),
            ACME_EMAIL: z
              .email({ error: 'expected the e-mail address the ACME CA writes to about certificates' })
              .optional(),
            ACME_CA: z
              .url({ protocol: /^https$/, error: "expected the ACME CA's directory URL, https://…/directory" })
              .optional(),
            TLS_CERT_FILE: z.string().optional(),
            TLS_KEY_FILE: z.string().optional(),
            BACKUP_EVERY: env.period().optional(),
            BACKUP_KEEP: env.positiveInt().optional(),
            ...backupStorageEnv,
          }
        : {}),
      // prod and dev: who Alertmanager sends alerts to (a webhook, e-mail over SMTP).
      ...(e.name === 'test' ? {} : alertingEnv),
      // Optional: the change topic's partitions and the processor replicas that share them (1 and 1).
      CHANGE_TOPIC_PARTITIONS: changeTopicEnv.CHANGE_TOPIC_PARTITIONS.optional(),
      PROCESSOR_REPLICAS: env.positiveInt().max(MAX_PROCESSOR_REPLICAS).optional(),
      // Optional: the CDC names, each overriding its default (libs/cdc-names); Compose passes them to every reader.
      ...cdcNamesEnv,
      // Optional: point a service at a mirror of its upstream image (infrastructure/versions.env pins the default).
      ...Object.fromEntries(IMAGE_KEYS.map((k) => [k, imageReference.optional()])),
    })
    .strict()
    .superRefine((v, ctx) => {
      for (const problem of certificateProblems(v as CertificateSettings)) ctx.addIssue({ code: 'custom', ...problem });
      for (const problem of backupStorageProblems(v as BackupStorageSettings))
        ctx.addIssue({ code: 'custom', ...problem });
      for (const problem of alertingProblems(v as AlertingEnv)) ctx.addIssue({ code: 'custom', ...problem });
      const partitions = v.CHANGE_TOPIC_PARTITIONS ?? 1;
      const replicas = v.PROCESSOR_REPLICAS ?? 1;
      // Kafka gives each partition to one member of the group: a replica beyond the partitions gets none.
      if (replicas > partitions) {
        ctx.addIssue({
          code: 'custom',
          path: ['PROCESSOR_REPLICAS'],
          message: `${replicas} replicas share ${partitions} partition${partitions === 1 ? '' : 's'}, so ${replicas - partitions} would idle; set CHANGE_TOPIC_PARTITIONS to at least ${replicas}`,
        });
      }
    });

/**
 * Keys that Compose itself reads from an env file: they would point this environment's commands at
 * another project or other files, so a file that sets one is refused.
 */
const COMPOSE_KEYS = /^(COMPOSE_|DOCKER_)/;

/** Reads and validates an environment's file; every problem is reported at once, by line name. */
export function readEnvFile(root: string, e: Environment): Record<string, string> {
  const path = resolve(root, e.envFile);
  if (!existsSync(path)) throw new ConfigError([`${e.envFile}: missing`]);
  const values = parse(readFileSync(path));
  const redirecting = Object.keys(values).filter((key) => COMPOSE_KEYS.test(key));
  const result = schemaFor(e).safeParse(
    Object.fromEntries(Object.entries(values).filter(([key]) => !COMPOSE_KEYS.test(key))),
  );
  const problems = redirecting.map(
    (key) =>
      `${e.envFile}: ${key} is not allowed: it would point ${e.name}'s commands at another Compose project or engine; remove the line`,
  );
  if (!result.success) {
    problems.push(
      ...result.error.issues.map((issue) =>
        issue.code === 'unrecognized_keys'
          ? `${e.envFile}: unknown ${issue.keys.join(', ')}`
          : `${e.envFile}: ${issue.path.join('.')}: ${issue.message}`,
      ),
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values;
}

/** Sets one line of an environment's file (replacing it, or adding it), writing the whole file and then renaming it over the old. */
export function setEnvFileValue(root: string, e: Environment, key: string, value: string): void {
  const path = resolve(root, e.envFile);
  if (!existsSync(path))
    throw new ConfigError([
      `${e.envFile} is missing: start ${e.name} once with \`make run-${e.name}\`, which makes it`,
    ]);
  const text = readFileSync(path, 'utf8');
  const line = new RegExp(`^${key}=.*$`, 'm');
  const next = line.test(text)
    ? text.replace(line, `${key}=${value}`)
    : `${text}${text.endsWith('\n') ? '' : '\n'}${key}=${value}\n`;
  writeFileSync(`${path}.new`, next, { mode: 0o600 });
  renameSync(`${path}.new`, path);
}

/** Secrets prod generates, and adds to an older .env.prod that lacks them (no existing line changes). */
export const GENERATED_SECRETS = [
  'REDIS_PASSWORD',
  'CHORUS_OWNER_PASSWORD',
  'CHORUS_APP_PASSWORD',
  'CHORUS_CDC_PASSWORD',
  'CHORUS_ADMIN_PASSWORD',
  'CHORUS_SESSION_SECRET',
  'BACKUP_ENCRYPTION_KEY',
] as const;

const secret = () => randomBytes(24).toString('base64url');

/**
 * Prod's secrets live in a git-ignored file made on first use: never overwritten, never printed.
 * POSTGRES_PASSWORD from the environment is used instead of a generated one, if set. A new password
 * is never generated for a database that already exists: it would lock the services out of it.
 */
export function ensureProdEnvFile(
  root: string,
  e: Environment,
  supplied = process.env.POSTGRES_PASSWORD,
  existingVolume?: string,
): 'created' | 'kept' | { added: string[] } {
  const path = resolve(root, e.envFile);
  if (existsSync(path)) {
    const present = parse(readFileSync(path));
    const added = GENERATED_SECRETS.filter((key) => !(key in present));
    if (added.length === 0) return 'kept';
    const text = readFileSync(path, 'utf8');
    appendFileSync(path, `${text.endsWith('\n') ? '' : '\n'}${added.map((key) => `${key}=${secret()}`).join('\n')}\n`);
    return { added };
  }
  if (existingVolume && !supplied) {
    throw new ConfigError([
      `${e.envFile} is missing, but prod's database volume ${existingVolume} exists and was made with the password in that file. ` +
        `Restore the file, or run again with POSTGRES_PASSWORD set to that password, or delete prod's data with \`make clean-prod\`.`,
    ]);
  }
  if (supplied) {
    const checked = passwordFor(e).safeParse(supplied);
    if (!checked.success)
      throw new ConfigError([
        `POSTGRES_PASSWORD from the environment: ${checked.error.issues[0]?.message}; nothing was written`,
      ]);
  }
  const password = supplied || secret();
  const content = [
    '# prod environment: made on first `make run-prod`. Git-ignored; keep it, it holds the database password.',
    'CHORUS_ENV=prod',
    'POSTGRES_USER=chorus',
    'POSTGRES_DB=chorus',
    `POSTGRES_PASSWORD=${password}`,
    ...GENERATED_SECRETS.map((key) => `${key}=${secret()}`),
    '# UI_BIND_ADDRESS=0.0.0.0 (the default) publishes the UI on every interface; 127.0.0.1 keeps it on this host.',
    '',
  ].join('\n');
  writeFileSync(path, content, { mode: 0o600, flag: 'wx' });
  return 'created';
}
