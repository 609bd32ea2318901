import { describe, expect, it } from 'vitest';
import { taskHash } from '@chorus/tasks';
import { MalformedEvent, parseChangeEvent } from '../src/index.ts';
import {
  asMessage,
  createEvent,
  deleteEvent,
  readEvent,
  taskRow,
  updateEvent,
  withSchema,
} from '../fixtures/events.ts';

const row = taskRow({ query: 'what is CDC?', mode: 'think', createdAt: '2026-11-22T10:00:00.123456Z' });
const hash = taskHash({ query: 'what is CDC?', mode: 'think' });

describe.each([
  ['without schema', (e: ReturnType<typeof createEvent>) => asMessage(e)],
  ['with schema', (e: ReturnType<typeof createEvent>) => asMessage(withSchema(e))],
])('parseChangeEvent, JSON converter %s', (_name, encode) => {
  it('turns a create (op c) into an upsert of the new row', () => {
    expect(parseChangeEvent(encode(createEvent(row, 1000)))).toEqual({
      op: 'upsert',
      lsn: 1000,
      sourceTsMs: 1_795_300_001_000,
      task: {
        hash,
        mode: 'think',
        query: 'what is CDC?',
        status: 'PENDING_ANALYSIS',
        createdAt: '2026-11-22T10:00:00.123Z',
        updatedAt: '2026-11-22T10:00:00.123Z',
      },
    });
  });

  it('turns a snapshot read (op r) into an upsert', () => {
    expect(parseChangeEvent(encode(readEvent(row, 5)))).toMatchObject({ op: 'upsert', lsn: 5, task: { hash } });
  });

  it('turns an update (op u) into an upsert of the after image', () => {
    const after = { ...row, status: 'CANCELLED' as const, updated_at: '2026-11-22T10:05:00Z' };
    expect(parseChangeEvent(encode(updateEvent(row, after, 1100)))).toMatchObject({
      op: 'upsert',
      lsn: 1100,
      task: { hash, status: 'CANCELLED', updatedAt: '2026-11-22T10:05:00.000Z' },
    });
  });

  it('reads times to the millisecond, whatever their precision, as ISO-8601 in UTC', () => {
    const at = (created_at: string | number) =>
      (
        parseChangeEvent(encode(createEvent({ ...row, created_at: created_at as string }, 1))) as {
          task: { createdAt: string };
        }
      ).task.createdAt;
    expect(at('2026-11-22T10:00:00.987654321Z')).toBe('2026-11-22T10:00:00.987Z');
    expect(at('2026-11-22T10:00:00.5Z')).toBe('2026-11-22T10:00:00.500Z');
    expect(at('2026-11-22T10:00:00Z')).toBe('2026-11-22T10:00:00.000Z');
    expect(at('2026-11-22T11:00:00.123456+01:00')).toBe('2026-11-22T10:00:00.123Z');
    expect(at(1_795_300_000_123_456)).toBe(new Date(1_795_300_000_123).toISOString());
  });

  it('turns a delete (op d) into a delete of the before image', () => {
    expect(parseChangeEvent(encode(deleteEvent(row, 1200)))).toEqual({
      op: 'delete',
      lsn: 1200,
      sourceTsMs: 1_795_300_001_200,
      hash,
    });
  });
});

describe('what is not a change', () => {
  it('skips the tombstone that follows a delete', () => {
    expect(parseChangeEvent(null)).toBeNull();
    expect(parseChangeEvent(Buffer.alloc(0))).toBeNull();
  });

  it('reads a truncate as one change for the whole table', () => {
    expect(parseChangeEvent(asMessage({ before: null, after: null, op: 't', source: { lsn: 9, ts_ms: 1 } }))).toEqual({
      op: 'truncate',
      lsn: 9,
      sourceTsMs: 1,
    });
  });
});

describe('malformed events', () => {
  it.each([
    ['not JSON', Buffer.from('{oops'), /value is not JSON/],
    ['no op', asMessage({ after: row, source: { lsn: 1, ts_ms: 1 } }), /op/],
    ['no source LSN', asMessage({ op: 'c', after: row, source: { ts_ms: 1 } }), /source\.lsn/],
    ['a bad status', asMessage(createEvent({ ...row, status: 'DONE' as never }, 1)), /after\.status/],
    ['user_query not JSON', asMessage(createEvent({ ...row, user_query: '{bad' }, 1)), /user_query is not JSON/],
    [
      'an unknown mode',
      asMessage(createEvent({ ...row, user_query: '{"mode": "slow", "query": "x"}' }, 1)),
      /after\.user_query\.mode/,
    ],
    ['a bad hash', asMessage(createEvent({ ...row, query_hash: 'nope' }, 1)), /after\.query_hash/],
    ['a create without after', asMessage({ op: 'c', after: null, source: { lsn: 1, ts_ms: 1 } }), /after/],
    [
      'a month that does not exist',
      asMessage(createEvent({ ...row, created_at: '2026-13-01T10:00:00.123456Z' }, 1)),
      /unreadable timestamp/,
    ],
    ['a time that is not one', asMessage(createEvent({ ...row, updated_at: 'yesterday' }, 1)), /unreadable timestamp/],
  ])('rejects %s with a reason', (_name, message, reason) => {
    expect(() => parseChangeEvent(message)).toThrow(MalformedEvent);
    expect(() => parseChangeEvent(message)).toThrow(reason);
  });
});
