/**
 * A project's web app driven from inside its own container (no host port needed), through the routes
 * every release has had: the dashboard's form (POST /), and a task page's cancel and delete forms.
 * Reading back uses this release's JSON API. Each call is one `node -e` in the chorus-web container, with
 * an operator API token where the release has sign-in.
 */
import { z } from 'zod';
import { OperatorError } from '@chorus/errors';
import type { Context } from './context.ts';

/** The API token the env CLI uses in each project ('' for a release without sign-in), made once per process. */
const tokens = new Map<string, string>();

/**
 * An operator token named env-cli, made anew (replacing the last one) in the project's web container. A
 * release from before accounts has no such command: it needs no token.
 */
async function webToken(ctx: Context, project: string, { fresh = false } = {}): Promise<string> {
  const known = tokens.get(project);
  if (known !== undefined && !fresh) return known;
  const made = await ctx.compose.execResult(project, 'chorus-web', [
    'node',
    '/app/main.cjs',
    'token-add',
    'env-cli',
    '--role',
    'operator',
    '--replace',
  ]);
  if (made.code !== 0 && !/unknown (command|option)/i.test(made.err))
    throw new OperatorError(
      `making an API token in ${project}'s web app failed: ${made.err.split('\n').slice(-2).join(' ') || `exit ${made.code}`}`,
    );
  const token = made.code === 0 ? made.out.split('\n').at(-1)!.trim() : '';
  tokens.set(project, token);
  return token;
}

/**
 * Runs `body` (an async function of `base` and `args`) in the project's chorus-web; resolves to what it
 * printed, parsed. Its requests carry the env CLI's token; a 401 (a restore brought back a database without
 * it) makes a new one, once.
 */
async function inWeb<T>(ctx: Context, project: string, schema: z.ZodType<T>, body: string, args: unknown): Promise<T> {
  const script = `const token = process.env.CHORUS_TOKEN;
const fetch = (url, init = {}) => globalThis.fetch(url, { ...init, headers: { ...init.headers, ...(token ? { authorization: 'Bearer ' + token } : {}) } })
  .then((r) => { if (r.status === 401) throw new Error('401 unauthenticated'); return r; });
(async (base, args) => { ${body} })('http://127.0.0.1:3000', JSON.parse(process.argv[1])).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(String(e)); process.exit(1); })`;
  const run = async (token: string) =>
    ctx.compose.execResult(project, 'chorus-web', ['node', '-e', script, JSON.stringify(args)], {
      env: { CHORUS_TOKEN: token },
    });
  let result = await run(await webToken(ctx, project));
  if (result.code !== 0 && result.err.includes('401 unauthenticated'))
    result = await run(await webToken(ctx, project, { fresh: true }));
  if (result.code !== 0)
    throw new OperatorError(
      `driving ${project}'s web app failed: ${result.err.split('\n').slice(-2).join(' ') || `exit ${result.code}`}`,
    );
  return schema.parse(JSON.parse(result.out.split('\n').at(-1)!));
}

export const written = z.object({ hashes: z.array(z.string()), cancelled: z.string(), deleted: z.string() });
export type Written = z.infer<typeof written>;

/** Submits `count` tasks through the form, then cancels the first and deletes the second through their pages' forms. */
export function writeTasks(ctx: Context, project: string, count: number, label: string): Promise<Written> {
  return inWeb(
    ctx,
    project,
    written,
    `
    const post = (path, form) => fetch(base + path, { method: 'POST', redirect: 'manual', body: new URLSearchParams(form) });
    const hashes = [];
    for (let i = 0; i < args.count; i++) {
      const r = await post('/', { query: args.label + ' ' + i, mode: 'flash' });
      if (r.status !== 303) throw new Error('POST / answered ' + r.status);
      hashes.push(r.headers.get('location').split('/').pop());
    }
    for (const [hash, action] of [[hashes[0], 'cancel'], [hashes[1], 'delete']]) {
      const r = await post('/query/' + hash + '/' + action, {});
      if (r.status !== 303) throw new Error('POST /query/' + hash + '/' + action + ' answered ' + r.status);
    }
    return { hashes, cancelled: hashes[0], deleted: hashes[1] };`,
    { count, label },
  );
}

export const readBack = z.object({ statuses: z.record(z.string(), z.union([z.string(), z.number()])) });

/** Each task as the API shows it: its status, or the HTTP status when it has none (404: gone; 202: not yet projected). */
export async function readTasks(
  ctx: Context,
  project: string,
  hashes: string[],
): Promise<Record<string, string | number>> {
  const { statuses } = await inWeb(
    ctx,
    project,
    readBack,
    `
    const statuses = {};
    for (const hash of args.hashes) {
      const r = await fetch(base + '/api/tasks/' + hash);
      statuses[hash] = r.status === 200 ? (await r.json()).status : r.status;
    }
    return { statuses };`,
    { hashes },
  );
  return statuses;
}

/** Submits one task through the API; resolves to its hash. */
export async function submitTask(ctx: Context, project: string, query: string): Promise<string> {
  const { hash } = await inWeb(
    ctx,
    project,
    z.object({ hash: z.string() }),
    `
    const r = await fetch(base + '/api/tasks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: args.query, mode: 'flash' }) });
    if (r.status !== 201) throw new Error('POST /api/tasks answered ' + r.status);
    return { hash: (await r.json()).hash };`,
    { query },
  );
  return hash;
}

/** The read model's task count, as the API's /api/stats reports it. */
export function readStats(ctx: Context, project: string): Promise<{ total: number }> {
  return inWeb(
    ctx,
    project,
    z.object({ total: z.number() }),
    `
    const r = await fetch(base + '/api/stats');
    if (r.status !== 200) throw new Error('GET /api/stats answered ' + r.status);
    return { total: (await r.json()).total };`,
    {},
  );
}

/** Cancels and deletes tasks through their pages' forms. */
export async function changeTasks(
  ctx: Context,
  project: string,
  change: { cancel: string[]; delete: string[] },
): Promise<void> {
  await inWeb(
    ctx,
    project,
    z.object({ ok: z.literal(true) }),
    `
    for (const [action, hashes] of [['cancel', args.cancel], ['delete', args.delete]]) {
      for (const hash of hashes) {
        const r = await fetch(base + '/query/' + hash + '/' + action, { method: 'POST', redirect: 'manual', body: new URLSearchParams({}) });
        if (r.status !== 303) throw new Error('POST /query/' + hash + '/' + action + ' answered ' + r.status);
      }
    }
    return { ok: true };`,
    change,
  );
}

export type ReadAndWrite = z.infer<typeof withoutWrites>;
export const withoutWrites = z.object({
  dashboard: z.number(),
  writesUnavailable: z.boolean(),
  task: z.number(),
  submit: z.number(),
  submitMs: z.number(),
});

/** What a reader and a writer get now: the dashboard (and whether it says writes are unavailable), a task's page, and a submit, timed. */
export function readAndWrite(ctx: Context, project: string, hash: string): Promise<ReadAndWrite> {
  return inWeb(
    ctx,
    project,
    withoutWrites,
    `
    const page = await fetch(base + '/', { redirect: 'manual', signal: AbortSignal.timeout(10000) });
    const body = await page.text();
    const task = await fetch(base + '/query/' + args.hash, { redirect: 'manual', signal: AbortSignal.timeout(10000) });
    const started = Date.now();
    const r = await fetch(base + '/api/tasks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'written while the write store is away', mode: 'flash' }), signal: AbortSignal.timeout(10000) });
    return { dashboard: page.status, writesUnavailable: body.includes('data-writes="unavailable"'), task: task.status, submit: r.status, submitMs: Date.now() - started };`,
    { hash },
  );
}

/** Submits one task through the API while writes may be paused; resolves to the HTTP status. */
export async function trySubmit(ctx: Context, project: string, query: string): Promise<number> {
  const { status } = await inWeb(
    ctx,
    project,
    z.object({ status: z.number() }),
    `
    const r = await fetch(base + '/api/tasks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: args.query, mode: 'flash' }) });
    return { status: r.status };`,
    { query },
  );
  return status;
}
