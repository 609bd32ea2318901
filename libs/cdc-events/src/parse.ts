/**
 * Debezium change events of `public.task_queue`, as the JSON converter writes them (with or without
 * schemas), turned into read-model changes. The shapes follow the Debezium PostgreSQL connector docs.
 */
import { z } from 'zod';
import type { Change } from '@chorus/read-model';
import { MODES, STATUSES, HASH_PATTERN } from '@chorus/tasks';

/** The event cannot be projected; the reason says why. Never retried: the same bytes fail the same way. */
export class MalformedEvent extends Error {
  override name = 'MalformedEvent';
}

const row = z.object({
  query_hash: z.string().regex(HASH_PATTERN),
  // jsonb arrives as a string (io.debezium.data.Json); tolerate an already-parsed object too.
  user_query: z
    .union([z.string(), z.record(z.string(), z.unknown())])
    .transform((v, ctx) => {
      try {
        return typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'user_query is not JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.object({ mode: z.enum(MODES), query: z.string() })),
  status: z.enum(STATUSES),
  created_at: z.union([z.string(), z.number()]),
  updated_at: z.union([z.string(), z.number()]),
});

const envelope = z.object({
  op: z.enum(['c', 'u', 'd', 'r', 't', 'm']),
  before: z.unknown().nullable().optional(),
  after: z.unknown().nullable().optional(),
  source: z.object({ lsn: z.coerce.number().int().nonnegative(), ts_ms: z.number() }),
});

/** A UTC ZonedTimestamp as Debezium writes it, to the microsecond or nanosecond. */
const ZONED_UTC = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/;

/** A ZonedTimestamp string, or epoch microseconds (MicroTimestamp), as ISO-8601. */
function isoTime(value: string | number): string {
  // Cut to milliseconds as text: parsing six fraction digits sends V8 down its slow legacy date parser.
  const utc = typeof value === 'string' ? ZONED_UTC.exec(value) : null;
  if (utc) {
    const ms = Date.parse(`${utc[1]}.${(utc[2] ?? '').padEnd(3, '0').slice(0, 3)}Z`);
    if (Number.isNaN(ms)) throw new MalformedEvent(`unreadable timestamp ${JSON.stringify(value)}`);
    return new Date(ms).toISOString();
  }
  const date = typeof value === 'number' ? new Date(Math.floor(value / 1000)) : new Date(value);
  if (Number.isNaN(date.getTime())) throw new MalformedEvent(`unreadable timestamp ${JSON.stringify(value)}`);
  return date.toISOString();
}

function parseRow(value: unknown, which: string) {
  const parsed = row.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedEvent(`${which}.${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

/**
 * One Kafka message value to a change, or null for what is not a change to project: a tombstone
 * (null value after a delete) or a logical-decoding message. A TRUNCATE empties the read model.
 */
export function parseChangeEvent(value: Buffer | string | null): Change | null {
  if (value === null || value.length === 0) return null;
  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch {
    throw new MalformedEvent('value is not JSON');
  }
  // With schemas.enable=true the envelope sits under "payload".
  const body =
    json !== null && typeof json === 'object' && 'payload' in json && 'schema' in json
      ? (json as { payload: unknown }).payload
      : json;
  if (body === null) return null;
  const parsed = envelope.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedEvent(`not a Debezium envelope: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const { op, before, after, source } = parsed.data;
  const lsn = source.lsn;
  const sourceTsMs = source.ts_ms;
  if (op === 'm') return null;
  if (op === 't') return { op: 'truncate', lsn, sourceTsMs };
  if (op === 'd') {
    const old = parseRow(before, 'before');
    return { op: 'delete', lsn, sourceTsMs, hash: old.query_hash };
  }
  const r = parseRow(after, 'after');
  return {
    op: 'upsert',
    lsn,
    sourceTsMs,
    task: {
      hash: r.query_hash,
      mode: r.user_query.mode,
      query: r.user_query.query,
      status: r.status,
      createdAt: isoTime(r.created_at),
      updatedAt: isoTime(r.updated_at),
    },
  };
}
