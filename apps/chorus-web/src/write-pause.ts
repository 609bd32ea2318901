/**
 * Writes answer 503 while a restore runs (make restore-<env> sets the read model's writes-paused key),
 * so that nothing is written to a database about to be replaced. The key is polled, not read per request:
 * a write costs no Redis round trip, and a Redis outage never blocks writes to Postgres. A write never
 * trusts a read older than the poll's period, though: on a busy host the timer runs late, and the restore
 * counts on every write that arrives two seconds after the key is set being refused.
 */
import type { RequestHandler } from 'express';
import type { ReadModel } from '@chorus/read-model';
import { HttpError } from './errors.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const POLL_MS = 1000;
/** How long a write waits for its own read of the key; past it, the last answer stands (Redis is not answering). */
const FRESH_READ_MS = 500;

export class WritePause {
  /** Why writes are paused, as last read; kept while Redis does not answer. */
  reason: string | null = null;
  /** When the last answer was asked for (so it holds for that moment or later); 0: never. */
  private readAt = 0;
  private reading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly model: Pick<ReadModel, 'writesPaused'>) {}

  /** Reads the key once; reads asked for meanwhile share it. */
  refresh(): Promise<void> {
    return (this.reading ??= (async () => {
      const asked = Date.now();
      try {
        this.reason = await this.model.writesPaused();
        this.readAt = asked;
      } catch {
        // Redis does not answer: the last answer stands.
      } finally {
        this.reading = undefined;
      }
    })());
  }

  start(): this {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), POLL_MS);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  middleware(): RequestHandler {
    const decide: RequestHandler = (_req, res, next) => {
      if (!this.reason) return next();
      res.set('Retry-After', '60');
      next(
        new HttpError(
          503,
          'writes_paused',
          `writes are paused: ${this.reason}. Reading works meanwhile; try again in a minute`,
        ),
      );
    };
    return (req, res, next) => {
      if (SAFE.has(req.method)) return next();
      if (Date.now() - this.readAt <= POLL_MS) return decide(req, res, next);
      const waited = new Promise<void>((resolve) => setTimeout(resolve, FRESH_READ_MS).unref());
      void Promise.race([this.refresh(), waited]).then(() => decide(req, res, next));
    };
  }
}
