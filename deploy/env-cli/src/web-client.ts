/**
 * A project's web app driven from inside its own container (no host port needed), by the typed driver in
 * web-driver/ (its requests in web-driver/requests.ts, its replies in replies.ts), with an operator API token where the
 * release has sign-in. Each call runs the driver's bundle with `node -` in the chorus-web container; where the
 * project runs a proxy, the driver goes through it over HTTPS, verifying prod's own CA.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OperatorError } from '@chorus/errors';
import { REPLIES, type ReadAndWrite, type ReplyOf, type Written } from '../web-driver/replies.ts';
import { type DriverRequest, type Op, type RequestOf, UNAUTHENTICATED } from '../web-driver/requests.ts';
import { CA_ROOT_IN_PROXY } from './certificates.ts';
import { PROXY_SERVICE } from './compose-file.ts';
import { projectContainers } from './compose.ts';
import type { Context } from './context.ts';

export type { ReadAndWrite, Written };

/** The driver's bundle, built beside the env CLI's (npx nx run env-cli:build). */
const DRIVER = 'deploy/env-cli/dist/web-driver.cjs';
let driver: string | undefined;
function driverSource(root: string): string {
  const file = join(root, DRIVER);
  if (!existsSync(file))
    throw new OperatorError(`${DRIVER} is missing: build it with \`npx nx run env-cli:build\` (make builds it first)`);
  return (driver ??= readFileSync(file, 'utf8'));
}

/** The API tokens made in each project ('' for a release without sign-in), by project and name, once per process. */
const tokens = new Map<string, string>();

/**
 * An operator token of that name (env-cli's own by default), made anew (replacing the last one of that name) in
 * the project's web container. A release from before accounts has no such command: it needs no token. A
 * program that writes beside the env CLI (the upgrade check's writer) takes a name of its own, so that the CLI
 * replacing its token never revokes the program's.
 */
export async function webToken(
  ctx: Context,
  project: string,
  { fresh = false, name = 'env-cli' } = {},
): Promise<string> {
  const key = `${project}/${name}`;
  const known = tokens.get(key);
  if (known !== undefined && !fresh) return known;
  const made = await ctx.compose.execResult(project, 'chorus-web', [
    'node',
    '/app/main.cjs',
    'token-add',
    name,
    '--role',
    'operator',
    '--replace',
  ]);
  if (made.code !== 0 && !/unknown (command|option)/i.test(made.err))
    throw new OperatorError(
      `making an API token in ${project}'s web app failed: ${made.err.split('\n').slice(-2).join(' ') || `exit ${made.code}`}`,
    );
  const token = made.code === 0 ? made.out.split('\n').at(-1)!.trim() : '';
  tokens.set(key, token);
  return token;
}

/**
 * How the driver reaches the web app: through the project's proxy (https://proxy, trusting only the proxy's CA)
 * when one runs, else directly (dev; a release from before the proxy).
 */
async function route(ctx: Context, project: string): Promise<Record<string, string>> {
  if (!projectContainers(project, PROXY_SERVICE).some((c) => c.running)) return {};
  // Read once per project: the CA outlives every release and restore (it is in the proxy's volume).
  let ca = proxyCas.get(project);
  if (ca === undefined) {
    const read = await ctx.compose.execResult(project, PROXY_SERVICE, ['cat', CA_ROOT_IN_PROXY]);
    if (read.code !== 0)
      throw new OperatorError(
        `${project}'s proxy holds no CA certificate (${read.err.split('\n').at(-1) || `exit ${read.code}`}): its proxy-certs one-shot makes it; see its logs`,
      );
    proxyCas.set(project, (ca = read.out));
  }
  return { CHORUS_BASE: `https://${PROXY_SERVICE}`, CHORUS_CA: ca };
}

/** Each project's proxy CA, as route read it. */
const proxyCas = new Map<string, string>();

/**
 * Sends one request to the driver in the project's chorus-web; resolves to its reply, parsed. A 401 (a
 * restore brought back a database without the env CLI's token) makes a new token, once.
 */
async function drive<K extends Op>(
  ctx: Context,
  project: string,
  request: RequestOf<K>,
  { anonymous = false } = {},
): Promise<ReplyOf<K>> {
  const input = driverSource(ctx.root);
  const via = await route(ctx, project);
  const run = async (token: string) =>
    ctx.compose.execWithInput(project, 'chorus-web', ['node', '-', JSON.stringify(request satisfies DriverRequest)], {
      env: { CHORUS_TOKEN: token, ...via },
      input,
    });
  // `anonymous`: without a token first (dev, with sign-in off, has no token command), then the token already
  // made; a 401 to that makes a new one (a restore brought back a database without it).
  const refused = (r: { code: number; err: string }) => r.code !== 0 && r.err.includes(UNAUTHENTICATED);
  let result = await run(anonymous ? '' : await webToken(ctx, project));
  if (anonymous && refused(result)) result = await run(await webToken(ctx, project));
  if (refused(result)) result = await run(await webToken(ctx, project, { fresh: true }));
  if (result.code !== 0)
    throw new OperatorError(
      `driving ${project}'s web app (${request.op}) failed: ${result.err.split('\n').slice(-2).join(' ') || `exit ${result.code}`}`,
    );
  return REPLIES[request.op].parse(JSON.parse(result.out.split('\n').at(-1)!)) as ReplyOf<K>;
}

/** Submits `count` tasks through the form, then cancels the first and deletes the second through their pages' forms. */
export const writeTasks = (ctx: Context, project: string, count: number, label: string): Promise<Written> =>
  drive(ctx, project, { op: 'write-tasks', count, label });

/** Hashes per driver run: the request travels as one argument, which Linux caps at 128 KiB. */
const READ_BATCH = 1000;

/** Each task as the API shows it: its status, or the HTTP status when it has none (404: gone; 202: not yet projected). */
export async function readTasks(ctx: Context, project: string, hashes: string[]) {
  const statuses: Record<string, string | number> = {};
  for (let i = 0; i < hashes.length; i += READ_BATCH)
    Object.assign(
      statuses,
      (await drive(ctx, project, { op: 'read-tasks', hashes: hashes.slice(i, i + READ_BATCH) })).statuses,
    );
  return statuses;
}

/** Submits one task through the API; resolves to its hash. */
export const submitTask = async (ctx: Context, project: string, query: string): Promise<string> =>
  (await drive(ctx, project, { op: 'submit-task', query })).hash;

/** The read model's task count, as the API's /api/stats reports it. */
export const readStats = (ctx: Context, project: string): Promise<{ total: number }> =>
  drive(ctx, project, { op: 'stats' });

/** Cancels and deletes tasks through their pages' forms. */
export async function changeTasks(
  ctx: Context,
  project: string,
  change: { cancel: string[]; delete: string[] },
): Promise<void> {
  await drive(ctx, project, { op: 'change-tasks', ...change });
}

/** What a reader and a writer get now: the dashboard (and whether it says writes are unavailable), a task's page, and a submit, timed. */
export const readAndWrite = (ctx: Context, project: string, hash: string): Promise<ReadAndWrite> =>
  drive(ctx, project, { op: 'read-and-write', hash });

/** Whether the web app honours a write pause now: an invalid write answered 503 (else 400, or 404 before the API). */
export const writesRefused = async (ctx: Context, project: string): Promise<boolean> =>
  (await drive(ctx, project, { op: 'probe-writes' }, { anonymous: true })).status === 503;

/** Submits one task through the API while writes may be paused; resolves to the HTTP status. */
export const trySubmit = async (ctx: Context, project: string, query: string): Promise<number> =>
  (await drive(ctx, project, { op: 'try-submit', query })).status;
