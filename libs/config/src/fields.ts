import { z } from 'zod';

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
