import { env, loadConfig, z } from '@chorus/config';

export const schema = z.object({
  CHORUS_ENV: env.identifier(),
  KAFKA_BROKERS: env.list().pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'use host:port')).min(1)).default(['kafka:9092']),
  TOPIC_PREFIX: env.identifier().optional(),
  CONSUMER_GROUP: z.string().optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'use redis://host:port').default('redis://redis:6379'),
  HEALTH_PORT: env.port().default(8080),
  LOG_LEVEL: env.logLevel().default('info'),
});

export interface Settings {
  brokers: string[];
  topic: string;
  groupId: string;
  redisUrl: string;
  healthPort: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
}

export function loadSettings(source: Record<string, string | undefined> = process.env): Settings {
  const c = loadConfig(schema, source);
  return {
    brokers: c.KAFKA_BROKERS,
    // The same default as setup-connector's topic.prefix for this environment.
    topic: `${c.TOPIC_PREFIX ?? `chorus_${c.CHORUS_ENV}`}.public.task_queue`,
    groupId: c.CONSUMER_GROUP ?? `chorus-${c.CHORUS_ENV}-stream-processor`,
    redisUrl: c.REDIS_URL,
    healthPort: c.HEALTH_PORT,
    logLevel: c.LOG_LEVEL,
  };
}
