/**
 * The env CLI's driver of a web app, run inside its chorus-web container (`node -`, this bundle on stdin,
 * the request as the last argument): no host port is needed, and every release's image has Node. It prints
 * the reply as one JSON line, or the reason on stderr and exits 1. Where the project has a proxy, it goes
 * through it over HTTPS (CHORUS_BASE), trusting only the CA it is given (CHORUS_CA), as prod's users do.
 */
import tls from 'node:tls';
import type { ReplyOf } from './replies.ts';
import { type DriverRequest, type Op, type RequestOf, UNAUTHENTICATED } from './requests.ts';

const BASE = process.env.CHORUS_BASE || 'http://127.0.0.1:3000';
const token = process.env.CHORUS_TOKEN;
// Node 24.5 and later (every release with a proxy runs 24); the type definitions here predate it.
const nodeTls = tls as typeof tls & { setDefaultCACertificates(certs: string[]): void };
if (process.env.CHORUS_CA) nodeTls.setDefaultCACertificates([process.env.CHORUS_CA]);

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = {
    ...(init.headers as Record<string, string>),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const r = await fetch(BASE + path, { redirect: 'manual', ...init, headers });
  if (r.status === 401) throw new Error(UNAUTHENTICATED);
  return r;
}

const form = (path: string, fields: Record<string, string>) =>
  call(path, { method: 'POST', body: new URLSearchParams(fields) });
const json = (path: string, body: unknown, init: RequestInit = {}) =>
  call(path, { ...init, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function expectStatus(r: Response | Promise<Response>, status: number, what: string): Promise<Response> {
  const answered = await r;
  if (answered.status !== status) throw new Error(`${what} answered ${answered.status}`);
  return answered;
}

async function pageAction(hash: string, action: 'cancel' | 'delete'): Promise<void> {
  const path = `/query/${hash}/${action}`;
  const r = await expectStatus(form(path, {}), 303, `POST ${path}`);
  // A page answers an unauthenticated form with a 303 too: to the sign-in page.
  if (r.headers.get('location')?.startsWith('/login')) throw new Error(UNAUTHENTICATED);
}

const OPS: { [K in Op]: (request: RequestOf<K>) => Promise<ReplyOf<K>> } = {
  'write-tasks': async ({ count, label }) => {
    const hashes: string[] = [];
    for (let i = 0; i < count; i++) {
      const r = await expectStatus(form('/', { query: `${label} ${i}`, mode: 'flash' }), 303, 'POST /');
      hashes.push(r.headers.get('location')!.split('/').pop()!);
    }
    await pageAction(hashes[0]!, 'cancel');
    await pageAction(hashes[1]!, 'delete');
    return { hashes, cancelled: hashes[0]!, deleted: hashes[1]! };
  },
  'read-tasks': async ({ hashes }) => {
    const statuses: Record<string, string | number> = {};
    // A few at a time: thousands of tasks (an upgrade's writer) read back in seconds, not minutes.
    const queue = [...hashes];
    const reader = async () => {
      for (let hash = queue.shift(); hash !== undefined; hash = queue.shift()) {
        const r = await call(`/api/tasks/${hash}`);
        statuses[hash] = r.status === 200 ? ((await r.json()) as { status: string }).status : r.status;
      }
    };
    await Promise.all(Array.from({ length: 8 }, reader));
    return { statuses };
  },
  'submit-task': async ({ query }) => {
    const r = await expectStatus(json('/api/tasks', { query, mode: 'flash' }), 201, 'POST /api/tasks');
    return { hash: ((await r.json()) as { hash: string }).hash };
  },
  'try-submit': async ({ query }) => ({ status: (await json('/api/tasks', { query, mode: 'flash' })).status }),
  'probe-writes': async () => ({ status: (await json('/api/tasks', {})).status }),
  stats: async () => {
    const r = await expectStatus(call('/api/stats'), 200, 'GET /api/stats');
    return { total: ((await r.json()) as { total: number }).total };
  },
  'change-tasks': async (change) => {
    for (const hash of change.cancel) await pageAction(hash, 'cancel');
    for (const hash of change.delete) await pageAction(hash, 'delete');
    return { ok: true };
  },
  'read-and-write': async ({ hash }) => {
    const signal = () => AbortSignal.timeout(10_000);
    const page = await call('/', { signal: signal() });
    const body = await page.text();
    const task = await call(`/query/${hash}`, { signal: signal() });
    const started = Date.now();
    const r = await json(
      '/api/tasks',
      { query: 'written while the write store is away', mode: 'flash' },
      { signal: signal() },
    );
    return {
      dashboard: page.status,
      writesUnavailable: body.includes('data-writes="unavailable"'),
      task: task.status,
      submit: r.status,
      submitMs: Date.now() - started,
    };
  },
};

async function main(): Promise<void> {
  // The env CLI built this request from the same types.
  const request = JSON.parse(process.argv.at(-1)!) as DriverRequest;
  const run = OPS[request.op] as (r: DriverRequest) => Promise<unknown>;
  process.stdout.write(`${JSON.stringify(await run(request))}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
