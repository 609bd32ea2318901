export { startPostgres, SUPERUSER, type TestPostgres } from './postgres.ts';
export { freePort } from './ports.ts';
export { startRedis, type TestRedis } from './redis.ts';
export { startBrowser, type TestBrowser } from './browser.ts';
export { OWNER_LABEL, reapOrphans, startContainer, type TestContainer } from './container.ts';
export { BROWSER_IMAGE, testImage } from './images.ts';
export { latePort } from './late-port.ts';
