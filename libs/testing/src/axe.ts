/**
 * axe-core in a real page: the WCAG 2.1 A and AA rules, checked on what the browser rendered (computed
 * colours, visibility), which a DOM test cannot see.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  /** CSS selectors of the failing nodes. */
  nodes: string[];
}

/** The WCAG 2.1 A/AA violations on the page as it is now. The script is evaluated through DevTools, so the page's CSP does not apply to it. */
export async function axeViolations(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    type Result = { violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] };
    // In the page: its global scope, typed here without the DOM library.
    const page = globalThis as unknown as {
      axe: { run(context: unknown, options: unknown): Promise<Result> };
      document: unknown;
    };
    const result = await page.axe.run(page.document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }));
  }, WCAG_21_AA);
}

/** One line per violation, for an assertion's message. */
export const describeViolations = (violations: Violation[]) =>
  violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} node(s), e.g. ${v.nodes.slice(0, 3).join(', ')}`)
    .join('\n');
