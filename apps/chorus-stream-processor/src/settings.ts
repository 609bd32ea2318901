import { z } from 'zod';
import { cdcNameOverrides, cdcNames } from '@chorus/cdc-names';
import {
  type ChangeTopicLayout,
  type ConsumerTuning,
  cdcNamesEnv,
  cdcProfileEnv,
  cdcTuning,
  changeTopicEnv,
  changeTopicLayout,
  defaults,
  env,
  loadConfig,
  logEnv,
  redisEnv,
} from '@chorus/config';

export const schema = z.object({
  CHORUS_ENV: env.identifier(),
  KAFKA_BROKERS: env
    .list()
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'use host:port')).min(1))
    .default([...defaults.kafkaBrokers]),
  ...cdcNamesEnv,
  ...redisEnv,
  HEALTH_PORT: env.port().default(defaults.healthPort),
  STALL_SECONDS: env.positiveInt().default(defaults.stallSeconds),
  ...cdcProfileEnv,
  ...changeTopicEnv,
  ...logEnv,
});

export interface Settings {
  brokers: string[];
  topic: string;
  deadLetterTopic: string;
  groupId: string;
  redisUrl: string;
  healthPort: number;
  /** Lag that has not moved for this long is a stall: health says so. */
  stallMs: number;
  /** The consumer's latency settings, from CDC_PROFILE (libs/config/src/cdc-profile.ts). */
  tuning: ConsumerTuning;
  /** The change topic's partitions and copies, as Debezium is told to create it. */
  layout: ChangeTopicLayout;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
}

export function loadSettings(source: Record<string, string | undefined> = process.env): Settings {
  const c = loadConfig(schema, source);
  const names = cdcNames(c.CHORUS_ENV, cdcNameOverrides(c));
  return {
    brokers: c.KAFKA_BROKERS,
    topic: names.taskTopic,
    deadLetterTopic: names.deadLetterTopic,
    groupId: names.consumerGroup,
    redisUrl: c.REDIS_URL,
    healthPort: c.HEALTH_PORT,
    stallMs: c.STALL_SECONDS * 1000,
    tuning: cdcTuning(c.CDC_PROFILE).consumer,
    layout: changeTopicLayout(c),
    logLevel: c.LOG_LEVEL,
  };
}
