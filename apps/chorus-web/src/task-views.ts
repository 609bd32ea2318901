import type { TaskStore } from '@chorus/db';
import type { ReadModel } from '@chorus/read-model';
import type { Task } from '@chorus/tasks';
import type { WriteStoreWatch } from './write-store-watch.ts';

export type Lookup =
  { state: 'ready'; task: Task; arrivalMs: number | null } | { state: 'pending'; task: Task } | { state: 'missing' };

export interface PipelineStatus {
  /** Whether Postgres answers: without it, pages are served from the read model and writes get 503. */
  writable: boolean;
  /** Tasks in Postgres that the read model does not show yet (at the last count). */
  waiting: number;
  /** Tasks in Postgres at the last count that answered (null before the first). */
  inPostgres: number | null;
  inReadModel: number;
  lastEventAt: string | null;
  /** How long the latest change took from its commit in Postgres to the read model, if known. */
  freshnessMs: number | null;
}

/** What the user sees comes from the read model; Postgres only says whether a task is still in flight. */
export class TaskViews {
  constructor(
    private readonly store: TaskStore,
    private readonly model: ReadModel,
    private readonly written: WriteStoreWatch,
  ) {}

  async lookup(hash: string): Promise<Lookup> {
    const projected = await this.model.get(hash);
    if (projected) return { state: 'ready', task: projected, arrivalMs: await this.model.arrivalMs(hash) };
    const written = await this.store.find(hash);
    return written ? { state: 'pending', task: written } : { state: 'missing' };
  }

  async pipeline(): Promise<PipelineStatus> {
    const [written, stats, state] = await Promise.all([
      this.written.current(),
      this.model.stats(),
      this.model.pipelineState(),
    ]);
    const freshnessMs =
      state.lastEventAt && state.lastSourceAt
        ? Math.max(0, Date.parse(state.lastEventAt) - Date.parse(state.lastSourceAt))
        : null;
    const waiting = written.count === null ? 0 : Math.max(0, written.count - stats.total);
    return {
      writable: written.reachable,
      waiting,
      inPostgres: written.count,
      inReadModel: stats.total,
      lastEventAt: state.lastEventAt,
      freshnessMs,
    };
  }
}
