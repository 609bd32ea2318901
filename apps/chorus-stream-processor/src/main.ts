import { ConfigError } from '@chorus/config';
import { createLogger } from '@chorus/logger';
import { ReadModel, Redis } from '@chorus/read-model';
import { ChangeConsumer } from './consumer.ts';
import { healthServer } from './health.ts';
import { Projector } from '@chorus/cdc-events';
import { loadSettings } from './settings.ts';

async function main() {
  let settings;
  try {
    settings = loadSettings();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`chorus-stream-processor: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger({ name: 'chorus-stream-processor', level: settings.logLevel });
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', (error: Error) => log.warn({ err: error.message }, 'redis connection error'));
  const projector = new Projector(new ReadModel(redis), log);
  const consumer = new ChangeConsumer(settings, projector, log);
  const server = await healthServer(consumer, projector).listen(settings.healthPort);
  log.info({ topic: settings.topic, group: settings.groupId, health: settings.healthPort }, 'starting');

  const shutdown = async (signal: string) => {
    log.info(`${signal}: stopping`);
    server.close();
    await consumer.stop();
    redis.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await consumer.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`chorus-stream-processor: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
