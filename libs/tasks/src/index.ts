/** The task: what a user submits, how it is identified, and the states it moves through. */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const MODES = ['flash', 'think', 'deep_research'] as const;
export type Mode = (typeof MODES)[number];

export const STATUSES = ['PENDING_ANALYSIS', 'ANALYSIS_IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type Status = (typeof STATUSES)[number];

/** States a task may be cancelled from. */
export const CANCELLABLE: readonly Status[] = ['PENDING_ANALYSIS', 'ANALYSIS_IN_PROGRESS'];

export const MAX_QUERY_LENGTH = 2000;
export const HASH_PATTERN = /^[0-9a-f]{32}$/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const taskInput = z.object({
  query: z
    .string({ error: 'query must be a string' })
    .trim()
    .min(1, 'query must not be empty')
    .max(MAX_QUERY_LENGTH, `query must be at most ${MAX_QUERY_LENGTH} characters`)
    // Postgres text cannot hold NUL, and a lone surrogate is not Unicode: refuse both before any write.
    .refine((q) => !q.includes('\u0000'), 'query must not contain the NUL character')
    .refine((q) => !LONE_SURROGATE.test(q), 'query must be valid Unicode (it has a lone surrogate)'),
  mode: z.enum(MODES, { error: `mode must be one of ${MODES.join(', ')}` }),
});
export type TaskInput = z.infer<typeof taskInput>;

/** A task as the user sees it. */
export interface Task {
  hash: string;
  mode: Mode;
  query: string;
  status: Status;
  createdAt: string;
  updatedAt: string;
}

const isoTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'expected an ISO 8601 time');

/**
 * A task as a store holds it (the Redis read model): checked before use, since anything that can write
 * to the store could have put something else there.
 */
export const storedTask = z
  .object({
    hash: z.string().regex(HASH_PATTERN, 'expected 32 hex digits'),
    mode: z.enum(MODES),
    query: z.string().max(MAX_QUERY_LENGTH),
    status: z.enum(STATUSES),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .strip() satisfies z.ZodType<Task>;

/** The fields of a Task, in the order stores write them. */
export const TASK_FIELDS = [
  'hash',
  'mode',
  'query',
  'status',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof Task)[];

/** JSON with object keys sorted at every level, so equal values always serialise alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** md5 hex of the canonical JSON of `{mode, query}`: the task's identity. */
export function taskHash({ mode, query }: TaskInput): string {
  return createHash('md5').update(canonicalJson({ mode, query })).digest('hex');
}

export const isHash = (value: string) => HASH_PATTERN.test(value);
