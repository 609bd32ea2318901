/**
 * Live pages: GET /events is a Server-Sent Events stream of the read model's changes, fed by the
 * task-changes channel the stream processor publishes with each batch. `?task=<hash>` narrows it to one
 * task. One Redis subscription per web process, shared by every open page.
 */
import type { Request, Response, Router } from 'express';
import express from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from '@chorus/logger';
import { CHANGES_CHANNEL, changedHashes } from '@chorus/read-model';

/** A comment line now and then keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;
const HASH = /^[0-9a-f]{32}$/;

interface Listener {
  res: Response;
  task?: string;
}

export class LiveChanges {
  private readonly listeners = new Set<Listener>();
  private subscriber: Redis | undefined;
  private keepalive: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
  ) {}

  start(): this {
    // A subscribed connection can do nothing else: its own, so that reads go on beside it.
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', (error: Error) =>
      this.log.warn({ err: error.message }, 'live updates: redis subscription error'),
    );
    this.subscriber.on('message', (_channel: string, message: string) => this.publish(changedHashes(message)));
    void this.subscriber
      .subscribe(CHANGES_CHANNEL)
      .catch((error: Error) =>
        this.log.warn({ err: error.message }, 'live updates: could not subscribe; pages fall back to polling'),
      );
    this.keepalive = setInterval(() => this.listeners.forEach((l) => l.res.write(': keepalive\n\n')), KEEPALIVE_MS);
    this.keepalive.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.keepalive);
    for (const l of this.listeners) l.res.end();
    this.subscriber?.disconnect();
  }

  private publish(hashes: string[]): void {
    const all = hashes.includes('*');
    for (const l of this.listeners) {
      const relevant = l.task ? (all || hashes.includes(l.task) ? [l.task] : []) : hashes;
      if (relevant.length > 0) l.res.write(`event: change\ndata: ${JSON.stringify(relevant)}\n\n`);
    }
  }

  routes(): Router {
    const router = express.Router();
    router.get('/events', (req: Request, res: Response) => {
      const task = typeof req.query.task === 'string' && HASH.test(req.query.task) ? req.query.task : undefined;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      // A page that loses the stream reconnects after 2 s.
      res.write('retry: 2000\n\n');
      const listener: Listener = { res, task };
      this.listeners.add(listener);
      req.on('close', () => this.listeners.delete(listener));
    });
    return router;
  }
}
