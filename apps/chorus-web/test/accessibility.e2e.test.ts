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
/** The same pages where sign-in is on: the login page, and what a viewer and an operator see. */
const hs = useHarness({ signIn: true });
const b = useBrowser();

/** A browser page signed in to `hs` as a new account of `role`. */
async function signedIn(role: 'viewer' | 'operator') {
  const name = `${role}-${Math.random().toString(36).slice(2, 8)}`;
  await hs.addAccount(name, role, 'a-test-password');
  const context = await b.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${hs.url}/login`);
  await page.fill('#name', name);
  await page.fill('#password', 'a-test-password');
  await Promise.all([page.waitForURL(`${hs.url}/`), page.click('form.login button[type=submit]')]);
  return page;
}

/** Every control a mouse could use on the page, as a selector-like label. */
const CONTROLS = `Array.from(document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')).map((e) => e.outerHTML.slice(0, 80))`;

async function submit(query: string): Promise<string> {
  const r = await fetch(`${h.url}/api/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, mode: 'flash' }),
  });
  expect(r.status).toBe(201);
  return ((await r.json()) as { hash: string }).hash;
}

describe('accessibility (axe-core, WCAG 2.1 A and AA)', () => {
  it('finds no violation on any page, in prod, dev and test colours', { timeout: 120_000 }, async () => {
    const ready = await submit('a task the read model holds');
    const pending = await submit('a task still in flight');
    const row = (await h.pg.sql(`SELECT created_at FROM task_queue WHERE query_hash = '${ready}'`)).rows[0];
    await h.projector.project([
      {
        value: asMessage(
          createEvent(
            taskRow({ query: 'a task the read model holds', mode: 'flash', createdAt: row.created_at.toISOString() }),
            7,
          ),
        ),
        offset: '0',
        partition: 0,
      },
    ]);

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

  it(
    "finds no violation where sign-in is on: the login page (also with an error), and a viewer's and an operator's pages",
    { timeout: 120_000 },
    async () => {
      const created = await fetch(`${hs.url}/api/tasks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await hs.addToken('a11y', 'operator')}`,
        },
        body: JSON.stringify({ query: 'a task behind sign-in', mode: 'flash' }),
      });
      const { hash } = (await created.json()) as { hash: string };
      const found: string[] = [];
      const check = async (name: string, page: import('playwright-core').Page) => {
        const violations = await axeViolations(page);
        if (violations.length > 0) found.push(`${name} (${page.url()}):\n${describeViolations(violations)}`);
      };
      for (const env of ['prod', 'dev']) {
        setEnvironment(env);
        const anonymous = await (await b.browser.newContext()).newPage();
        await anonymous.goto(`${hs.url}/`);
        await check(`${env} login`, anonymous);
        await anonymous.fill('#name', 'nobody');
        await anonymous.fill('#password', 'wrong');
        await anonymous.click('form.login button[type=submit]');
        await anonymous.waitForSelector('.error');
        await check(`${env} login with an error`, anonymous);
        for (const role of ['viewer', 'operator'] as const) {
          const page = await signedIn(role);
          for (const path of ['/', `/query/${hash}`, '/no-such-page']) {
            await page.goto(`${hs.url}${path}`);
            await check(`${env} ${role} ${path}`, page);
          }
          await page.context().close();
        }
        await anonymous.context().close();
      }
      expect(found.join('\n\n')).toBe('');
    },
  );

  it(
    'reaches every control by keyboard, in order, on the login page, the dashboard and a task page',
    { timeout: 60_000 },
    async () => {
      const created = await fetch(`${hs.url}/api/tasks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await hs.addToken('keyboard', 'operator')}`,
        },
        body: JSON.stringify({ query: 'a task for the keyboard', mode: 'flash' }),
      });
      const { hash } = (await created.json()) as { hash: string };
      await hs.projector.project([
        {
          value: asMessage(createEvent(taskRow({ query: 'a task for the keyboard', mode: 'flash' }), 9)),
          offset: '0',
          partition: 0,
        },
      ]);
      const login = await (await b.browser.newContext()).newPage();
      const operator = await signedIn('operator');
      for (const [page, path] of [
        [login, '/login'],
        [operator, '/'],
        [operator, `/query/${hash}`],
      ] as const) {
        await page.goto(`${hs.url}${path}`);
        const controls = (await page.evaluate(CONTROLS)) as string[];
        expect(controls.length, path).toBeGreaterThan(0);
        const reached: string[] = [];
        for (let i = 0; i < controls.length; i++) {
          await page.keyboard.press('Tab');
          reached.push((await page.evaluate('document.activeElement.outerHTML.slice(0, 80)')) as string);
        }
        console.log(`keyboard: ${path}: ${controls.length} controls, each reached by Tab in document order`);
        expect(reached, path).toEqual(controls);
      }
      await login.context().close();
      await operator.context().close();
    },
  );

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
