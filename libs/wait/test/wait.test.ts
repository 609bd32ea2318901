import { afterEach, describe, expect, it, vi } from 'vitest';
import { Deadline, TimeoutError, backoff, done, notYet, poll, sleep, timeUntil, within } from '../src/index.ts';

describe('backoff', () => {
  it('grows from the initial delay and stops at the cap', () => {
    const delays = backoff({ initialMs: 100, maxMs: 1000 });
    const first = Array.from({ length: 6 }, () => delays.next().value);
    expect(first).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});

describe('poll', () => {
  it('returns the value once the attempt succeeds, reporting each wait with its reason', async () => {
    const reasons: string[] = [];
    let calls = 0;
    const value = await poll(async () => (++calls < 3 ? notYet(`not yet ${calls}`) : done('ready')), {
      what: 'thing',
      deadline: new Deadline(5000),
      initialMs: 5,
      onWait: (info) => reasons.push(info.reason),
    });
    expect(value).toBe('ready');
    expect(reasons).toEqual(['not yet 1', 'not yet 2']);
  });

  it('gives up at the deadline with the last reason', async () => {
    const started = Date.now();
    const error = await poll(async () => notYet('connection refused'), {
      what: 'postgres',
      deadline: new Deadline(150),
      initialMs: 10,
      maxMs: 20,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toMatch(/waiting for postgres: connection refused/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('does not retry an attempt that throws', async () => {
    let calls = 0;
    await expect(
      poll(
        async () => {
          calls++;
          throw new Error('fatal');
        },
        { what: 'x', deadline: new Deadline(1000) },
      ),
    ).rejects.toThrow('fatal');
    expect(calls).toBe(1);
  });
});

describe('within', () => {
  it('passes on an answer that comes in time', async () => {
    await expect(within('redis', Promise.resolve('PONG'), 100)).resolves.toBe('PONG');
  });

  it('rejects, naming what did not answer, when the time passes first', async () => {
    const started = Date.now();
    await expect(within('kafka', new Promise(() => {}), 50)).rejects.toThrow('kafka did not answer within 50 ms');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('timeUntil', () => {
  it('resolves to the time the condition took to hold, counted from `since`', async () => {
    let n = 0;
    const since = Date.now() - 500;
    const r = await timeUntil(async () => (++n < 3 ? notYet(`attempt ${n}`) : done('up')), {
      what: 'the service',
      limitMs: 5000,
      everyMs: 10,
      since,
    });
    expect(r.ms).toBeGreaterThanOrEqual(500);
    expect(r).toMatchObject({ value: 'up' });
  });

  it('resolves to null and the last reason once the limit passes', async () => {
    const r = await timeUntil(async () => notYet('still starting'), { what: 'the service', limitMs: 50, everyMs: 10 });
    expect(r).toEqual({ ms: null, reason: 'still starting' });
  });

  it('passes on an attempt that throws: that will not get better', async () => {
    await expect(
      timeUntil(
        async () => {
          throw new Error('gone');
        },
        { what: 'the service', limitMs: 50 },
      ),
    ).rejects.toThrow('gone');
  });
});

describe('sleep', () => {
  afterEach(() => void vi.useRealTimers());

  it('waits 30 days, longer than one timer can hold, and not a moment less', async () => {
    vi.useFakeTimers();
    const days = (n: number) => n * 24 * 3600 * 1000;
    let woke = false;
    void sleep(days(30)).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(days(30) - 1000);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(woke).toBe(true);
  });
});
