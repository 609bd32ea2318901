import { Redis } from 'ioredis';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type TestBrowser, startBrowser } from './browser.ts';
import { startRedis, type TestRedis } from './redis.ts';

/** A redis-server and a client for the tests of one file; both are ready inside the tests. */
export function useRedis(): { server: TestRedis; client: Redis } {
  const handle = {} as { server: TestRedis; client: Redis };
  beforeAll(async () => {
    handle.server = await startRedis();
    handle.client = new Redis(handle.server.url);
  });
  afterAll(async () => {
    handle.client?.disconnect();
    await handle.server?.stop();
  });
  return handle;
}

/** A real Chromium (startBrowser) driven by playwright-core, for the tests of one file; ready inside the tests. */
export function useBrowser(): { browser: Browser } {
  const handle = {} as { browser: Browser; container: TestBrowser };
  beforeAll(async () => {
    handle.container = await startBrowser();
    handle.browser = await chromium.connectOverCDP(handle.container.cdpUrl);
  }, 60_000);
  afterAll(async () => {
    await handle.browser?.close();
    handle.container?.stop();
  });
  return handle;
}
