/**
 * The running API, held to the OpenAPI description it serves: every answer's status is documented and its body
 * matches; with sign-in off, the document asks for no credentials; an undocumented method gets 405 with Allow;
 * a deletion reads as the document says.
 */
import { request } from 'node:http';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { asMessage, createEvent, deleteEvent, taskRow } from '@chorus/cdc-events/fixtures';
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

describe('the API as a client meets it, with sign-in off', () => {
  it('serves a document that asks for no credentials and lists no 401 or 403', () => {
    const raw = doc as unknown as { security?: unknown; components: { securitySchemes?: unknown } };
    expect(raw.security).toBeUndefined();
    expect(raw.components.securitySchemes).toBeUndefined();
    for (const [path, operations] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(operations))
        expect(Object.keys(op.responses), `${method} ${path}`).not.toEqual(expect.arrayContaining(['401']));
  });

  it('answers a method a path does not take 405 with Allow, and an unknown path 404', async () => {
    const patch = await fetch(`${h.url}/api/tasks`, { method: 'PATCH' });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('POST, GET, HEAD');
    expect(((await patch.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
    // fetch refuses to send TRACE, so node:http does.
    const trace = await new Promise<{ status?: number; allow?: string }>((resolve, reject) =>
      request(`${h.url}/api/tasks/${'a'.repeat(32)}`, { method: 'TRACE' }, (res) => {
        res.resume();
        resolve({ status: res.statusCode, allow: res.headers.allow });
      })
        .on('error', reject)
        .end(),
    );
    expect(trace).toEqual({ status: 405, allow: 'GET, DELETE, HEAD' });
    expect((await fetch(`${h.url}/api/nothing-here`, { method: 'PATCH' })).status).toBe(404);
  });

  it('shows a deleted task until the read model follows, then 404, as the document says', async () => {
    const input = { query: 'deleted, then read', mode: 'flash' } as const;
    const row = taskRow(input);
    const submitted = await call('post', '/tasks', '/tasks', { method: 'POST', ...json(input) });
    const hash = String(submitted.body.hash);
    await h.projector.project([{ value: asMessage(createEvent(row, 20)), offset: '2', partition: 0 }]);
    expect((await call('delete', '/tasks/{hash}', `/tasks/${hash}`)).status).toBe(202);
    expect((await call('get', '/tasks/{hash}', `/tasks/${hash}`)).status).toBe(200);
    await h.projector.project([{ value: asMessage(deleteEvent(row, 21)), offset: '3', partition: 0 }]);
    expect((await call('get', '/tasks/{hash}', `/tasks/${hash}`)).status).toBe(404);
    const described = (doc.paths['/tasks/{hash}']!.delete as unknown as { description: string }).description;
    expect(described).toMatch(/still answers 200 with the task as it was, then 404/);
  });
});
