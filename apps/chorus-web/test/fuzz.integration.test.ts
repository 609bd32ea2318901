/**
 * Property-based fuzzing of what users send (fast-check), against a real PostgreSQL and Redis: never a
 * 5xx, every error in the one error shape, and nothing written when a request is refused.
 */
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODES } from '@chorus/tasks';
import { useHarness } from './support/harness.ts';

const h = useHarness();
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
// How many cases each property tried, for make test's closing summary (tools/test-summary.mjs).
const tried: Record<string, number> = {};
afterAll(() => {
  mkdirSync(join(import.meta.dirname, '../reports'), { recursive: true });
  writeFileSync(join(import.meta.dirname, '../reports/fuzz.json'), JSON.stringify(tried));
});

// Text as users and their tools produce it, the awkward parts included: NUL, lone surrogates, emoji, markup.
const awkwardText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\uD800',
    'x\uDC00',
    '<script>alert(1)</script>',
    'é'.repeat(2001),
    '🙂'.repeat(10),
  ),
);
const mode = fc.oneof(fc.constantFrom(...MODES), fc.string({ maxLength: 12 }), fc.constant(undefined), fc.integer());
const body = fc.oneof(fc.record({ query: awkwardText, mode }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 2 }));

async function rows(): Promise<number> {
  return h.rows();
}

function expectErrorShape(json: unknown) {
  expect(json).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
}

describe('fuzzing the JSON API and the form', () => {
  it(
    'POST /api/tasks: never a 5xx; a refusal has the error shape and writes nothing',
    { timeout: 120_000 },
    async () => {
      let count = 0;
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(body, async (value) => {
          count++;
          const before = await rows();
          const res = await fetch(`${h.url}/api/tasks`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(value),
          });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status).toBeLessThan(500);
          const json = await res.json();
          if (res.status >= 400) {
            expectErrorShape(json);
            expect(await rows()).toBe(before);
          }
        }),
        { numRuns: RUNS },
      );
      console.log(
        `fuzz: POST /api/tasks tried ${count} cases; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
      tried['POST /api/tasks (JSON)'] = count;
    },
  );

  it('raw bodies and content types: never a 5xx, and the error shape', { timeout: 120_000 }, async () => {
    let count = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
        async (raw, type) => {
          count++;
          const before = await rows();
          const res = await fetch(`${h.url}/api/tasks`, {
            method: 'POST',
            headers: type ? { 'content-type': type } : {},
            body: raw,
          });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            expectErrorShape(await res.json());
            expect(await rows()).toBe(before);
          }
        },
      ),
      { numRuns: RUNS },
    );
    console.log(`fuzz: raw POST /api/tasks tried ${count} cases`);
    tried['POST /api/tasks (raw bodies)'] = count;
  });

  it(
    'the dashboard form: a 303 to the task, or the form again with the reason; never a 5xx; nothing written on refusal',
    { timeout: 120_000 },
    async () => {
      let count = 0;
      await fc.assert(
        fc.asyncProperty(
          awkwardText,
          fc.oneof(fc.constantFrom(...MODES), fc.string({ maxLength: 12 })),
          async (query, m) => {
            count++;
            const before = await rows();
            const res = await fetch(`${h.url}/`, {
              method: 'POST',
              body: new URLSearchParams({ query, mode: m }),
              redirect: 'manual',
            });
            expect([303, 400]).toContain(res.status);
            const text = await res.text();
            if (res.status === 400) {
              expect(text).toContain('role="alert"');
              expect(await rows()).toBe(before);
            }
          },
        ),
        { numRuns: RUNS },
      );
      console.log(`fuzz: POST / (form) tried ${count} cases`);
      tried['POST / (form)'] = count;
    },
  );
});
