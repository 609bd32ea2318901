/**
 * Projects synthetic Debezium envelopes into a real Redis, without Kafka, and prints events/s and batch
 * latency percentiles. Baseline in the same run: the same events applied one per round trip.
 * Run: npx nx run chorus-stream-processor:bench   (BENCH_EVENTS, BENCH_BATCH to change the load)
 */
import { PassThrough } from 'node:stream';
import { asMessage, createEvent, taskRow, updateEvent } from '@chorus/cdc-events/fixtures';
import { createLogger } from '@chorus/logger';
import { Redis } from 'ioredis';
import { ReadModel } from '@chorus/read-model';
import { startRedis } from '@chorus/testing';
import { type Message, Projector } from '@chorus/cdc-events';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const BASELINE_EVENTS = Math.min(EVENTS, 10_000);

function syntheticMessages(n: number): Message[] {
  const out: Message[] = [];
  for (let i = 0; i < n; i++) {
    const row = taskRow({ query: `benchmark query ${i >> 1}`, mode: 'flash' });
    // Every other event updates the task the previous one created, as a cancel would.
    const event = i % 2 === 0 ? createEvent(row, i + 1) : updateEvent(row, { ...row, status: 'CANCELLED' }, i + 1);
    out.push({ value: asMessage(event), offset: String(i), partition: 0 });
  }
  return out;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function run(label: string, messages: Message[], batchSize: number, redis: Redis) {
  await redis.flushdb();
  const projector = new Projector(
    new ReadModel(redis),
    createLogger({ name: 'bench', format: 'json', destination: new PassThrough() }),
  );
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  for (let i = 0; i < messages.length; i += batchSize) {
    const t0 = process.hrtime.bigint();
    await projector.project(messages.slice(i, i + batchSize));
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const rate = messages.length / seconds;
  console.log(
    `${label.padEnd(28)} ${String(messages.length).padStart(7)} events  ${rate.toFixed(0).padStart(7)} events/s  ` +
      `batch p50 ${percentile(latencies, 50).toFixed(2)} ms  p99 ${percentile(latencies, 99).toFixed(2)} ms  (batch ${batchSize})`,
  );
  if (projector.counters.applied !== messages.length)
    throw new Error(`applied ${projector.counters.applied} of ${messages.length}`);
  return rate;
}

const server = await startRedis();
const redis = new Redis(server.bridgeUrl());
try {
  console.log(`command: npx nx run chorus-stream-processor:bench  (BENCH_EVENTS=${EVENTS} BENCH_BATCH=${BATCH})`);
  const messages = syntheticMessages(EVENTS);
  const baseline = await run('baseline: one per round trip', messages.slice(0, BASELINE_EVENTS), 1, redis);
  const batched = await run('batched (as consumed)', messages, BATCH, redis);
  console.log(`batched / baseline: ${(batched / baseline).toFixed(1)}x`);
} finally {
  redis.disconnect();
  await server.stop();
}
