export { loadConfig } from './load.ts';
export { env } from './fields.ts';
export { defaults } from './defaults.ts';
export { logEnv, postgresEnv, postgresSettings, type PostgresSettings, redisEnv } from './connections.ts';
export { type ChangeTopicLayout, changeTopicEnv, changeTopicLayout } from './change-topic.ts';
export {
  CDC_PROFILES,
  type CdcProfile,
  type CdcTuning,
  type ConsumerTuning,
  cdcProfileEnv,
  cdcTuning,
} from './cdc-profile.ts';
export { cdcNamesEnv } from './cdc-names-env.ts';
