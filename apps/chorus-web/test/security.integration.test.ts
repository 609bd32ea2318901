/** What the UI does against other sites and against records it did not write, on a real PostgreSQL and Redis. */
import { describe, expect, it } from 'vitest';
import { asMessage, createEvent, taskRow } from '@chorus/cdc-events/fixtures';
import { taskHash } from '@chorus/tasks';
import { useHarness } from './support/harness.ts';

const h = useHarness();

const EVIL = 'http://evil.example';
const post = (
  path: string,
  headers: Record<string, string>,
  body = new URLSearchParams({ query: 'cross-site task', mode: 'flash' }),
) => fetch(`${h.url}${path}`, { method: 'POST', body, headers, redirect: 'manual' });

async function projectedTask(query: string) {
  // Submitted the way an API client does (no Origin), then projected as the stream processor would.
  const res = await fetch(`${h.url}/api/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, mode: 'think' }),
  });
  expect(res.status).toBe(201);
  const row = taskRow({ query, mode: 'think' });
  await h.projector.project([{ value: asMessage(createEvent(row, 100)), offset: '1', partition: 0 }]);
  return row.query_hash;
}

describe('cross-site requests that change state are refused', () => {
  const browsers: [string, Record<string, string>][] = [
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site', origin: EVIL }],
    [
      'Sec-Fetch-Site: same-site (another port of this host, such as another environment)',
      { 'sec-fetch-site': 'same-site' },
    ],
    ['an Origin of another site, from a browser without Sec-Fetch-Site', { origin: EVIL }],
    ['Origin: null (a sandboxed page)', { origin: 'null' }],
  ];

  it.each(browsers)('%s: the three form routes answer 403 and change nothing', async (_name, headers) => {
    const hash = await projectedTask(`target ${JSON.stringify(headers)}`);
    const before = (await h.pg.sql('SELECT query_hash, status FROM task_queue ORDER BY query_hash')).rows;
    for (const path of ['/', `/query/${hash}/cancel`, `/query/${hash}/delete`]) {
      const res = await post(path, headers);
      expect(res.status, path).toBe(403);
      expect(await res.text(), path).toContain('A request from another site cannot change tasks here.');
    }
    expect((await h.pg.sql('SELECT query_hash, status FROM task_queue ORDER BY query_hash')).rows).toEqual(before);
  });

  it('the API answers 403 with a JSON error to a cross-site POST', async () => {
    const res = await fetch(`${h.url}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: EVIL },
      body: JSON.stringify({ query: 'x', mode: 'flash' }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: { code: 'cross_site_request', message: 'a request from another site cannot change tasks here' },
    });
  });

  it('same-origin form posts and API clients that send no Origin keep working', async () => {
    const sameOrigin = await post(
      '/',
      { 'sec-fetch-site': 'same-origin', origin: h.url },
      new URLSearchParams({ query: 'same origin', mode: 'flash' }),
    );
    expect(sameOrigin.status).toBe(303);
    const oldBrowser = await post(
      '/',
      { origin: h.url },
      new URLSearchParams({ query: 'same origin, no fetch metadata', mode: 'flash' }),
    );
    expect(oldBrowser.status).toBe(303);
    const client = await fetch(`${h.url}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'api client', mode: 'flash' }),
    });
    expect(client.status).toBe(201);
  });
});

describe('security headers on every HTML page', () => {
  it.each(['/', '/?status=NOPE', '/query/not-a-hash', `/query/${'0'.repeat(32)}`, '/no/such/page'])(
    '%s',
    async (path) => {
      const res = await fetch(`${h.url}${path}`);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/);
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    },
  );
});

describe('records read from Redis are checked before use', () => {
  const ATTACK = '<img src=x onerror=alert(1)>';

  it('a task whose stored mode is markup is refused on its page and left off the dashboard, and counted', async () => {
    const hash = taskHash({ query: 'planted', mode: 'flash' });
    await h.client.hset(`task:${hash}`, {
      hash,
      mode: ATTACK,
      query: 'planted',
      status: 'COMPLETED',
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    await h.client.zadd('tasks:by-time', Date.now(), hash);
    const before = h.model.malformed;

    const page = await fetch(`${h.url}/query/${hash}`);
    expect(page.status).toBe(500);
    const body = await page.text();
    expect(body).toContain('stored record is malformed');
    expect(body).not.toContain('<img');

    const dashboard = await (await fetch(`${h.url}/`)).text();
    expect(dashboard).not.toContain('<img');
    expect(dashboard).not.toContain('planted');

    const api = await fetch(`${h.url}/api/tasks/${hash}`);
    expect(api.status).toBe(500);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('malformed_record');
    expect(h.model.malformed).toBeGreaterThanOrEqual(before + 3);
  });

  it('a well-formed task with markup in its text is shown escaped', async () => {
    const hash = await projectedTask(`query with ${ATTACK}`);
    const body = await (await fetch(`${h.url}/query/${hash}`)).text();
    expect(body).toContain('query with &lt;img src=x onerror=alert(1)&gt;');
    expect(body).not.toContain(ATTACK);
  });
});
