/**
 * A paused Postgres or Redis (SIGSTOP, as `docker pause` does): every page and API call answers within
 * 5 s; 503 when it needs what is paused, and as usual when it does not (writes go to Postgres only,
 * the task list comes from Redis only).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { useHarness } from './support/harness.ts';

const h = useHarness();
afterEach(() => {
  h.pg.resume();
  h.redis.resume();
});

const HASH = 'a'.repeat(32);
const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const form = (query: string): RequestInit => ({ method: 'POST', body: new URLSearchParams({ query, mode: 'flash' }) });
// [path, request, status with Postgres paused, status with Redis paused]
const calls: [string, RequestInit | undefined, number, number][] = [
  ['/', undefined, 503, 503],
  [`/query/${HASH}`, undefined, 503, 503],
  ['/api/tasks', undefined, 200, 503],
  [`/api/tasks/${HASH}`, undefined, 503, 503],
  ['/api/tasks', post({ query: 'while paused', mode: 'flash' }), 503, 201],
  ['/', form('while paused, by form'), 503, 303],
  ['/readyz', undefined, 503, 503],
];

async function timed(path: string, init?: RequestInit) {
  const started = Date.now();
  const res = await fetch(`${h.url}${path}`, { redirect: 'manual', ...init, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text(), ms: Date.now() - started };
}

describe.each([
  ['Postgres', 2, () => h.pg.pause()],
  ['Redis', 3, () => h.redis.pause()],
] as const)('with %s paused', (name, column, pause) => {
  it('every page and API call answers within 5 s, 503 when it needs it, without internal detail', { timeout: 60_000 }, async () => {
    await timed('/'); // the pool holds a live connection to the server being paused
    pause();
    for (const call of calls) {
      const [path, init] = call;
      const r = await timed(path, init);
      const what = `${init?.method ?? 'GET'} ${path} with ${name} paused`;
      expect(r.status, what).toBe(call[column]);
      expect(r.ms, what).toBeLessThan(5000);
      expect(r.body, what).not.toMatch(/127\.0\.0\.1|:\d{4,5}\b|ECONN|at .+\.(ts|js):\d+/);
    }
    const ready = JSON.parse((await timed('/readyz')).body) as { error: { message: string } };
    expect(ready.error.message).toBe(`${name.toLowerCase()} unreachable`);
  });
});
