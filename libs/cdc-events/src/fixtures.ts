/**
 * Debezium change events for `public.task_queue`, shaped as the Debezium PostgreSQL connector documents
 * them (envelope with before/after/source/op/ts_ms; jsonb as a JSON string; timestamptz as
 * io.debezium.time.ZonedTimestamp), for tests and benchmarks.
 */
import { type Mode, type Status, taskHash } from '@chorus/tasks';

export interface RowValues {
  query: string;
  mode: Mode;
  status?: Status;
  createdAt?: string;
  updatedAt?: string;
}

export function taskRow({ query, mode, status = 'PENDING_ANALYSIS', createdAt = '2026-11-22T10:00:00.123456Z', updatedAt = createdAt }: RowValues) {
  return {
    query_hash: taskHash({ query, mode }),
    // Postgres renders jsonb with a space after ':' and ','; Debezium passes that text on.
    user_query: `{"mode": ${JSON.stringify(mode)}, "query": ${JSON.stringify(query)}}`,
    status,
    created_at: createdAt,
    updated_at: updatedAt,
  };
}

type Row = ReturnType<typeof taskRow>;

function source(lsn: number, snapshot: 'true' | 'last' | 'false' = 'false') {
  const tsMs = 1_795_300_000_000 + lsn;
  return {
    version: '3.0.8.Final',
    connector: 'postgresql',
    name: 'chorus_test',
    ts_ms: tsMs,
    ts_us: tsMs * 1000,
    ts_ns: tsMs * 1_000_000,
    snapshot,
    db: 'chorus',
    sequence: `[null,"${lsn}"]`,
    schema: 'public',
    table: 'task_queue',
    txId: 700 + lsn,
    lsn,
    xmin: null,
  };
}

function envelope(op: 'c' | 'u' | 'd' | 'r', before: Row | null, after: Row | null, lsn: number) {
  const tsMs = 1_795_300_000_100 + lsn;
  return { before, after, source: source(lsn, op === 'r' ? 'true' : 'false'), transaction: null, op, ts_ms: tsMs, ts_us: tsMs * 1000, ts_ns: tsMs * 1_000_000 };
}

export const createEvent = (after: Row, lsn: number) => envelope('c', null, after, lsn);
export const readEvent = (after: Row, lsn: number) => envelope('r', null, after, lsn);
export const updateEvent = (before: Row, after: Row, lsn: number) => envelope('u', before, after, lsn);
export const deleteEvent = (before: Row, lsn: number) => envelope('d', before, null, lsn);

const rowSchema = (name: string) => ({
  type: 'struct',
  optional: true,
  name,
  fields: [
    { type: 'string', optional: false, field: 'query_hash' },
    { type: 'string', optional: false, name: 'io.debezium.data.Json', version: 1, field: 'user_query' },
    { type: 'string', optional: false, field: 'status' },
    { type: 'string', optional: false, name: 'io.debezium.time.ZonedTimestamp', version: 1, field: 'created_at' },
    { type: 'string', optional: false, name: 'io.debezium.time.ZonedTimestamp', version: 1, field: 'updated_at' },
  ],
});

/** The same envelope as the JSON converter writes it with `schemas.enable=true`. */
export function withSchema(payload: ReturnType<typeof envelope>) {
  return {
    schema: {
      type: 'struct',
      optional: false,
      name: 'chorus_test.public.task_queue.Envelope',
      version: 2,
      fields: [
        { ...rowSchema('chorus_test.public.task_queue.Value'), field: 'before' },
        { ...rowSchema('chorus_test.public.task_queue.Value'), field: 'after' },
        { type: 'struct', optional: false, name: 'io.debezium.connector.postgresql.Source', field: 'source', fields: [] },
        { type: 'string', optional: false, field: 'op' },
        { type: 'int64', optional: true, field: 'ts_ms' },
      ],
    },
    payload,
  };
}

export const asMessage = (event: object) => Buffer.from(JSON.stringify(event));
