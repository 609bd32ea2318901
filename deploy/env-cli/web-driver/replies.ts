/** What the driver answers each request (requests.ts), as zod schemas the env CLI parses with. */
import { z } from 'zod';
import type { Op } from './requests.ts';

export const written = z.object({ hashes: z.array(z.string()), cancelled: z.string(), deleted: z.string() });
export type Written = z.infer<typeof written>;

export const readAndWriteReply = z.object({
  dashboard: z.number(),
  writesUnavailable: z.boolean(),
  task: z.number(),
  submit: z.number(),
  submitMs: z.number(),
});
export type ReadAndWrite = z.infer<typeof readAndWriteReply>;

/** Each request's reply. */
export const REPLIES = {
  'write-tasks': written,
  'read-tasks': z.object({ statuses: z.record(z.string(), z.union([z.string(), z.number()])) }),
  'submit-task': z.object({ hash: z.string() }),
  'try-submit': z.object({ status: z.number() }),
  'probe-writes': z.object({ status: z.number() }),
  stats: z.object({ total: z.number() }),
  'change-tasks': z.object({ ok: z.literal(true) }),
  'read-and-write': readAndWriteReply,
} satisfies Record<Op, z.ZodType>;
export type ReplyOf<K extends Op> = z.infer<(typeof REPLIES)[K]>;
