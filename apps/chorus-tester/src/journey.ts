/**
 * The user's journey through a running environment: every task is followed to what the user sees —
 * the Redis read model, the task page and the API — never only the database.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import type pg from 'pg';
import { ROLES } from '@chorus/db';
import { type Task, taskHash } from '@chorus/tasks';
import { Deadline, done, notYet, poll } from '@chorus/wait';
import { adminCookie, openPool, openReadModel, settings } from './connections.ts';

const { webUrl: WEB, redisUrl, pipelineTimeoutMs: PIPELINE_TIMEOUT_MS } = settings();
const { model, redis } = openReadModel();
const RUN = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

after(() => redis.disconnect());

/** Retries `check` until it returns a value; a throw counts as "not yet", with its message kept as the reason. */
function eventually<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  return poll(
    async () => {
      try {
        const value = await check();
        return value === undefined ? notYet('not there yet') : done(value);
      } catch (error) {
        return notYet(String(error));
      }
    },
    { what, deadline: new Deadline(PIPELINE_TIMEOUT_MS), initialMs: 100, maxMs: 200 },
  );
}

const anonymous = (path: string, init: RequestInit = {}) => fetch(`${WEB}${path}`, { redirect: 'manual', ...init });

const api = async (path: string, init: RequestInit = {}) =>
  anonymous(path, { ...init, headers: { ...(init.headers as Record<string, string>), cookie: await adminCookie() } });
const postJson = (path: string, body: unknown) =>
  api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** The task as the read model, the API and the page show it, once all three agree on `status`. */
async function seen(hash: string, status: string) {
  return eventually(`task ${hash} as ${status} in the read model, the API and the page`, async () => {
    const stored = await model.get(hash);
    if (stored?.status !== status) return undefined;
    const res = await api(`/api/tasks/${hash}`);
    if (res.status !== 200) return undefined;
    const task = (await res.json()) as Task;
    if (task.status !== status) return undefined;
    const page = await (await api(`/query/${hash}`)).text();
    if (!page.includes(`<dd data-testid="status">${status}</dd>`)) return undefined;
    return { stored, task, page };
  });
}

describe('sign-in', () => {
  it('where it is on, sends a page to /login and answers the API 401, and lets the admin in; where it is off, every page says so', async () => {
    if ((await adminCookie()) === '') {
      assert.ok(
        (await (await anonymous('/')).text()).includes('data-testid="sign-in-off"'),
        'the dashboard says sign-in is off',
      );
      return;
    }
    const page = await anonymous('/');
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), '/login?next=%2F');
    assert.equal((await anonymous('/api/tasks')).status, 401);
    assert.equal(
      (await anonymous('/api/tasks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }))
        .status,
      401,
    );
    assert.equal((await anonymous('/healthz')).status, 200);
    assert.ok((await (await api('/')).text()).includes('Signed in as <strong>admin</strong> (operator)'));
  });
});

describe('submitting through the dashboard form', () => {
  it('redirects to the task page, which shows the projected task once the pipeline delivers it', async () => {
    const query = `form journey ${RUN}`;
    const res = await api('/', { method: 'POST', body: new URLSearchParams({ query, mode: 'think' }) });
    assert.equal(res.status, 303);
    const hash = taskHash({ query, mode: 'think' });
    assert.equal(res.headers.get('location'), `/query/${hash}`);

    const { stored, page } = await seen(hash, 'PENDING_ANALYSIS');
    assert.equal(stored.query, query);
    assert.ok(page.includes('data-state="ready"'), 'the page shows the task, not a placeholder');
    assert.ok(!/Not Found/i.test(page));

    const dashboard = await (await api('/')).text();
    assert.ok(dashboard.includes(query), 'the dashboard lists the task');
  });
});

describe('submitting through the API', () => {
  it('answers 201, then 202 pending or 200, and the read model gets the task', async () => {
    const input = { query: `api journey ${RUN}`, mode: 'flash' };
    const created = await postJson('/api/tasks', input);
    assert.equal(created.status, 201);
    const task = (await created.json()) as Task;
    assert.equal(task.hash, taskHash({ query: input.query, mode: 'flash' }));

    const first = await api(`/api/tasks/${task.hash}`);
    assert.ok([200, 202].includes(first.status), `GET answered ${first.status}`);
    await seen(task.hash, 'PENDING_ANALYSIS');

    const again = await postJson('/api/tasks', input);
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as Task).hash, task.hash);
  });
});

describe('changes that flow through CDC', () => {
  it('a cancel reaches the read model, the API and the page', async () => {
    const task = (await (
      await postJson('/api/tasks', { query: `cancel journey ${RUN}`, mode: 'deep_research' })
    ).json()) as Task;
    await seen(task.hash, 'PENDING_ANALYSIS');
    const res = await postJson(`/api/tasks/${task.hash}/cancel`, {});
    assert.equal(res.status, 202);
    await seen(task.hash, 'CANCELLED');
    const second = await postJson(`/api/tasks/${task.hash}/cancel`, {});
    assert.equal(second.status, 409);
  });

  it("a cancel through the task page's form does the same", async () => {
    const query = `page cancel journey ${RUN}`;
    await api('/', { method: 'POST', body: new URLSearchParams({ query, mode: 'flash' }) });
    const hash = taskHash({ query, mode: 'flash' });
    await seen(hash, 'PENDING_ANALYSIS');
    const res = await api(`/query/${hash}/cancel`, { method: 'POST' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/query/${hash}?expect=CANCELLED`);
    await seen(hash, 'CANCELLED');
  });

  it('a delete removes the task from the read model, the API and the page', async () => {
    const task = (await (
      await postJson('/api/tasks', { query: `delete journey ${RUN}`, mode: 'flash' })
    ).json()) as Task;
    await seen(task.hash, 'PENDING_ANALYSIS');
    assert.equal((await api(`/api/tasks/${task.hash}`, { method: 'DELETE' })).status, 202);
    await eventually(`task ${task.hash} gone`, async () => {
      if ((await model.get(task.hash)) !== null) return undefined;
      if ((await api(`/api/tasks/${task.hash}`)).status !== 404) return undefined;
      return (await api(`/query/${task.hash}`)).status === 404 ? true : undefined;
    });
  });
});

describe('bad input', () => {
  const cases: [string, RequestInit, number, string][] = [
    ['malformed JSON', { body: '{"query":', headers: { 'content-type': 'application/json' } }, 400, 'invalid_json'],
    [
      'the wrong content type',
      { body: 'query=x&mode=flash', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
    ],
    [
      'an empty query',
      { body: JSON.stringify({ query: ' ', mode: 'flash' }), headers: { 'content-type': 'application/json' } },
      400,
      'invalid_task',
    ],
    [
      'an oversized query',
      {
        body: JSON.stringify({ query: 'q'.repeat(2001), mode: 'flash' }),
        headers: { 'content-type': 'application/json' },
      },
      400,
      'invalid_task',
    ],
    [
      'an unknown mode',
      { body: JSON.stringify({ query: 'x', mode: 'fast' }), headers: { 'content-type': 'application/json' } },
      400,
      'invalid_task',
    ],
    [
      'a very large body',
      {
        body: JSON.stringify({ query: 'x', mode: 'flash', pad: 'p'.repeat(200_000) }),
        headers: { 'content-type': 'application/json' },
      },
      413,
      'payload_too_large',
    ],
  ];
  for (const [name, init, status, code] of cases) {
    it(`rejects ${name} with ${status} and writes nothing`, async () => {
      const before = ((await (await api('/api/stats')).json()) as { pipeline: { inPostgres: number } }).pipeline
        .inPostgres;
      const res = await api('/api/tasks', { method: 'POST', ...init });
      assert.equal(res.status, status);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, code);
      const afterCount = ((await (await api('/api/stats')).json()) as { pipeline: { inPostgres: number } }).pipeline
        .inPostgres;
      assert.equal(afterCount, before);
    });
  }

  it('rejects a malformed hash with 400', async () => {
    assert.equal((await api('/api/tasks/abc')).status, 400);
  });
});

describe('health', () => {
  it('reports ready, and the pipeline line catches up', async () => {
    assert.equal((await api('/readyz')).status, 200);
    await eventually('the pipeline keeping up', async () =>
      (await (await api('/')).text()).includes('Pipeline keeping up') ? true : undefined,
    );
  });
});

describe('what the test environment lets through', () => {
  it('Redis refuses a command without the password', async () => {
    // The protocol by hand: a client library would authenticate, or retry, on its own.
    const url = new URL(redisUrl);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port || 6379) }, () =>
        socket.write('GET anything\r\n'),
      );
      socket.setTimeout(5000, () => socket.destroy(new Error('no reply from Redis in 5 s')));
      socket.once('data', (data) => {
        resolve(data.toString());
        socket.end();
      });
      socket.once('error', reject);
    });
    assert.match(reply, /^-NOAUTH/);
  });

  it('a cross-site form post is refused with 403 and writes nothing', async () => {
    const query = `cross-site ${RUN}`;
    const res = await api('/', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://evil.example',
        'sec-fetch-site': 'cross-site',
      },
      body: new URLSearchParams({ query, mode: 'flash' }),
    });
    assert.equal(res.status, 403);
    assert.equal((await api(`/api/tasks/${taskHash({ query, mode: 'flash' })}`)).status, 404);
  });

  it('pages carry the security headers', async () => {
    const res = await api('/');
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'same-origin');
  });

  it('the tester itself runs as a non-root user, like every app image', () => {
    assert.notEqual(process.getuid?.(), 0);
  });
});

/** Runs `fn` with a Postgres client logged in as the app role, as chorus-web is. */
const withApp = async <T>(fn: (client: pg.Pool) => Promise<T>) => {
  const pool = openPool(1);
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
};

describe('the database roles', () => {
  it('the CDC role may replicate and is no superuser', async () => {
    const { rows } = await withApp((c) =>
      c.query('SELECT rolsuper, rolreplication FROM pg_roles WHERE rolname = $1', [ROLES.cdc]),
    );
    assert.deepEqual(rows, [{ rolsuper: false, rolreplication: true }]);
  });

  it('the app role cannot create a table', async () => {
    await assert.rejects(
      withApp((c) => c.query('CREATE TABLE intruder (id int)')),
      { code: '42501' },
    );
  });

  it('no open connection belongs to a superuser', async () => {
    // Connections are the sessions in a database; the server's own workers (the logical replication
    // launcher runs as the bootstrap superuser) are in none.
    const { rows } = await withApp((c) =>
      c.query(
        `SELECT a.pid, a.usename FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename WHERE r.rolsuper AND a.datid IS NOT NULL`,
      ),
    );
    assert.deepEqual(rows, []);
  });
});

describe('Redis loses its data', () => {
  it('the read model is complete again within 60 s, rebuilt from the change topic', async () => {
    await withApp(async (postgres) => {
      const count = async () => Number((await postgres.query('SELECT count(*) AS n FROM task_queue')).rows[0].n);
      const expected = await count();
      assert.ok(expected > 0, 'the journey left tasks to rebuild');
      const started = Date.now();
      await redis.flushall();
      await poll(
        async () => {
          const projected = (await model.stats()).total;
          return projected === expected ? done(projected) : notYet(`${projected} of ${expected} tasks back`);
        },
        { what: 'the read model rebuilt', deadline: new Deadline(60_000), initialMs: 200, maxMs: 500 },
      );
      console.log(
        `read model rebuilt after a flush: ${expected} tasks in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    });
  });
});
