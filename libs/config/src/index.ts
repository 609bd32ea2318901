import { z } from 'zod';

export { z };

/** Raised when the environment does not satisfy a schema. Lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Parses environment variables with a zod object schema whose keys are the variable names.
 * Empty strings count as unset, so `FOO=` in an env file falls back to the default.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value.trim();
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`),
    );
  }
  return result.data;
}

/** Common field types for environment variables. */
export const env = {
  port: () => z.coerce.number().int().min(1).max(65535),
  positiveInt: () => z.coerce.number().int().positive(),
  url: () => z.url({ protocol: /^https?$/ }),
  /** A Postgres/Kafka identifier: lower-case letters, digits and underscores. */
  identifier: () =>
    z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'use lower-case letters, digits and underscores (max 63)'),
  list: () =>
    z.string().transform((s) =>
      s
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  logLevel: () => z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
};
