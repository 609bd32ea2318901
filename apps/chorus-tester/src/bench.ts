/**
 * `make bench`'s driver inside the environment: writes tasks at a fixed offered rate through a batched
 * INSERT, then reads when each one reached the read model. The processor stamps `projectedAt` on a
 * task as it writes it to Redis, so the driver need not poll Redis while it writes: polling would
 * compete with the pipeline it measures. Latency = projectedAt − the moment the INSERT was sent (one
 * host, one clock).
 */
import type pg from 'pg';
import { summarize } from '@chorus/latency';
import type { BenchStep } from '@chorus/load-reports';
import { type Arrival, ReadModel } from '@chorus/read-model';
import { taskHash } from '@chorus/tasks';
import { sleep } from '@chorus/wait';

const TICK_MS = 5;
const MAX_BATCH = 2000;
/** INSERTs in flight at once: the pool's size. */
const IN_FLIGHT = 4;
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
export async function step(
  pool: pg.Pool,
  model: ReadModel,
  { rate, seconds, label, floorP50 }: { rate: number; seconds: number; label: string; /** The median at the lowest rate, once measured. */ floorP50?: number },
): Promise<Omit<BenchStep, 'phase'>> {
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
    if (due > 0 && inFlight < IN_FLIGHT) {
      const count = Math.min(due, MAX_BATCH);
      const queries = Array.from({ length: count }, (_, i) => `bench ${label} ${queued + i}`);
      queued += count;
      inFlight++;
      const at = Date.now();
      writes.push(
        insertBatch(pool, queries).then(
          (hashes) => void sent.push({ hashes, at }),
          (error: Error) => {
            failed += count;
            refusal ??= error.message;
          },
        ).finally(() => void inFlight--),
      );
    } else {
      await sleep(TICK_MS);
    }
  }
  await Promise.all(writes);
  if (refusal) process.stderr.write(`  ${failed} INSERTs refused; the first because: ${refusal}\n`);
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
  const achieved = all.length / writeSeconds;
  const missing = all.length - arrived.size;
  const growing = firstThirdP50 !== null && lastThirdP50 !== null && lastThirdP50 > firstThirdP50 + GROWTH_MS;
  return {
    offered: rate,
    achieved: Math.round(achieved),
    rows: all.length,
    missing,
    failed,
    latency,
    stages,
    firstThirdP50,
    lastThirdP50,
    sustained: missing === 0 && failed === 0 && achieved >= rate * 0.95 && !growing && (latency?.p50 ?? Infinity) <= (floorP50 ?? latency?.p50 ?? 0) + BACKLOG_MS,
  };
}
