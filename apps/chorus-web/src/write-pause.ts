/**
 * Writes answer 503 while a restore runs (make restore-<env> sets the read model's writes-paused key),
 * so that nothing is written to a database about to be replaced. The key is polled, not read per request:
 * a write costs no Redis round trip, and a Redis outage never blocks writes to Postgres.
 */
import type { RequestHandler } from 'express';
import type { ReadModel } from '@chorus/read-model';
import { HttpError } from './errors.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const POLL_MS = 1000;

export class WritePause {
  /** Why writes are paused, as last read; kept while Redis does not answer. */
  reason: string | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly model: Pick<ReadModel, 'writesPaused'>) {}

  async refresh(): Promise<void> {
    this.reason = await this.model.writesPaused().catch(() => this.reason);
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
    return (req, res, next) => {
      if (SAFE.has(req.method) || !this.reason) return next();
      res.set('Retry-After', '60');
      next(
        new HttpError(
          503,
          'writes_paused',
          `writes are paused: ${this.reason}. Reading works meanwhile; try again in a minute`,
        ),
      );
    };
  }
}
