import { Redis } from 'ioredis';
import { startContainer } from './container.ts';
import { testImage } from './images.ts';

export interface TestRedis {
  port: number;
  url: string;
  /**
   * The server over Docker's bridge, as a container in an environment reaches it: benchmarks use it, so
   * that the published port's userland proxy does not take a share of the cores.
   */
  bridgeUrl(): string;
  /** Freezes the server (`docker pause`): connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** A real Redis, the environments' image, in a container published on a free loopback port; no persistence. */
export async function startRedis(): Promise<TestRedis> {
  const container = startContainer({
    image: testImage('REDIS_IMAGE'),
    purpose: 'a real Redis',
    port: 6379,
    args: ['valkey-server', '--save', '', '--appendonly', 'no'],
  });
  const port = container.hostPort!;
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  for (let i = 0; ; i++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch (error) {
      probe.disconnect();
      if (i > 200) {
        container.stop();
        throw new Error(`Redis did not answer on port ${port} within 10 s: ${String(error)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  return {
    port,
    url,
    bridgeUrl: () => `redis://${container.bridgeAddress()}:6379`,
    pause: container.pause,
    resume: container.resume,
    stop: async () => container.stop(),
  };
}
