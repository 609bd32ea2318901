/**
 * A real browser (Debian's chromium in a container, driven by playwright-core) on the dashboard: submit through the
 * form, land on the task page while the change is in flight, feed the stream processor the change
 * event, and watch the page update by itself.
 */
import { describe, expect, it } from 'vitest';
import { useBrowser } from '@chorus/testing/vitest';
import { asMessage, createEvent, taskRow, updateEvent } from '@chorus/cdc-events/fixtures';
import { performance } from 'node:perf_hooks';
import { useHarness } from './support/harness.ts';

const h = useHarness();
const b = useBrowser();

describe('the dashboard in a browser', () => {
  // A real browser on a busy host (make test beside prod and dev) needs more than vitest's default 5 s,
  // and the page's own waits below allow 10 s each.
  it(
    'follows a task from the form to the read model, then a cancel through CDC, without a reload by hand',
    { timeout: 30_000 },
    async () => {
      const page = await b.browser.newPage();
      await page.goto(h.url);
      await page.fill('#query', 'what does the browser see?');
      await page.selectOption('#mode', 'deep_research');
      await Promise.all([page.waitForURL(/\/query\/[0-9a-f]{32}$/), page.click('form.submit button[type=submit]')]);

      expect(await page.getByTestId('task').getAttribute('data-state')).toBe('pending');
      expect(await page.getByTestId('task').textContent()).toContain('waiting for the pipeline');

      const row = (await h.pg.sql(`SELECT created_at FROM task_queue`)).rows[0];
      const event = createEvent(
        taskRow({
          query: 'what does the browser see?',
          mode: 'deep_research',
          createdAt: row.created_at.toISOString(),
        }),
        42,
      );
      await h.projector.project([{ value: asMessage(event), offset: '0', partition: 0 }]);

      await page.waitForSelector('[data-testid=task][data-state=ready]', { timeout: 10_000 });
      expect(await page.getByTestId('query').textContent()).toBe('what does the browser see?');
      expect(await page.getByTestId('status').textContent()).toBe('PENDING_ANALYSIS');

      // Cancel from the page: the change is in flight until its update event is projected.
      await Promise.all([page.waitForURL(/\?expect=CANCELLED$/), page.click('[data-testid=cancel]')]);
      expect(await page.getByTestId('change').textContent()).toContain('waiting for the pipeline');
      const updated = (await h.pg.sql(`SELECT status, updated_at FROM task_queue`)).rows[0];
      const before = taskRow({
        query: 'what does the browser see?',
        mode: 'deep_research',
        createdAt: row.created_at.toISOString(),
      });
      const after = { ...before, status: updated.status, updated_at: updated.updated_at.toISOString() };
      await h.projector.project([{ value: asMessage(updateEvent(before, after, 43)), offset: '1', partition: 0 }]);
      await page.locator('[data-testid=status]', { hasText: 'CANCELLED' }).waitFor({ timeout: 10_000 });
      expect(await page.locator('[data-testid=change]').count()).toBe(0);

      await page.goto(h.url);
      expect(await page.locator('[data-status=CANCELLED]').textContent()).toBe('1');
      expect(await page.getByTestId('pipeline').textContent()).toMatch(/Pipeline keeping up: 1 of 1 tasks projected/);
    },
  );

  it(
    'shows a status change made through the API on an open task page, without a reload by hand, soon after its projection',
    { timeout: 30_000 },
    async () => {
      const query = 'watched while it changes';
      const submitted = await fetch(`${h.url}/api/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, mode: 'flash' }),
      });
      const { hash } = (await submitted.json()) as { hash: string };
      const row = (await h.pg.sql(`SELECT created_at FROM task_queue WHERE query_hash = '${hash}'`)).rows[0];
      const before = taskRow({ query, mode: 'flash', createdAt: row.created_at.toISOString() });
      await h.projector.project([{ value: asMessage(createEvent(before, 100)), offset: '10', partition: 0 }]);

      const page = await b.browser.newPage();
      await page.goto(`${h.url}/query/${hash}`);
      expect(await page.getByTestId('status').textContent()).toBe('PENDING_ANALYSIS');
      // The page subscribes to its task's changes once loaded.
      await page.waitForLoadState('load');
      expect((await fetch(`${h.url}/api/tasks/${hash}/cancel`, { method: 'POST' })).status).toBe(202);
      const updated = (await h.pg.sql(`SELECT status, updated_at FROM task_queue WHERE query_hash = '${hash}'`))
        .rows[0];
      const after = { ...before, status: updated.status, updated_at: updated.updated_at.toISOString() };
      await h.projector.project([{ value: asMessage(updateEvent(before, after, 101)), offset: '11', partition: 0 }]);
      const projected = performance.now();
      await page.locator('[data-testid=status]', { hasText: 'CANCELLED' }).waitFor({ timeout: 5_000 });
      const shownMs = performance.now() - projected;
      console.log(
        `live update: the cancel showed on the open task page ${shownMs.toFixed(0)} ms after its change was projected (Server-Sent Events)`,
      );
      // Users are promised about a second; the line above prints what this run measured (245 to 495 ms during
      // make test, 1,149 ms once on a loaded 2-core host). The bound only catches a page that did not update
      // by itself: a speed is a benchmark's figure, not a timed test's.
      expect(shownMs).toBeLessThan(5000);
      await page.close();
    },
  );

  it(
    'updates the dashboard in place while tasks arrive: what a user is typing, the focus and the page stay',
    { timeout: 60_000 },
    async () => {
      const page = await b.browser.newPage();
      let loads = 0;
      page.on('load', () => loads++);
      await page.goto(h.url);
      await page.waitForLoadState('load');
      const totalBefore = Number(await page.locator('[data-status=total]').textContent());
      await page.fill('#query', 'half a thought');
      await page.focus('#query');
      // When each row first shows, by the page's clock (the same host's as this test's).
      await page.evaluate(`window.__seen = {};
        new MutationObserver(() => document.querySelectorAll('tbody tr').forEach((r) => {
          const m = /arrived while typing (\\d+)/.exec(r.textContent); if (m && !(m[1] in __seen)) __seen[m[1]] = Date.now();
        })).observe(document.body, { childList: true, subtree: true });`);
      const projectedAt: number[] = [];
      // 50 tasks arrive over about 5 s, each through the API and into the read model, while the user types.
      const typed = ', still being typed';
      for (let i = 0; i < 50; i++) {
        const query = `arrived while typing ${i}`;
        const r = await fetch(`${h.url}/api/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, mode: 'flash' }),
        });
        const { hash } = (await r.json()) as { hash: string };
        const row = (await h.pg.sql(`SELECT created_at FROM task_queue WHERE query_hash = '${hash}'`)).rows[0];
        const task = taskRow({ query, mode: 'flash', createdAt: row.created_at.toISOString() });
        await h.projector.project([
          { value: asMessage(createEvent(task, 200 + i)), offset: String(200 + i), partition: 0 },
        ]);
        projectedAt[i] = Date.now();
        if (i < typed.length) await page.keyboard.type(typed[i]!);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await page.locator('[data-status=total]', { hasText: String(totalBefore + 50) }).waitFor({ timeout: 10_000 });
      expect(loads).toBe(1);
      expect(await page.inputValue('#query')).toBe('half a thought, still being typed');
      expect(await page.evaluate('document.activeElement.id')).toBe('query');
      expect(await page.locator('tbody tr').first().textContent()).toContain('arrived while typing 49');
      expect(await page.locator('#live-status').textContent()).toMatch(/^Updated at /);
      const seen = (await page.evaluate('window.__seen')) as Record<string, number>;
      const waits = projectedAt
        .map((at, i) => (seen[i] === undefined ? undefined : seen[i] - at))
        .filter((ms): ms is number => ms !== undefined)
        .sort((x, y) => x - y);
      // Every row showed; the newest may push the oldest off a short list only after it was seen.
      expect(waits.length).toBe(50);
      const p50 = waits[Math.floor(waits.length / 2)]!;
      console.log(
        `in place: 50 tasks over ${((projectedAt[49]! - projectedAt[0]!) / 1000).toFixed(1)} s, 1 page load; ` +
          `projection to row shown p50 ${p50} ms, max ${waits.at(-1)} ms`,
      );
      await page.close();
    },
  );
});
