import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { oncePerScrape } from '../src/index.ts';

describe('a reading once per scrape', () => {
  it('reads once for the collectors of one scrape, and afresh at the next', async () => {
    let reads = 0;
    const read = oncePerScrape(async () => ++reads);
    expect(await Promise.all([read(), read(), read()])).toEqual([1, 1, 1]);
    await turn();
    expect(await read()).toBe(2);
  });

  it('reads null, saying why, when the source fails or does not answer in time', async () => {
    const why: string[] = [];
    const failing = oncePerScrape(() => Promise.reject(new Error('refused')), { onError: (e) => why.push(e.message) });
    const silent = oncePerScrape(() => new Promise<never>(() => undefined), {
      timeoutMs: 50,
      onError: (e) => why.push(e.message),
    });
    expect(await failing()).toBeNull();
    expect(await silent()).toBeNull();
    expect(why).toEqual(['refused', 'no answer in 50 ms']);
  });
});
