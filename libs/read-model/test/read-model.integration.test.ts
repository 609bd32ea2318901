import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useRedis } from '@chorus/testing/vitest';
import type { Task } from '@chorus/tasks';
import type { Redis } from 'ioredis';
import { CHANGES_CHANNEL, type Change, ReadModel, changedHashes } from '../src/index.ts';
import { minuteOf } from '../src/minutes.ts';

const r = useRedis();
let redis: Redis;
let model: ReadModel;

beforeAll(() => {
  redis = r.client;
  model = new ReadModel(redis);
});
beforeEach(() => redis.flushdb());

const task = (hash: string, overrides: Partial<Task> = {}): Task => ({
  hash: hash.padEnd(32, '0'),
  mode: 'flash',
  query: `query ${hash}`,
  status: 'PENDING_ANALYSIS',
  createdAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:00.000Z',
  ...overrides,
});
const upsert = (t: Task, lsn: number): Change => ({ op: 'upsert', lsn, sourceTsMs: 1_795_300_000_000 + lsn, task: t });
const remove = (hash: string, lsn: number): Change => ({
  op: 'delete',
  lsn,
  sourceTsMs: 1_795_300_000_000 + lsn,
  hash: hash.padEnd(32, '0'),
});

describe('ReadModel', () => {
  it('projects a task and reads it back', async () => {
    const t = task('a1');
    expect(await model.apply([upsert(t, 10)])).toEqual({ applied: 1, stale: 0 });
    expect(await model.get(t.hash)).toEqual(t);
    expect(await model.get('f'.repeat(32))).toBeNull();
  });

  it('moves a task between status indices on update', async () => {
    const t = task('a2');
    await model.apply([upsert(t, 10), upsert({ ...t, status: 'CANCELLED' }, 20)]);
    expect((await model.stats()).byStatus).toMatchObject({ PENDING_ANALYSIS: 0, CANCELLED: 1 });
    expect((await model.list({ status: 'CANCELLED' })).map((x) => x.hash)).toEqual([t.hash]);
    expect(await model.list({ status: 'PENDING_ANALYSIS' })).toEqual([]);
  });

  it('never lets an older event overwrite a newer one', async () => {
    const t = task('a3');
    await model.apply([upsert({ ...t, status: 'COMPLETED' }, 50)]);
    expect(await model.apply([upsert({ ...t, status: 'PENDING_ANALYSIS' }, 40)])).toEqual({ applied: 0, stale: 1 });
    expect((await model.get(t.hash))?.status).toBe('COMPLETED');
  });

  it('changes nothing when a batch is delivered again', async () => {
    const a = task('a4');
    const b = task('b4', { createdAt: '2026-11-22T11:00:00.000Z' });
    const batch = [upsert(a, 1), upsert(b, 2), upsert({ ...a, status: 'FAILED' }, 3), remove('b4', 4)];
    await model.apply(batch);
    const before = { a: await model.get(a.hash), list: await model.list(), stats: await model.stats() };
    await model.apply(batch);
    expect({ a: await model.get(a.hash), list: await model.list(), stats: await model.stats() }).toEqual(before);
    expect(before.stats).toMatchObject({ total: 1, byStatus: { FAILED: 1 } });
  });

  it('removes a deleted task from every index, and an older event cannot bring it back', async () => {
    const t = task('a5');
    await model.apply([upsert(t, 10), remove('a5', 20)]);
    expect(await model.get(t.hash)).toBeNull();
    expect(await model.stats()).toMatchObject({ total: 0, byStatus: { PENDING_ANALYSIS: 0 } });
    expect(await model.apply([upsert(t, 15)])).toEqual({ applied: 0, stale: 1 });
    expect(await model.get(t.hash)).toBeNull();
    expect(await redis.ttl(`task-lsn:${t.hash}`)).toBeGreaterThan(0);
  });

  it('lists newest first, by status and with a limit', async () => {
    const tasks = [1, 2, 3].map((i) => task(`c${i}`, { createdAt: `2026-11-22T1${i}:00:00.000Z` }));
    await model.apply(tasks.map((t, i) => upsert(t, i + 1)));
    expect((await model.list()).map((t) => t.hash)).toEqual(tasks.map((t) => t.hash).reverse());
    expect((await model.list({ limit: 2 })).map((t) => t.hash)).toEqual([tasks[2]!.hash, tasks[1]!.hash]);
  });

  it('records when the pipeline last delivered, and how much', async () => {
    expect(await model.pipelineState()).toEqual({ lastEventAt: null, lastSourceAt: null, applied: 0, stale: 0 });
    await model.apply([upsert(task('d1'), 7), upsert(task('d1'), 6)]);
    const state = await model.pipelineState();
    expect(state).toMatchObject({ applied: 1, stale: 1, lastSourceAt: new Date(1_795_300_000_007).toISOString() });
    expect(Date.now() - Date.parse(state.lastEventAt!)).toBeLessThan(5000);
  });
});

describe('records it did not write', () => {
  it('a malformed record is left out of lists, refused by get, counted and reported; good ones still read', async () => {
    const reported: string[] = [];
    const checked = new ReadModel(redis, { onMalformed: (e) => reported.push(e.message) });
    await checked.apply([upsert(task('a1'), 1)]);
    const bad = 'b2'.padEnd(32, '0');
    await redis.hset(`task:${bad}`, {
      hash: bad,
      mode: '<img src=x onerror=alert(1)>',
      query: 'q',
      status: 'DONE',
      createdAt: 'yesterday',
      updatedAt: 'now',
    });
    await redis.zadd('tasks:by-time', Date.now(), bad);

    expect((await checked.list()).map((t) => t.hash)).toEqual([task('a1').hash]);
    await expect(checked.get(bad)).rejects.toThrow(`the read model's record task:${bad} is malformed`);
    expect(checked.malformed).toBe(2);
    expect(reported[0]).toContain('mode: Invalid option');
    expect(reported[0]).toContain('status: Invalid option');
    expect(reported[0]).toContain('createdAt: expected an ISO 8601 time');
    expect(await checked.get(task('a1').hash)).toEqual(task('a1'));
  });
});

describe('a TRUNCATE', () => {
  const truncate = (lsn: number): Change => ({ op: 'truncate', lsn, sourceTsMs: 1_795_300_000_000 + lsn });

  it('empties the read model; no older change brings a task back; newer ones apply', async () => {
    await model.apply([upsert(task('a1'), 10), upsert(task('b2', { status: 'COMPLETED' }), 11)]);
    expect(await model.apply([truncate(20)])).toEqual({ applied: 1, stale: 0 });
    expect(await model.list()).toEqual([]);
    expect(await model.stats()).toMatchObject({ total: 0, byStatus: { PENDING_ANALYSIS: 0, COMPLETED: 0 } });
    // Redelivered events from before the truncate are stale; its own replay too.
    expect(await model.apply([upsert(task('a1'), 10), remove('b2', 12), truncate(20)])).toEqual({
      applied: 0,
      stale: 3,
    });
    expect(await model.get(task('a1').hash)).toBeNull();
    // A task inserted after it is projected.
    expect(await model.apply([upsert(task('c3'), 21)])).toEqual({ applied: 1, stale: 0 });
    expect((await model.list()).map((t) => t.hash)).toEqual([task('c3').hash]);
  });
});

describe('the position it was read at', () => {
  it('is stored in the same transaction as the changes, per topic and partition, even for a batch with no change', async () => {
    await model.apply([upsert(task('a1'), 1)], [{ topic: 't', partition: 0, nextOffset: '5' }]);
    await model.apply(
      [],
      [
        { topic: 't', partition: 1, nextOffset: '9' },
        { topic: 'other', partition: 0, nextOffset: '3' },
      ],
    );
    expect(await model.positions('t')).toEqual(
      new Map([
        [0, '5'],
        [1, '9'],
      ]),
    );
  });

  it('writes nothing of a batch sent behind one that was not stored', async () => {
    await model.apply([upsert(task('a1'), 1)], [{ topic: 't', partition: 0, nextOffset: '5' }]);
    await model.apply([upsert(task('a2'), 2)], [{ topic: 't', partition: 0, nextOffset: '7', after: '5' }]);
    // Sent expecting offset 9, which the batch before it would have stored had it not failed.
    await expect(
      model.apply([upsert(task('a3'), 3)], [{ topic: 't', partition: 0, nextOffset: '12', after: '9' }]),
    ).rejects.toThrow('POSITION t/0 is not at 9: an earlier batch was not stored');
    expect(await model.get(task('a3').hash)).toBeNull();
    expect(await model.positions('t')).toEqual(new Map([[0, '7']]));
    expect((await model.pipelineState()).applied).toBe(2);
  });

  it('a flush leaves it empty and without its mark, which is how a loss is seen', async () => {
    expect(await model.isEmpty()).toBe(true);
    expect(await model.mark('first')).toBe('first');
    expect(await model.mark('second')).toBe('first');
    await model.apply([upsert(task('a1'), 1)], [{ topic: 't', partition: 0, nextOffset: '2' }]);
    expect(await model.isEmpty()).toBe(false);
    await redis.flushall();
    expect(await model.isEmpty()).toBe(true);
    expect(await model.mark('third')).toBe('third');
  });
});

describe('how long a task took to arrive', () => {
  it('is the time from its latest change committing to the read model holding it; unknown for an unknown task', async () => {
    const change = upsert(task('a1'), 1);
    const sourceTsMs = Date.now() - 250;
    await model.apply([{ ...change, sourceTsMs }]);
    const ms = await model.arrivalMs(task('a1').hash);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(5_000);
    expect(await model.get(task('a1').hash)).toEqual(task('a1'));
    expect(await model.arrivalMs('f'.repeat(32))).toBeNull();
  });
});

describe('what the checks read', () => {
  it('arrivals: when each projected task was saved, published and projected; unknown hashes are absent', async () => {
    const [a, b] = [task('b1'), task('b2')];
    const before = Date.now();
    await model.apply([{ ...upsert(a, 1), publishedTsMs: 1_795_300_000_050 }, upsert(b, 2)]);
    const arrived = await model.arrivals([a.hash, b.hash, 'f'.repeat(32)]);
    expect([...arrived.keys()].sort()).toEqual([a.hash, b.hash].sort());
    expect(arrived.get(a.hash)).toMatchObject({ savedAt: 1_795_300_000_001, publishedAt: 1_795_300_000_050 });
    expect(arrived.get(a.hash)!.projectedAt).toBeGreaterThanOrEqual(before);
  });

  it('statuses: every task by hash as Redis holds it, deleted ones gone', async () => {
    const [a, b, c] = [task('c1'), task('c2', { status: 'CANCELLED' }), task('c3')];
    await model.apply([upsert(a, 1), upsert(b, 2), upsert(c, 3), remove('c3', 4)]);
    expect(await model.statuses()).toEqual(
      new Map([
        [a.hash, 'PENDING_ANALYSIS'],
        [b.hash, 'CANCELLED'],
      ]),
    );
  });
});

describe('the changes it announces', () => {
  it('publishes the hashes of each applied batch, and * after a TRUNCATE, for the pages to follow', async () => {
    const subscriber = redis.duplicate();
    const heard: string[][] = [];
    subscriber.on('message', (_channel: string, message: string) => heard.push(changedHashes(message)));
    await subscriber.subscribe(CHANGES_CHANNEL);
    await model.apply([upsert(task('a'), 1), upsert(task('b'), 2), upsert(task('a', { status: 'CANCELLED' }), 3)]);
    await model.apply([remove('b', 4)]);
    await model.apply([{ op: 'truncate', lsn: 5, sourceTsMs: 1_795_300_000_005 }]);
    await model.apply([], [{ topic: 't', partition: 0, nextOffset: '9' }]);
    // A last change marks the end: once it is heard, everything before it has been, in order.
    await model.apply([upsert(task('z'), 6)]);
    for (let waited = 0; heard.length < 4 && waited < 5_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    subscriber.disconnect();
    expect(heard).toEqual([
      ['a'.padEnd(32, '0'), 'b'.padEnd(32, '0')],
      ['b'.padEnd(32, '0')],
      ['*'],
      ['z'.padEnd(32, '0')],
    ]);
    expect(changedHashes('not json')).toEqual([]);
  });
});

describe('the last hour, per minute', () => {
  it("counts each minute's changes and reads its p50 and p99 from their latency buckets", async () => {
    const now = Date.now();
    const at = (hash: string, latencyMs: number, lsn: number): Change => ({
      ...upsert(task(hash), lsn),
      sourceTsMs: now - latencyMs,
    });
    await model.apply([at('a', 10, 1), at('b', 30, 2), at('c', 40, 3), at('d', 5000, 4)]);
    const after = Date.now();
    const minutes = await model.lastMinutes(60, after);
    expect(minutes).toHaveLength(60);
    expect(minutes.at(-1)!.minute).toBe(minuteOf(after));
    // The batch counts in the minute it was applied in, which a minute's turn may have left behind.
    const filled = minutes.filter((m) => m.count > 0);
    expect(filled).toHaveLength(1);
    expect([minuteOf(now), minuteOf(after)]).toContain(filled[0]!.minute);
    // 10 ms falls in the 25 ms bucket, 30 and 40 ms in 50 ms, 5 s in 6400 ms.
    expect(filled[0]).toMatchObject({ count: 4, p50: 50, p99: 6400 });
    expect(minutes.filter((m) => m.count === 0).every((m) => m.p50 === null && m.p99 === null)).toBe(true);
  });
});
