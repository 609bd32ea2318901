/**
 * Writes answer 503 while a restore runs (make restore-<env> sets the read model's writes-paused key),
 * so that nothing is written to a database about to be replaced. The key is polled, not read per request:
 * a write costs no Redis round trip, and a Redis outage never blocks writes to Postgres. A write never
 * trusts a read older than the poll's period, though: on a busy host the timer runs late, and the restore
 * counts on every write that arrives two seconds after the key is set being refused.
 */
import type { RequestHandler } from 'express';
import { defaults } from '@chorus/config';
import type { ReadModel } from '@chorus/read-model';
import { HttpError } from './errors.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const POLL_MS = 1000;
/**
 * How long a write waits for its own read of the key: as long as any Redis command may take. Past it, the last
 * answer stands (Redis is not answering). At 500 ms a loaded CI host once let a write through during a restore.
 */
const FRESH_READ_MS = defaults.dependencyTimeoutMs;

export class WritePause {
  /** Why writes are paused, as last read; kept while Redis does not answer. */
  reason: string | null = null;
  /** When the last answer was asked for (so it holds for that moment or later); 0: never. */
  private readAt = 0;
  private reading: { asked: number; done: Promise<void> } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly model: Pick<ReadModel, 'writesPaused'>) {}

  /**
   * Reads the key; a read asked for meanwhile shares the one in flight if that was asked at `since` or later.
   * An answer never replaces one asked for later (a slow read that comes back after a newer one).
   */
  refresh(since = 0): Promise<void> {
    if (this.reading && this.reading.asked >= since) return this.reading.done;
    const reading = { asked: Date.now(), done: Promise.resolve() };
    reading.done = this.read(reading.asked).finally(() => {
      if (this.reading === reading) this.reading = undefined;
    });
    this.reading = reading;
    return reading.done;
  }

  private async read(asked: number): Promise<void> {
    try {
      const reason = await this.model.writesPaused();
      if (asked >= this.readAt) [this.reason, this.readAt] = [reason, asked];
    } catch {
      // Redis does not answer: the last answer stands.
    }
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
    const decide: RequestHandler = (_req, _res, next) => {
      if (!this.reason) return next();
      next(
        new HttpError(
          503,
          'writes_paused',
          `writes are paused: ${this.reason}. Reading works meanwhile; try again in a minute`,
          60,
        ),
      );
    };
    return (req, res, next) => {
      if (SAFE.has(req.method)) return next();
      const arrived = Date.now();
      if (arrived - this.readAt <= POLL_MS) return decide(req, res, next);
      // Not a read asked for before the poll's period: one in flight since a restore began would answer "not paused".
      const waited = new Promise<void>((resolve) => setTimeout(resolve, FRESH_READ_MS).unref());
      void Promise.race([this.refresh(arrived - POLL_MS), waited]).then(() => decide(req, res, next));
    };
  }
}
