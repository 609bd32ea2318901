/**
 * A paused Postgres or Redis (SIGSTOP, as `docker pause` does): every page and API call answers within
 * 5 s; 503 when it needs what is paused, and as usual when it does not. Reads come from Redis, so with
 * Postgres paused the dashboard and a projected task still show (the dashboard says writes are
 * unavailable); writes, and a task the read model does not hold, need Postgres. Each 503 but the readiness
 * probe's says when to try again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { asMessage, createEvent, taskRow } from '@chorus/cdc-events/fixtures';
import { useHarness } from './support/harness.ts';

const h = useHarness();
afterEach(() => {
  h.pg.resume();
  h.redis.resume();
});

const HASH = 'a'.repeat(32);
const post = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const form = (query: string): RequestInit => ({ method: 'POST', body: new URLSearchParams({ query, mode: 'flash' }) });
// [path, request, status with Postgres paused, status with Redis paused]
const PROJECTED = taskRow({ query: 'in the read model', mode: 'flash' });
const calls: [string, RequestInit | undefined, number, number][] = [
  ['/', undefined, 200, 503],
  [`/query/${PROJECTED.query_hash}`, undefined, 200, 503],
  [`/api/tasks/${PROJECTED.query_hash}`, undefined, 200, 503],
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
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: await res.text(),
    ms: Date.now() - started,
  };
}

describe.each([
  ['Postgres', 2, () => h.pg.pause()],
  ['Redis', 3, () => h.redis.pause()],
] as const)('with %s paused', (name, column, pause) => {
  it(
    'every page and API call answers within 5 s, 503 when it needs it, without internal detail',
    { timeout: 60_000 },
    async () => {
      await h.projector.project([{ value: asMessage(createEvent(PROJECTED, 1)), offset: '0', partition: 0 }]);
      await timed('/'); // the pool holds a live connection to the server being paused
      pause();
      for (const call of calls) {
        const [path, init] = call;
        const r = await timed(path, init);
        const what = `${init?.method ?? 'GET'} ${path} with ${name} paused`;
        expect(r.status, what).toBe(call[column]);
        expect(r.ms, what).toBeLessThan(5000);
        if (r.status === 503 && path !== '/readyz') expect(r.retryAfter, what).toBe('5');
        // No address (host:port), error code or stack frame; a page's own script may hold numbers such as 0:1000.
        expect(r.body, what).not.toMatch(/\d+\.\d+\.\d+\.\d+|[a-z][a-z0-9.-]*:\d{4,5}\b|ECONN|at .+\.(ts|js):\d+/);
      }
      const ready = JSON.parse((await timed('/readyz')).body) as { error: { message: string } };
      expect(ready.error.message).toBe(`${name.toLowerCase()} unreachable`);
      if (name === 'Postgres')
        expect((await timed('/')).body).toContain('Writes unavailable: the task store does not answer');
    },
  );
});
