/**
 * Every page against axe-core's WCAG 2.1 A and AA rules, in a real browser (computed colours, as a user
 * sees them), in each environment's colours. A planted low-contrast line must be caught, so that a
 * checker that sees nothing cannot pass.
 */
import { describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from '@chorus/testing/axe';
import { useBrowser } from '@chorus/testing/vitest';
import { asMessage, createEvent, taskRow } from '@chorus/cdc-events/fixtures';
import { setEnvironment } from '../src/templates.ts';
import { useHarness } from './support/harness.ts';

const h = useHarness();
const b = useBrowser();

async function submit(query: string): Promise<string> {
  const r = await fetch(`${h.url}/api/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, mode: 'flash' }) });
  expect(r.status).toBe(201);
  return ((await r.json()) as { hash: string }).hash;
}

describe('accessibility (axe-core, WCAG 2.1 A and AA)', () => {
  it('finds no violation on any page, in prod, dev and test colours', { timeout: 120_000 }, async () => {
    const ready = await submit('a task the read model holds');
    const pending = await submit('a task still in flight');
    const row = (await h.pg.sql(`SELECT created_at FROM task_queue WHERE query_hash = '${ready}'`)).rows[0];
    await h.projector.project([{ value: asMessage(createEvent(taskRow({ query: 'a task the read model holds', mode: 'flash', createdAt: row.created_at.toISOString() }), 7)), offset: '0', partition: 0 }]);

    const pages: [string, string][] = [
      ['dashboard', '/'],
      ['dashboard, filtered', '/?status=PENDING_ANALYSIS'],
      ['dashboard with an error', '/?status=NOPE'],
      ['task', `/query/${ready}`],
      ['pending task', `/query/${pending}`],
      ['unknown task', `/query/${'0'.repeat(32)}`],
      ['bad link', '/query/not-a-hash'],
      ['not found', '/no-such-page'],
    ];
    const page = await b.browser.newPage();
    const found: string[] = [];
    for (const env of ['prod', 'dev', 'test']) {
      setEnvironment(env);
      for (const [name, path] of pages) {
        await page.goto(`${h.url}${path}`);
        const violations = await axeViolations(page);
        if (violations.length > 0) found.push(`${env} ${name} (${path}):\n${describeViolations(violations)}`);
      }
    }
    await page.close();
    expect(found.join('\n\n')).toBe('');
  });

  it('catches a planted contrast error', { timeout: 60_000 }, async () => {
    const page = await b.browser.newPage();
    await page.goto(h.url);
    // Light grey on white (1.7:1), added as a script would add it; a string, as it runs in the page.
    await page.evaluate(`(() => {
      const planted = document.createElement('p');
      planted.id = 'planted';
      planted.textContent = 'light grey on white';
      planted.style.color = '#c8c8c8';
      planted.style.background = '#ffffff';
      document.body.append(planted);
    })()`);
    const violations = await axeViolations(page);
    await page.close();
    expect(violations.find((v) => v.id === 'color-contrast')?.nodes).toContain('#planted');
  });
});
