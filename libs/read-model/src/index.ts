/**
 * The Redis read model of tasks: written by the stream processor from change events, read by the web.
 *
 * Keys:  task:<hash>              hash of the task's fields and the LSN that wrote it
 *        task-lsn:<hash>          the LSN of the last change applied to <hash>; outlives a delete
 *        tasks:by-time            sorted set of hashes by creation time
 *        tasks:status:<STATUS>    sorted set of hashes by creation time, one per status
 *        pipeline                 hash: lastEventAt, lastSourceAt, applied, stale
 */
import type { Redis } from 'ioredis';
import { type Status, STATUSES, TASK_FIELDS, type Task } from '@chorus/tasks';
import { defineScripts } from './scripts.ts';

export type Change =
  | { op: 'upsert'; lsn: number; sourceTsMs: number; task: Task }
  | { op: 'delete'; lsn: number; sourceTsMs: number; hash: string };

export interface PipelineState {
  lastEventAt: string | null;
  lastSourceAt: string | null;
  applied: number;
  stale: number;
}

/** How long a delete's LSN is remembered, so that a late older event cannot bring the task back. */
const DELETE_MEMORY_SECONDS = 7 * 24 * 3600;

export class ReadModel {
  private readonly redis: Redis;

  constructor(redis: Redis) {
    defineScripts(redis);
    this.redis = redis;
  }

  /** Applies changes in order, in one round trip. Resolves once Redis holds them. */
  async apply(changes: Change[]): Promise<{ applied: number; stale: number }> {
    if (changes.length === 0) return { applied: 0, stale: 0 };
    const pipeline = this.redis.pipeline();
    for (const change of changes) {
      if (change.op === 'upsert') {
        const t = change.task;
        pipeline.upsertTask(`task:${t.hash}`, `task-lsn:${t.hash}`, change.lsn, Date.parse(t.createdAt), ...TASK_FIELDS.flatMap((f) => [f, t[f]]));
      } else {
        pipeline.deleteTask(`task:${change.hash}`, `task-lsn:${change.hash}`, change.lsn, change.hash, DELETE_MEMORY_SECONDS);
      }
    }
    const latestSource = Math.max(...changes.map((c) => c.sourceTsMs));
    pipeline.hset('pipeline', 'lastEventAt', new Date().toISOString(), 'lastSourceAt', new Date(latestSource).toISOString());
    const results = (await pipeline.exec()) ?? [];
    let applied = 0;
    for (const [error] of results) if (error) throw error;
    for (const [, result] of results.slice(0, changes.length)) if (result === 1) applied++;
    const stale = changes.length - applied;
    return { applied, stale };
  }

  async get(hash: string): Promise<Task | null> {
    const fields = await this.redis.hgetall(`task:${hash}`);
    return fields.hash ? toTask(fields) : null;
  }

  /** Newest first. */
  async list({ status, limit = 50 }: { status?: Status; limit?: number } = {}): Promise<Task[]> {
    const hashes = await this.redis.zrevrange(status ? `tasks:status:${status}` : 'tasks:by-time', 0, limit - 1);
    if (hashes.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const hash of hashes) pipeline.hgetall(`task:${hash}`);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, fields]) => fields as Record<string, string>).filter((f) => f.hash).map(toTask);
  }

  async stats(): Promise<{ total: number; byStatus: Record<Status, number> }> {
    const pipeline = this.redis.pipeline().zcard('tasks:by-time');
    for (const status of STATUSES) pipeline.zcard(`tasks:status:${status}`);
    const counts = ((await pipeline.exec()) ?? []).map(([, n]) => Number(n));
    const byStatus = Object.fromEntries(STATUSES.map((s, i) => [s, counts[i + 1] ?? 0])) as Record<Status, number>;
    return { total: counts[0] ?? 0, byStatus };
  }

  async pipelineState(): Promise<PipelineState> {
    const p = await this.redis.hgetall('pipeline');
    return {
      lastEventAt: p.lastEventAt ?? null,
      lastSourceAt: p.lastSourceAt ?? null,
      applied: Number(p.applied ?? 0),
      stale: Number(p.stale ?? 0),
    };
  }
}

function toTask(f: Record<string, string>): Task {
  return Object.fromEntries(TASK_FIELDS.map((field) => [field, f[field]])) as unknown as Task;
}
