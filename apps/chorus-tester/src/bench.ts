/**
 * `make bench`'s driver inside the environment: writes tasks at a fixed offered rate, then reads when each
 * one reached the read model. Three ways to write, by `mode`:
 *   batch    one INSERT of all the rows due (up to 2,000), 4 in flight: the load a bulk import makes;
 *   single   one autocommit INSERT a row over `connections` connections: the web app's own pattern;
 *   api      one POST /api/tasks a row to the web app, `connections` in flight: the path users take.
 * In single and api, a row's latency counts from when it was due, not when a connection was free, so
 * that a driver falling behind shows as latency rather than hiding it. The processor stamps `projectedAt` on a
 * task as it writes it to Redis, so the driver need not poll Redis while it writes: polling would
 * compete with the pipeline it measures. Latency = projectedAt − the moment the INSERT was sent (one
 * host, one clock).
 */
import http from 'node:http';
import https from 'node:https';
import type pg from 'pg';
import { summarize } from '@chorus/latency';
import type { BenchStep, WriteMode } from '@chorus/load-reports';
import { type Arrival, ReadModel } from '@chorus/read-model';
import { taskHash } from '@chorus/tasks';
import { sleep } from '@chorus/wait';

const TICK_MS = 5;
const MAX_BATCH = 2000;
/** INSERTs in flight at once: the pool's size. */
const IN_FLIGHT = 4;
/**
 * How long the driver's own connections may take to open. Longer than the web app's 503 deadline on purpose:
 * the driver measures how long a row takes, so a slow connection must show as a slow row (latency counts from
 * when the row was due), never as a refused write; the API steps measure the web app's own deadline.
 */
export const CONNECT_TIMEOUT_MS = 15_000;
/** How long a step waits, once writing stops, for its last rows to arrive. */
const DRAIN_MS = 60_000;
/** The last third's median may exceed the first third's by this much before lag counts as growing. */
const GROWTH_MS = 250;
/**
 * A rate is kept up with when, besides the lag not growing, its median stays within this much of the
 * same setup's median at the lowest rate: a standing backlog means the pipeline is at its limit.
 */
const BACKLOG_MS = 500;

interface Sent {
  hashes: string[];
  at: number;
}

async function insertBatch(pool: pg.Pool, queries: string[]): Promise<string[]> {
  const hashes = queries.map((query) => taskHash({ mode: 'flash', query }));
  await pool.query(
    `INSERT INTO task_queue (query_hash, user_query)
     SELECT h, jsonb_build_object('mode', 'flash', 'query', q) FROM unnest($1::text[], $2::text[]) AS t(h, q)`,
    [hashes, queries],
  );
  return hashes;
}

/** One row, one autocommit INSERT: what the web app's submit does. */
async function insertOne(pool: pg.Pool, query: string): Promise<string> {
  const hash = taskHash({ mode: 'flash', query });
  await pool.query(
    `INSERT INTO task_queue (query_hash, user_query) VALUES ($1, jsonb_build_object('mode', 'flash', 'query', $2::text))`,
    [hash, query],
  );
  return hash;
}

/**
 * One task through the web app's API, as a signed-in operator would submit it, over kept-alive
 * connections. node:http rather than fetch: fetch cost the driver about 0.5 ms of CPU a request, a quarter of
 * a core at 500 a second, taken from the machine it measures.
 */
function postTask(web: { url: string; cookie: string; agent: http.Agent }, query: string): Promise<string> {
  const body = JSON.stringify({ query, mode: 'flash' });
  return new Promise((resolve, reject) => {
    // prod's proxy, as the test environment reaches it, speaks HTTPS (its CA trusted by NODE_EXTRA_CA_CERTS).
    const req = (web.url.startsWith('https:') ? https : http).request(
      `${web.url}/api/tasks`,
      {
        method: 'POST',
        agent: web.agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), cookie: web.cookie },
      },
      (res) => {
        res.resume();
        res.on('error', reject);
        res.on('end', () =>
          res.statusCode === 201
            ? resolve(taskHash({ mode: 'flash', query }))
            : reject(new Error(`POST /api/tasks answered ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The arrival times of the hashes in the read model, polling until all are there or the drain ends. */
async function arrivals(model: ReadModel, hashes: string[]): Promise<Map<string, Arrival>> {
  const arrived = new Map<string, Arrival>();
  let pending = hashes;
  const deadline = Date.now() + DRAIN_MS;
  while (pending.length > 0 && Date.now() < deadline) {
    for (const [hash, arrival] of await model.arrivals(pending)) arrived.set(hash, arrival);
    pending = pending.filter((hash) => !arrived.has(hash));
    if (pending.length > 0) await sleep(100);
  }
  return arrived;
}

/** One step: `rate` rows a second for `seconds`, then the drain. `label` keeps each step's rows apart. */
export interface StepOptions {
  rate: number;
  seconds: number;
  label: string;
  /** The median at the lowest rate, once measured. */
  floorP50?: number;
  mode?: WriteMode;
  /** Writes in flight at once in single and api modes (the pool's size in single). */
  connections?: number;
  /** The web app and the session cookie to post with, in api mode. */
  web?: { url: string; cookie: string };
}

export async function step(
  pool: pg.Pool,
  model: ReadModel,
  { rate, seconds, label, floorP50, mode = 'batch', connections = 8, web }: StepOptions,
): Promise<Omit<BenchStep, 'phase'>> {
  const perWrite = mode === 'batch' ? MAX_BATCH : 1;
  const cap = mode === 'batch' ? IN_FLIGHT : connections;
  const Agent = web?.url.startsWith('https:') ? https.Agent : http.Agent;
  const poster = web && { ...web, agent: new Agent({ keepAlive: true, maxSockets: connections }) };
  const write = (queries: string[]): Promise<string[]> =>
    mode === 'api'
      ? postTask(poster!, queries[0]!).then((hash) => [hash])
      : mode === 'single'
        ? insertOne(pool, queries[0]!).then((hash) => [hash])
        : insertBatch(pool, queries);
  const sent: Sent[] = [];
  let queued = 0;
  let failed = 0;
  let refusal: string | undefined;
  let inFlight = 0;
  const writes: Promise<void>[] = [];
  const started = Date.now();
  const end = started + seconds * 1000;
  while (Date.now() < end) {
    const due = Math.floor(((Date.now() - started) / 1000) * rate) - queued;
    if (due > 0 && inFlight < cap) {
      const count = Math.min(due, perWrite);
      const queries = Array.from({ length: count }, (_, i) => `bench ${label} ${queued + i}`);
      // A batch counts from when it was sent; a single row from when it was due (see above).
      const at = mode === 'batch' ? Date.now() : started + (queued * 1000) / rate;
      queued += count;
      inFlight++;
      writes.push(
        write(queries)
          .then(
            (hashes) => void sent.push({ hashes, at }),
            (error: Error) => {
              failed += count;
              refusal ??= error.message;
            },
          )
          .finally(() => void inFlight--),
      );
    } else {
      await sleep(TICK_MS);
    }
  }
  await Promise.all(writes);
  poster?.agent.destroy();
  if (refusal)
    process.stderr.write(
      `  ${failed} ${mode === 'api' ? 'POSTs' : 'INSERTs'} refused; the first because: ${refusal}\n`,
    );
  const writeSeconds = (Date.now() - started) / 1000;
  sent.sort((a, b) => a.at - b.at);
  const all = sent.flatMap((s) => s.hashes);
  const arrived = await arrivals(model, all);
  const rows = sent.flatMap((s) => s.hashes.flatMap((h) => (arrived.has(h) ? [{ at: s.at, ...arrived.get(h)! }] : [])));
  const latencies = rows.map((r) => Math.max(0, r.projectedAt - r.at));
  // Where the time went, stage by stage (one host, one clock; a stage can read a millisecond below 0).
  const stages = {
    commit: summarize(rows.map((r) => r.savedAt - r.at)),
    toKafka: summarize(rows.map((r) => r.publishedAt - r.savedAt)),
    toRedis: summarize(rows.map((r) => r.projectedAt - r.publishedAt)),
  };
  const third = Math.floor(latencies.length / 3);
  const firstThirdP50 = summarize(latencies.slice(0, third))?.p50 ?? null;
  const lastThirdP50 = summarize(latencies.slice(latencies.length - third))?.p50 ?? null;
  const latency = summarize(latencies);
  const longest = latencies.reduce((best, l, i) => (l > latencies[best]! ? i : best), 0);
  const achieved = all.length / writeSeconds;
  const missing = all.length - arrived.size;
  const growing = firstThirdP50 !== null && lastThirdP50 !== null && lastThirdP50 > firstThirdP50 + GROWTH_MS;
  return {
    mode,
    offered: rate,
    achieved: Math.round(achieved),
    rows: all.length,
    missing,
    failed,
    refusal,
    latency,
    longestAt: rows.length > 0 ? Math.round((rows[longest]!.at - started) / 100) / 10 : null,
    stages,
    firstThirdP50,
    lastThirdP50,
    sustained:
      missing === 0 &&
      failed === 0 &&
      achieved >= rate * 0.95 &&
      !growing &&
      (latency?.p50 ?? Infinity) <= (floorP50 ?? latency?.p50 ?? 0) + BACKLOG_MS,
  };
}
