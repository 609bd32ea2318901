/** The tester's settings, from the variables the test Compose file gives it, read once. */
import { z } from 'zod';
import { defaults, loadConfig, postgresEnv, postgresSettings, redisEnv } from '@chorus/config';

const schema = z.object({
  ...postgresEnv,
  ...redisEnv,
  CHORUS_WEB_URL: z.url().default(defaults.webUrl),
  /** The admin's password, with which the journey signs in where sign-in is on. */
  CHORUS_ADMIN_PASSWORD: z.string().optional(),
  /** How long the journey waits for a change to reach what the user sees. */
  PIPELINE_TIMEOUT_MS: z.coerce.number().int().positive().default(defaults.pipelineTimeoutMs),
});

export function testerSettings(env: Record<string, string | undefined> = process.env) {
  const c = loadConfig(schema, env);
  return {
    postgres: postgresSettings(c),
    redisUrl: c.REDIS_URL,
    webUrl: c.CHORUS_WEB_URL.replace(/\/+$/, ''),
    pipelineTimeoutMs: c.PIPELINE_TIMEOUT_MS,
    adminPassword: c.CHORUS_ADMIN_PASSWORD,
  };
}
export type TesterSettings = ReturnType<typeof testerSettings>;
