import { Redis } from 'ioredis';
import { Projector } from '@chorus/cdc-events';
import { runMain } from '@chorus/errors';
import { createLogger } from '@chorus/logger';
import { ReadModel } from '@chorus/read-model';
import { ChangeConsumer } from './consumer.ts';
import { DeadLetters } from './dead-letters.ts';
import { ProcessorMetrics } from './metrics.ts';
import { healthServer } from './health.ts';
import { printHealth } from './health-probe.ts';
import { loadSettings } from './settings.ts';

async function serve(): Promise<void> {
  const settings = loadSettings();
  const log = createLogger({ name: 'chorus-stream-processor', level: settings.logLevel });
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', (error: Error) => log.warn({ err: error.message }, 'redis connection error'));
  const deadLetters = new DeadLetters(settings.brokers, settings.topic, settings.deadLetterTopic, log);
  const metrics = new ProcessorMetrics();
  const model = new ReadModel(redis);
  const projector = new Projector(model, log, deadLetters.sink, metrics.observeLatency);
  // A consumer kafkajs will not restart ends the process, so that the container's restart policy acts.
  const consumer = new ChangeConsumer({ ...settings, model }, projector, log, (error) => {
    log.fatal({ err: error.message }, 'the consumer crashed for good: exiting so that it is restarted');
    process.exit(1);
  });
  metrics.track(projector, consumer);
  const server = await healthServer(consumer, projector, redis, settings.stallMs, metrics).listen(settings.healthPort);
  log.info({ topic: settings.topic, group: settings.groupId, health: settings.healthPort }, 'starting');

  const shutdown = async (signal: string) => {
    log.info(`${signal}: stopping`);
    server.close();
    await consumer.stop();
    await deadLetters.disconnect();
    redis.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await deadLetters.connect();
  await consumer.start();
}

// `health` prints this replica's /healthz reply (the env CLI runs it in the container); anything else serves.
runMain('chorus-stream-processor', () =>
  process.argv[2] === 'health' ? printHealth(loadSettings().healthPort) : serve(),
);
