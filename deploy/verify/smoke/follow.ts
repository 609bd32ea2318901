/**
 * Inserts a row into a table Debezium captures and waits for its change event on Kafka.
 * Runs inside the smoke network; prints how long each step took and exits non-zero on any mismatch.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';

const env = (name: string, fallback?: string) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const topic = `${env('TOPIC_PREFIX')}.public.task_queue`;
const timeoutMs = Number(env('SMOKE_TIMEOUT_MS', '60000'));
const started = Date.now();
const lap = (() => {
  let last = started;
  return (what: string) => {
    const now = Date.now();
    console.log(`smoke: ${what} in ${now - last} ms`);
    last = now;
  };
})();

async function main() {
  const kafka = new Kafka({ clientId: 'substrate-smoke', brokers: [env('KAFKA_BROKERS')], logLevel: logLevel.NOTHING });
  const hash = randomUUID().replace(/-/g, '');
  const query = { mode: 'flash', query: `smoke ${new Date().toISOString()}` };

  const db = new pg.Client({
    host: env('POSTGRES_HOST'),
    user: env('POSTGRES_USER'),
    password: env('POSTGRES_PASSWORD'),
    database: env('POSTGRES_DB'),
  });
  await db.connect();
  await db.query('INSERT INTO task_queue (query_hash, user_query, status) VALUES ($1, $2, $3)', [
    hash,
    query,
    'PENDING_ANALYSIS',
  ]);
  await db.end();
  const inserted = Date.now();
  lap('row inserted');

  // Debezium creates the topic with its first event; a consumer cannot subscribe before that.
  const admin = kafka.admin();
  await admin.connect();
  while (!(await admin.listTopics()).includes(topic)) {
    if (Date.now() - inserted > timeoutMs) throw new Error(`topic ${topic} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await admin.disconnect();
  lap(`topic ${topic} exists`);

  const consumer = kafka.consumer({ groupId: `substrate-smoke-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no change event for ${hash} on ${topic} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    void consumer.run({
      eachMessage: async ({ message }) => {
        if (!message.value) return;
        const event = JSON.parse(message.value.toString()) as Record<string, unknown>;
        const envelope = (event.payload ?? event) as { after?: { query_hash?: string } };
        if (envelope.after?.query_hash === hash) {
          clearTimeout(timer);
          resolve(envelope as Record<string, unknown>);
        }
      },
    });
  });

  const event = (await received) as { op?: string; after?: Record<string, unknown> };
  console.log(`smoke: change event received ${Date.now() - inserted} ms after the insert`);
  await consumer.disconnect();

  const after = event.after ?? {};
  const userQuery = typeof after.user_query === 'string' ? JSON.parse(after.user_query) : after.user_query;
  const problems = [
    event.op === 'c' ? null : `op is ${JSON.stringify(event.op)}, expected "c"`,
    after.status === 'PENDING_ANALYSIS' ? null : `status is ${JSON.stringify(after.status)}`,
    JSON.stringify(userQuery) === JSON.stringify(query) ? null : `user_query is ${JSON.stringify(after.user_query)}`,
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`change event does not match the insert: ${problems.join('; ')}`);
  console.log(`smoke: op=c event carries the inserted values (${hash}); total ${Date.now() - started} ms`);
}

main().catch((error: unknown) => {
  console.error(`smoke: FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
