/** The running API, held to the OpenAPI description it serves: every answer's status is documented and its body matches. */
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { asMessage, createEvent, taskRow } from '@chorus/cdc-events/fixtures';
import { useHarness } from './support/harness.ts';

const h = useHarness();
type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: { 'application/json': { schema: unknown } } }> }>
  >;
};
let doc: Doc;
const ajv = new Ajv2020({ strict: false, allErrors: true });

beforeAll(async () => {
  const res = await fetch(`${h.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Doc;
  ajv.addSchema({ $id: 'api', components: (doc as unknown as { components: unknown }).components });
});

/** Calls the API and checks the answer against the document: documented status, matching body. */
async function call(method: string, template: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${h.url}/api${path}`, { method: method.toUpperCase(), ...init });
  const body = (await res.json()) as unknown;
  const documented = doc.paths[template]?.[method]?.responses[String(res.status)];
  expect(
    documented,
    `${method.toUpperCase()} ${path} answered ${res.status}, which the document does not list`,
  ).toBeDefined();
  const schema = documented!.content?.['application/json'].schema as { $ref: string };
  const validate = ajv.compile({ $ref: `api${schema.$ref}` });
  expect(validate(body), `${method.toUpperCase()} ${path} ${res.status}: ${JSON.stringify(validate.errors)}`).toBe(
    true,
  );
  return { status: res.status, body: body as Record<string, unknown> };
}
const json = (value: unknown): RequestInit => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

describe('the API matches /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document whose schemas come from the zod ones', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/stats', '/tasks', '/tasks/{hash}', '/tasks/{hash}/cancel']);
  });

  it('every operation, its successes and its refusals', async () => {
    const created = await call('post', '/tasks', '/tasks', {
      method: 'POST',
      ...json({ query: 'openapi task', mode: 'think' }),
    });
    expect(created.status).toBe(201);
    expect(
      (await call('post', '/tasks', '/tasks', { method: 'POST', ...json({ query: 'openapi task', mode: 'think' }) }))
        .status,
    ).toBe(200);
    expect(
      (await call('post', '/tasks', '/tasks', { method: 'POST', ...json({ query: '', mode: 'slow' }) })).status,
    ).toBe(400);
    expect(
      (await call('post', '/tasks', '/tasks', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }))
        .status,
    ).toBe(415);

    const hash = String(created.body.hash);
    expect((await call('get', '/tasks/{hash}', `/tasks/${hash}`)).status).toBe(202);
    await h.projector.project([
      {
        value: asMessage(createEvent(taskRow({ query: 'openapi task', mode: 'think' }), 10)),
        offset: '1',
        partition: 0,
      },
    ]);
    expect((await call('get', '/tasks/{hash}', `/tasks/${hash}`)).status).toBe(200);
    expect((await call('get', '/tasks/{hash}', '/tasks/nope')).status).toBe(400);
    expect((await call('get', '/tasks/{hash}', `/tasks/${'f'.repeat(32)}`)).status).toBe(404);

    expect((await call('get', '/tasks', '/tasks')).status).toBe(200);
    expect((await call('get', '/tasks', '/tasks?status=NOPE')).status).toBe(400);
    expect((await call('get', '/stats', '/stats')).status).toBe(200);

    expect((await call('post', '/tasks/{hash}/cancel', `/tasks/${hash}/cancel`, { method: 'POST' })).status).toBe(202);
    expect((await call('post', '/tasks/{hash}/cancel', `/tasks/${hash}/cancel`, { method: 'POST' })).status).toBe(409);
    expect((await call('delete', '/tasks/{hash}', `/tasks/${hash}`)).status).toBe(202);
    expect((await call('delete', '/tasks/{hash}', `/tasks/${hash}`)).status).toBe(404);
  });
});
