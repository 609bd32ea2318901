/** The JSON API and health endpoints against a real PostgreSQL and Redis. */
import { describe, expect, it } from 'vitest';
import { asMessage, createEvent, deleteEvent, taskRow, updateEvent } from '@chorus/cdc-events/fixtures';
import type { Task } from '@chorus/tasks';
import { useHarness } from './support/harness.ts';

const h = useHarness();
let lsn = 1000;

const post = (path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${h.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** Feeds the stream processor the change event Debezium would emit for this task. */
async function project(task: Task, op: 'c' | 'u' | 'd' = 'c') {
  const row = taskRow({
    query: task.query,
    mode: task.mode,
    status: task.status,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
  });
  const event =
    op === 'c' ? createEvent(row, ++lsn) : op === 'u' ? updateEvent(row, row, ++lsn) : deleteEvent(row, ++lsn);
  await h.projector.project([{ value: asMessage(event), offset: String(lsn), partition: 0 }]);
}

describe('POST /api/tasks', () => {
  it('answers 201 for a new task and 200 with the same hash when it already exists', async () => {
    const first = await post('/api/tasks', { query: '  what is CDC?  ', mode: 'flash' });
    expect(first.status).toBe(201);
    const created = (await first.json()) as Task;
    expect(created).toMatchObject({ query: 'what is CDC?', mode: 'flash', status: 'PENDING_ANALYSIS' });
    expect(created.hash).toMatch(/^[0-9a-f]{32}$/);
    expect(first.headers.get('location')).toBe(`/api/tasks/${created.hash}`);

    const again = await post('/api/tasks', { query: 'what is CDC?', mode: 'flash' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as Task).hash).toBe(created.hash);
  });

  it.each([
    ['malformed JSON', '{"query": "x", ', 400, 'invalid_json'],
    ['a missing query', { mode: 'flash' }, 400, 'invalid_task'],
    ['an empty query', { query: '   ', mode: 'flash' }, 400, 'invalid_task'],
    ['an oversized query', { query: 'x'.repeat(2001), mode: 'flash' }, 400, 'invalid_task'],
    ['an unknown mode', { query: 'x', mode: 'slow' }, 400, 'invalid_task'],
    ['a JSON array', [1, 2], 400, 'invalid_task'],
    ['a NUL character, which Postgres cannot store', { query: 'a\u0000b', mode: 'flash' }, 400, 'invalid_task'],
    ['a very large body', { query: 'x', mode: 'flash', pad: 'y'.repeat(100_000) }, 413, 'payload_too_large'],
  ])('rejects %s with a 4xx {error: {code, message}} and writes nothing', async (_name, body, status, code) => {
    const before = await h.rows();
    const res = await post('/api/tasks', body);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message).toBeTruthy();
    expect(JSON.stringify(json)).not.toMatch(/at .+\.(ts|js):\d+/);
    expect(await h.rows()).toBe(before);
  });

  it('accepts a request with no body whatever its headers, as HTTP clients send one', async () => {
    // Python's http.client sends Content-Length: 0 and no Content-Type for a body-less POST.
    const res = await fetch(`${h.url}/api/tasks/${'0'.repeat(32)}/cancel`, {
      method: 'POST',
      headers: { 'content-length': '0' },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('rejects the wrong content type with 415', async () => {
    const res = await post('/api/tasks', 'query=x&mode=flash', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
  });
});

describe('GET /api/tasks/:hash', () => {
  it('answers 202 pending until the read model has the task, then 200 from the read model', async () => {
    const task = (await (await post('/api/tasks', { query: 'pending first', mode: 'think' })).json()) as Task;
    const pending = await fetch(`${h.url}/api/tasks/${task.hash}`);
    expect(pending.status).toBe(202);
    expect(await pending.json()).toEqual({ hash: task.hash, state: 'pending' });

    await project(task);
    const ready = await fetch(`${h.url}/api/tasks/${task.hash}`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual(task);
  });

  it('answers 404 for an unknown hash and 400 for a malformed one', async () => {
    expect((await fetch(`${h.url}/api/tasks/${'0'.repeat(32)}`)).status).toBe(404);
    const bad = await fetch(`${h.url}/api/tasks/not-a-hash`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_hash');
  });
});

describe('cancel and delete', () => {
  it('cancels with an UPDATE that reaches the read model through CDC; a second cancel is a conflict', async () => {
    const task = (await (await post('/api/tasks', { query: 'cancel me', mode: 'flash' })).json()) as Task;
    await project(task);
    const res = await post(`/api/tasks/${task.hash}/cancel`, {});
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ hash: task.hash, status: 'CANCELLED' });
    // The read model still shows the old status until the change event arrives.
    expect(((await (await fetch(`${h.url}/api/tasks/${task.hash}`)).json()) as Task).status).toBe('PENDING_ANALYSIS');
    const row = (await h.pg.sql(`SELECT status, updated_at FROM task_queue WHERE query_hash = '${task.hash}'`)).rows[0];
    await project({ ...task, status: row.status, updatedAt: row.updated_at.toISOString() }, 'u');
    expect(((await (await fetch(`${h.url}/api/tasks/${task.hash}`)).json()) as Task).status).toBe('CANCELLED');

    const again = await post(`/api/tasks/${task.hash}/cancel`, {});
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('not_cancellable');
    expect((await post(`/api/tasks/${'a'.repeat(32)}/cancel`, {})).status).toBe(404);
  });

  it('deletes with a DELETE whose change event removes the task from the read model', async () => {
    const task = (await (await post('/api/tasks', { query: 'delete me', mode: 'flash' })).json()) as Task;
    await project(task);
    const res = await fetch(`${h.url}/api/tasks/${task.hash}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    await project(task, 'd');
    expect((await fetch(`${h.url}/api/tasks/${task.hash}`)).status).toBe(404);
    expect((await fetch(`${h.url}/api/tasks/${task.hash}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('lists and counters', () => {
  it('lists from the read model by status with a limit, and counts by status', async () => {
    for (const q of ['list one', 'list two'])
      await project((await (await post('/api/tasks', { query: q, mode: 'deep_research' })).json()) as Task);
    const { tasks } = (await (await fetch(`${h.url}/api/tasks?status=PENDING_ANALYSIS&limit=1`)).json()) as {
      tasks: Task[];
    };
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.status).toBe('PENDING_ANALYSIS');
    const stats = (await (await fetch(`${h.url}/api/stats`)).json()) as {
      total: number;
      byStatus: Record<string, number>;
      pipeline: { inPostgres: number };
    };
    expect(stats.total).toBe(Object.values(stats.byStatus).reduce((a, b) => a + b, 0));
    expect(stats.pipeline.inPostgres).toBe(await h.rows());
    expect((await fetch(`${h.url}/api/tasks?status=DONE`)).status).toBe(400);
    expect((await fetch(`${h.url}/api/tasks?limit=0`)).status).toBe(400);
  });
});

describe('health', () => {
  it('/healthz says the process is up and /readyz that Postgres and Redis answer', async () => {
    expect(await (await fetch(`${h.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ postgres: 'ok', redis: 'ok' });
  });
});
