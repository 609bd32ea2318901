import { startContainer } from './container.ts';
import { BROWSER_IMAGE } from './images.ts';
import { freePort } from './ports.ts';

export interface TestBrowser {
  /** Chrome DevTools Protocol endpoint on 127.0.0.1, for playwright's chromium.connectOverCDP. */
  cdpUrl: string;
  stop(): void;
}

/**
 * Debian's headless Chromium in a container on the host's network, so that it reaches the pages a test
 * serves on 127.0.0.1 and serves its DevTools endpoint there too, and nowhere else.
 */
export async function startBrowser(): Promise<TestBrowser> {
  const port = await freePort();
  const container = startContainer({
    image: BROWSER_IMAGE,
    purpose: 'a real browser',
    dockerArgs: ['--network', 'host', '--shm-size', '256m'],
    args: [`--remote-debugging-port=${port}`, '--remote-debugging-address=127.0.0.1', 'about:blank'],
  });
  const cdpUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${cdpUrl}/json/version`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 300) {
      container.stop();
      throw new Error(`Chromium's DevTools endpoint did not answer on ${cdpUrl} within 30 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { cdpUrl, stop: container.stop };
}
