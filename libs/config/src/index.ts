export { loadConfig } from './load.ts';
export { env } from './fields.ts';
export { defaults } from './defaults.ts';
export { logEnv, postgresEnv, postgresSettings, type PostgresSettings, redisEnv } from './connections.ts';
