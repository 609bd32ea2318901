/**
 * The write store as the pages see it, without a query per page view: the number of tasks in Postgres,
 * counted at most once per `maxAgeMs` (sooner after a write through this app), and whether Postgres
 * answered the last time. Pages read the read model; this only says how far behind it is and whether
 * writes can be taken. While Postgres is away, pages get the last state at once and a count is retried
 * in the background.
 */
import { defaults } from '@chorus/config';
import type { TaskStore } from '@chorus/db';
import type { Logger } from '@chorus/logger';
import { isUnavailable } from './errors.ts';

export interface WriteStoreState {
  /** Whether Postgres answered the last count. */
  reachable: boolean;
  /** Tasks in Postgres at the last count that answered; null before the first. */
  count: number | null;
  /** When the last count was tried (ms), answered or not. */
  checkedAt: number | null;
}

export class WriteStoreWatch {
  private state: WriteStoreState = { reachable: true, count: null, checkedAt: null };
  private pending?: Promise<WriteStoreState>;

  constructor(
    private readonly store: TaskStore,
    private readonly log: Logger,
    private readonly maxAgeMs: number = defaults.writeStoreMaxAgeMs,
  ) {}

  /** The state, counted again when older than maxAgeMs; without waiting when Postgres was away last time. */
  async current(): Promise<WriteStoreState> {
    if (this.state.checkedAt !== null && Date.now() - this.state.checkedAt < this.maxAgeMs) return this.state;
    const refresh = (this.pending ??= this.count().finally(() => (this.pending = undefined)));
    return this.state.reachable ? refresh : this.state;
  }

  /** A write went through this app: the next page counts again. */
  changed(): void {
    this.state = { ...this.state, checkedAt: null };
  }

  private async count(): Promise<WriteStoreState> {
    try {
      const count = await this.store.count();
      if (!this.state.reachable) this.log.info('postgres answers again: writes are taken again');
      this.state = { reachable: true, count, checkedAt: Date.now() };
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      if (this.state.reachable)
        this.log.warn(
          { err: (error as Error).message },
          'postgres does not answer: pages are served from the read model, writes get 503',
        );
      this.state = { ...this.state, reachable: false, checkedAt: Date.now() };
    }
    return this.state;
  }
}
