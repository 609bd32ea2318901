export { freePort, startPostgres, SUPERUSER, type TestPostgres } from './postgres.ts';
export { startRedis, type TestRedis } from './redis.ts';
export { latePort } from './late-port.ts';
