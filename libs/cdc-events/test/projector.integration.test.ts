/** The projector against a real Redis, fed Debezium envelopes as the connector writes them. */
import { PassThrough } from 'node:stream';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  asMessage,
  createEvent,
  deleteEvent,
  readEvent,
  taskRow,
  updateEvent,
  withSchema,
} from '../fixtures/events.ts';
import { createLogger } from '@chorus/logger';
import { Redis } from 'ioredis';
import { ReadModel } from '@chorus/read-model';
import { useRedis } from '@chorus/testing/vitest';
import { type DeadLetter, Projector, type Message } from '../src/index.ts';

const r = useRedis();
let redis: Redis;
let model: ReadModel;
let logged: string[];
let projector: Projector;

beforeAll(() => {
  redis = r.client;
  model = new ReadModel(redis);
});
beforeEach(async () => {
  await redis.flushdb();
  logged = [];
  const stream = new PassThrough();
  stream.on('data', (line: Buffer) => logged.push(line.toString()));
  projector = new Projector(model, createLogger({ name: 'test', format: 'json', destination: stream }));
});

let offset = 0;
const messages = (...values: (Buffer | null)[]): Message[] =>
  values.map((value) => ({ value, offset: String(offset++), partition: 0 }));

const row = taskRow({ query: 'how does CDC work?', mode: 'think' });
const hash = row.query_hash;

describe('Projector', () => {
  it('projects a create, then an update, then a delete and its tombstone', async () => {
    await projector.project(messages(asMessage(createEvent(row, 100))));
    expect(await model.get(hash)).toMatchObject({
      hash,
      status: 'PENDING_ANALYSIS',
      query: 'how does CDC work?',
      mode: 'think',
    });

    await projector.project(messages(asMessage(withSchema(updateEvent(row, { ...row, status: 'CANCELLED' }, 200)))));
    expect((await model.get(hash))?.status).toBe('CANCELLED');

    await projector.project(messages(asMessage(deleteEvent({ ...row, status: 'CANCELLED' }, 300)), null));
    expect(await model.get(hash)).toBeNull();
    expect(projector.counters).toEqual({ applied: 3, stale: 0, skipped: 1, malformed: 0 });
  });

  it('stamps each task with when it committed, when Connect published it, and when it was projected', async () => {
    const before = Date.now();
    await projector.project([
      {
        value: asMessage(createEvent(row, 100)),
        offset: String(offset++),
        partition: 0,
        timestamp: String(before - 5),
      },
    ]);
    const [saved, published, projected] = await redis.hmget(`task:${hash}`, 'savedAt', 'publishedAt', 'projectedAt');
    expect(Number(saved)).toBeGreaterThan(0);
    expect(Number(published)).toBe(before - 5);
    expect(Number(projected)).toBeGreaterThanOrEqual(before);
  });

  it('projects snapshot reads', async () => {
    const rows = ['a', 'b', 'c'].map((q) => taskRow({ query: q, mode: 'flash' }));
    await projector.project(messages(...rows.map((r) => asMessage(readEvent(r, 50)))));
    expect((await model.stats()).total).toBe(3);
  });

  it('changes nothing when a batch is redelivered', async () => {
    const batch = [asMessage(createEvent(row, 10)), asMessage(updateEvent(row, { ...row, status: 'COMPLETED' }, 20))];
    await projector.project(messages(...batch));
    await projector.project(messages(...batch));
    expect((await model.get(hash))?.status).toBe('COMPLETED');
    expect(projector.counters).toMatchObject({ applied: 3, stale: 1 }); // the replayed update re-applies at equal LSN
    expect((await model.stats()).byStatus).toMatchObject({ COMPLETED: 1, PENDING_ANALYSIS: 0 });
  });

  it('logs and counts a malformed event, and still projects the rest of the batch', async () => {
    await projector.project(
      messages(
        Buffer.from('not json'),
        asMessage(createEvent(row, 10)),
        asMessage({ op: 'c', after: {}, source: { lsn: 1, ts_ms: 1 } }),
      ),
    );
    expect(await model.get(hash)).not.toBeNull();
    expect(projector.counters).toMatchObject({ applied: 1, malformed: 2 });
    const warnings = logged.map((l) => JSON.parse(l) as { msg: string; reason: string; offset: string });
    expect(warnings.map((w) => w.msg)).toEqual([
      'malformed change event: dead-lettered',
      'malformed change event: dead-lettered',
    ]);
    expect(warnings[0]!.reason).toBe('value is not JSON');
  });

  it('hands malformed events to the dead-letter sink, with the reason, before the batch completes', async () => {
    const letters: DeadLetter[] = [];
    const withSink = new Projector(
      model,
      createLogger({ name: 't', format: 'json', destination: new PassThrough() }),
      async (batch) => void letters.push(...batch),
    );
    const later = taskRow({ query: 'after the bad one', mode: 'flash' });
    await withSink.project(messages(Buffer.from('{"op":"c"}'), asMessage(createEvent(later, 20))));
    expect(letters).toHaveLength(1);
    expect(letters[0]!.reason).toMatch(/^not a Debezium envelope/);
    expect(letters[0]!.message.value?.toString()).toBe('{"op":"c"}');
    expect(await model.get(later.query_hash)).not.toBeNull();
    expect(withSink.counters).toMatchObject({ applied: 1, malformed: 1 });
  });

  it('fails the batch, so that it is retried, when the dead letters cannot be stored', async () => {
    const failing = new Projector(
      model,
      createLogger({ name: 't', format: 'json', destination: new PassThrough() }),
      async () => {
        throw new Error('the dead-letter topic is unavailable');
      },
    );
    await expect(failing.project(messages(Buffer.from('nope')))).rejects.toThrow(
      'the dead-letter topic is unavailable',
    );
    expect(failing.counters.malformed).toBe(0);
  });

  it('stores a big batch in parts, each with its position; a part that fails stops the position before it', async () => {
    const rows = Array.from({ length: 250 }, (_, i) => taskRow({ query: `part ${i}`, mode: 'flash' }));
    const first = offset;
    await projector.project(messages(...rows.map((r, i) => asMessage(createEvent(r, 1000 + i)))), 'topic');
    expect((await model.stats()).total).toBe(250);
    expect(await model.positions('topic')).toEqual(new Map([[0, String(first + 250)]]));

    // The third part holds a bad event whose dead letter cannot be stored: the first two are kept with
    // their position, and nothing of the third or later is.
    await redis.flushdb();
    const failing = new Projector(
      model,
      createLogger({ name: 't', format: 'json', destination: new PassThrough() }),
      async () => {
        throw new Error('the dead-letter topic is unavailable');
      },
    );
    const start = offset;
    const batch = messages(
      ...rows.map((r, i) => (i === 230 ? Buffer.from('nope') : asMessage(createEvent(r, 2000 + i)))),
    );
    await expect(failing.project(batch, 'topic')).rejects.toThrow('the dead-letter topic is unavailable');
    expect((await model.stats()).total).toBe(200);
    expect(await model.positions('topic')).toEqual(new Map([[0, String(start + 200)]]));
  });

  it('does not resolve until Redis holds the writes, and fails the batch when Redis is gone', async () => {
    const gone = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    gone.on('error', () => {});
    const broken = new Projector(
      new ReadModel(gone),
      createLogger({ name: 't', format: 'json', destination: new PassThrough() }),
    );
    await expect(broken.project(messages(asMessage(createEvent(row, 10))))).rejects.toThrow();
    expect(broken.counters.applied).toBe(0);
  });
});
