/** The dashboard and task pages as HTML, against a real PostgreSQL and Redis. */
import { describe, expect, it } from 'vitest';
import { asMessage, createEvent, taskRow, updateEvent } from '@chorus/cdc-events/fixtures';
import { taskHash } from '@chorus/tasks';
import { useHarness } from './support/harness.ts';

const h = useHarness();

const submitForm = (fields: Record<string, string>) =>
  fetch(`${h.url}/`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });

describe('the dashboard form', () => {
  it('inserts the task and answers 303 to its page', async () => {
    const res = await submitForm({ query: 'form task', mode: 'think' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/query/${taskHash({ query: 'form task', mode: 'think' })}`);
    expect(await h.rows()).toBe(1);
  });

  it('shows a bad submission again with the reason, keeps the text, and writes nothing', async () => {
    const before = await h.rows();
    const res = await submitForm({ query: 'keep <this>', mode: 'slow' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('mode must be one of flash, think, deep_research');
    expect(html).toContain('keep &lt;this&gt;</textarea>');
    expect(html).not.toMatch(/at .+\.(ts|js):\d+/);
    expect(await h.rows()).toBe(before);
  });
});

describe('every page names its environment', () => {
  it.each(['/', '/no/such/page', `/query/${'0'.repeat(32)}`])(
    '%s: in the title and in a coloured badge',
    async (path) => {
      const html = await (await fetch(`${h.url}${path}`)).text();
      expect(html).toMatch(/<title>[^<]+ · CHORUS · test<\/title>/);
      expect(html).toContain('<body class="env-test">');
      expect(html).toContain('<span class="env env-test" data-testid="environment">test</span>');
    },
  );
});

describe('the task page', () => {
  it('says "waiting for the pipeline" while the change is in flight, then shows the projected task', async () => {
    const res = await submitForm({ query: 'page task <b>', mode: 'flash' });
    const page = `${h.url}${res.headers.get('location')}`;
    const pending = await fetch(page);
    expect(pending.status).toBe(200);
    const pendingHtml = await pending.text();
    expect(pendingHtml).toContain('waiting for the pipeline');
    expect(pendingHtml).toContain('page task &lt;b&gt;');

    const row = (await h.pg.sql(`SELECT created_at FROM task_queue WHERE user_query->>'query' = 'page task <b>'`))
      .rows[0];
    const created = row.created_at.toISOString();
    await h.projector.project([
      {
        value: asMessage(createEvent(taskRow({ query: 'page task <b>', mode: 'flash', createdAt: created }), 10)),
        offset: '1',
        partition: 0,
      },
    ]);
    const ready = await (await fetch(page)).text();
    expect(ready).toContain('data-state="ready"');
    expect(ready).toContain('<dd data-testid="status">PENDING_ANALYSIS</dd>');
  });

  it('answers 404 for an unknown task and 400 for a malformed hash, as pages', async () => {
    const missing = await fetch(`${h.url}/query/${'b'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain(`No task has the hash ${'b'.repeat(32)}`);
    expect((await fetch(`${h.url}/query/nope`)).status).toBe(400);
  });
});

describe('cancel and delete from the task page', () => {
  it('cancels through a form, says the change is in flight, and shows CANCELLED once projected', async () => {
    const location = (await submitForm({ query: 'cancel from page', mode: 'flash' })).headers.get('location')!;
    const hash = location.split('/').pop()!;
    const row = (await h.pg.sql(`SELECT created_at FROM task_queue WHERE query_hash = '${hash}'`)).rows[0];
    const created = taskRow({ query: 'cancel from page', mode: 'flash', createdAt: row.created_at.toISOString() });
    await h.projector.project([{ value: asMessage(createEvent(created, 20)), offset: '2', partition: 0 }]);
    expect(await (await fetch(`${h.url}${location}`)).text()).toContain('data-testid="cancel"');

    const res = await fetch(`${h.url}${location}/cancel`, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${location}?expect=CANCELLED`);
    const inFlight = await (await fetch(`${h.url}${location}?expect=CANCELLED`)).text();
    expect(inFlight).toContain('Change to CANCELLED submitted — waiting for the pipeline.');
    expect(inFlight).toContain('<dd data-testid="status">PENDING_ANALYSIS</dd>');

    const updated = (await h.pg.sql(`SELECT status, updated_at FROM task_queue WHERE query_hash = '${hash}'`)).rows[0];
    await h.projector.project([
      {
        value: asMessage(
          updateEvent(
            created,
            { ...created, status: updated.status, updated_at: updated.updated_at.toISOString() },
            21,
          ),
        ),
        offset: '3',
        partition: 0,
      },
    ]);
    const done = await (await fetch(`${h.url}${location}?expect=CANCELLED`)).text();
    expect(done).toContain('<dd data-testid="status">CANCELLED</dd>');
    expect(done).not.toContain('waiting for the pipeline');
    expect(done).not.toContain('data-testid="cancel"');
    expect((await fetch(`${h.url}${location}/cancel`, { method: 'POST', redirect: 'manual' })).status).toBe(409);
  });

  it('deletes through a form and returns to the dashboard with a notice', async () => {
    const location = (await submitForm({ query: 'delete from page', mode: 'think' })).headers.get('location')!;
    const res = await fetch(`${h.url}${location}/delete`, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/?deleted=1');
    expect(await (await fetch(`${h.url}/?deleted=1`)).text()).toContain(
      'Task deleted; it leaves the list once the pipeline delivers the change.',
    );
    expect((await fetch(`${h.url}${location}`)).status).toBe(404);
    expect((await fetch(`${h.url}${location}/delete`, { method: 'POST', redirect: 'manual' })).status).toBe(404);
  });
});

describe('the dashboard', () => {
  it('shows the tasks, the counters and the pipeline line from the read model', async () => {
    const html = await (await fetch(`${h.url}/`)).text();
    expect(html).toContain('<form class="submit" method="post" action="/">');
    expect(html).toMatch(/<strong data-status="PENDING_ANALYSIS">1<\/strong>/);
    expect(html).toMatch(/Pipeline behind: 1 task\(s\) waiting for the pipeline/);
    expect(html).toContain('page task &lt;b&gt;');
    expect((await fetch(`${h.url}/?status=NOPE`)).status).toBe(400);
  });
});

describe('the pipeline line', () => {
  it('says how fresh the read model is: when the latest change arrived, and how long after it was saved', async () => {
    await h.projector.project([
      { value: asMessage(createEvent(taskRow({ query: 'freshness', mode: 'flash' }), 30)), offset: '30', partition: 0 },
    ]);
    const html = await (await fetch(`${h.url}/`)).text();
    expect(html).toMatch(/the latest change arrived \d+ s ago, \d+ ms after it was saved\./);
    const page = await (
      await fetch(`${h.url}/query/${taskRow({ query: 'freshness', mode: 'flash' }).query_hash}`)
    ).text();
    expect(page).toMatch(/<p data-testid="arrival">Projected \d+ ms after it was saved\.<\/p>/);
  });
});
