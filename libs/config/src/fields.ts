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
  /** A period such as 30m, 6h or 1d, in ms. */
  period: () =>
    z
      .string()
      .regex(/^\d+[mhd]$/, 'write a period as minutes, hours or days: 30m, 6h, 1d')
      .transform(
        (s) => Number(s.slice(0, -1)) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[s.at(-1) as 'm' | 'h' | 'd'],
      )
      .pipe(z.number().int().positive('a period must be longer than 0')),
  logLevel: () => z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
};
