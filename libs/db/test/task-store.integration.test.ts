import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '@chorus/testing';
import { taskHash } from '@chorus/tasks';
import { MIGRATIONS, TaskStore, migrate } from '../src/index.ts';

let server: TestPostgres;
let pool: pg.Pool;
let store: TaskStore;

beforeAll(async () => {
  server = await startPostgres();
  pool = new pg.Pool(server.connection);
  // An idle client the server drops at teardown is not a test failure.
  pool.on('error', () => {});
  store = new TaskStore(pool);
});
afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

describe('migrate', () => {
  it('applies every migration once, and nothing on later runs', async () => {
    expect(await server.withClient(migrate)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(await server.withClient(migrate)).toEqual([]);
    const concurrent = await Promise.all([server.withClient(migrate), server.withClient(migrate)]);
    expect(concurrent).toEqual([[], []]);
  });

  it('gives task_queue REPLICA IDENTITY FULL, so updates and deletes carry the whole row', async () => {
    const { rows } = await server.sql(`SELECT relreplident FROM pg_class WHERE oid = 'task_queue'::regclass`);
    expect(rows[0].relreplident).toBe('f');
  });

  it('refuses a status outside the five and a malformed hash', async () => {
    await expect(server.sql(`UPDATE task_queue SET status = 'DONE'`)).resolves.toBeDefined(); // no rows yet
    await expect(
      server.sql(`INSERT INTO task_queue (query_hash, user_query, status) VALUES ('${'a'.repeat(32)}', '{}', 'DONE')`),
    ).rejects.toThrow(/check constraint/);
    await expect(
      server.sql(`INSERT INTO task_queue (query_hash, user_query) VALUES ('${'Z'.repeat(32)}', '{}')`),
    ).rejects.toThrow(/check constraint/);
  });
});

describe('TaskStore', () => {
  it('creates a task once; submitting it again returns the same task', async () => {
    const first = await store.submit({ query: 'what is CDC?', mode: 'flash' });
    expect(first.created).toBe(true);
    expect(first.task).toMatchObject({
      hash: taskHash({ query: 'what is CDC?', mode: 'flash' }),
      status: 'PENDING_ANALYSIS',
      mode: 'flash',
    });
    const again = await store.submit({ query: 'what is CDC?', mode: 'flash' });
    expect(again).toEqual({ created: false, task: first.task });
    expect((await store.submit({ query: 'what is CDC?', mode: 'think' })).created).toBe(true);
  });

  it('stores user_query as the {mode, query} object', async () => {
    const { task } = await store.submit({ query: 'jsonb', mode: 'deep_research' });
    const { rows } = await server.sql(`SELECT user_query FROM task_queue WHERE query_hash = '${task.hash}'`);
    expect(rows[0].user_query).toEqual({ mode: 'deep_research', query: 'jsonb' });
  });

  it('cancels a pending task once, and reports a conflict or an unknown task after that', async () => {
    const { task } = await store.submit({ query: 'cancel me', mode: 'think' });
    const cancelled = await store.cancel(task.hash);
    expect(cancelled).toMatchObject({ outcome: 'cancelled', task: { status: 'CANCELLED' } });
    expect(await store.cancel(task.hash)).toEqual({ outcome: 'conflict', status: 'CANCELLED' });
    expect(await store.cancel('f'.repeat(32))).toEqual({ outcome: 'not_found' });
  });

  it('removes a task', async () => {
    const { task } = await store.submit({ query: 'delete me', mode: 'flash' });
    expect(await store.remove(task.hash)).toBe(true);
    expect(await store.find(task.hash)).toBeNull();
    expect(await store.remove(task.hash)).toBe(false);
  });
});
