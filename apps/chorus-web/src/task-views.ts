import type { TaskStore } from '@chorus/db';
import type { ReadModel } from '@chorus/read-model';
import type { Task } from '@chorus/tasks';

export type Lookup = { state: 'ready'; task: Task; arrivalMs: number | null } | { state: 'pending'; task: Task } | { state: 'missing' };

export interface PipelineStatus {
  /** Tasks in Postgres that the read model does not show yet. */
  waiting: number;
  inPostgres: number;
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
  ) {}

  async lookup(hash: string): Promise<Lookup> {
    const projected = await this.model.get(hash);
    if (projected) return { state: 'ready', task: projected, arrivalMs: await this.model.arrivalMs(hash) };
    const written = await this.store.find(hash);
    return written ? { state: 'pending', task: written } : { state: 'missing' };
  }

  async pipeline(): Promise<PipelineStatus> {
    const [inPostgres, stats, state] = await Promise.all([this.store.count(), this.model.stats(), this.model.pipelineState()]);
    const freshnessMs = state.lastEventAt && state.lastSourceAt ? Math.max(0, Date.parse(state.lastEventAt) - Date.parse(state.lastSourceAt)) : null;
    return { waiting: Math.max(0, inPostgres - stats.total), inPostgres, inReadModel: stats.total, lastEventAt: state.lastEventAt, freshnessMs };
  }
}
