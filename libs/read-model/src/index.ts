/**
 * The Redis read model of tasks: written by the stream processor from change events, read by the web.
 *
 * Keys:  task:<hash>              hash of the task's fields, the LSN that wrote it, and when it was saved
 *                                 (commit), published (to Kafka) and projected (here), in ms
 *        task-lsn:<hash>          the LSN of the delete that removed <hash>, remembered a week
 *        tasks:by-time            sorted set of hashes by creation time
 *        tasks:status:<STATUS>    sorted set of hashes by creation time, one per status
 *        truncate-lsn             the LSN of the last TRUNCATE: no older change applies
 *        read-model-id            a random mark: gone after a flush, which is how the processor sees one
 *        progress                 hash: <topic>/<partition> -> the next offset to read (written with the changes)
 *        pipeline                 hash: lastEventAt, lastSourceAt, applied, stale, truncates
 *        writes-paused            why writes are paused (a restore runs): the web answers writes 503 meanwhile
 *        minute:<n>               hash: latency bucket -> changes projected in minute n (minutes.ts), kept 2 h
 *
 * Channel: task-changes           published with each applied batch: the JSON list of the hashes it
 *                                 touched, or ["*"] after a TRUNCATE (pages update live from it)
 */
import type { Redis } from 'ioredis';
import { type Status, STATUSES, TASK_FIELDS, type Task, storedTask } from '@chorus/tasks';
import { MINUTE_KEEP_SECONDS, type MinuteFigures, bucketOf, figuresOf, minuteKey, minuteOf } from './minutes.ts';
import { defineScripts, recordValues } from './scripts.ts';

export { LATENCY_BUCKETS_MS, type MinuteFigures } from './minutes.ts';

/** When the change committed in Postgres, and (once read from Kafka) when Connect published it, in ms. */
interface ChangeTimes {
  sourceTsMs: number;
  publishedTsMs?: number;
}

export type Change = ChangeTimes &
  (
    | { op: 'upsert'; lsn: number; task: Task }
    | { op: 'delete'; lsn: number; hash: string }
    /** The table was truncated: every task leaves the read model. */
    | { op: 'truncate'; lsn: number }
  );

export interface PipelineState {
  lastEventAt: string | null;
  lastSourceAt: string | null;
  applied: number;
  stale: number;
}

/** When a task's latest change committed in Postgres, was published to Kafka, and was projected here (ms). */
export interface Arrival {
  savedAt: number;
  publishedAt: number;
  projectedAt: number;
}

/** Set by `make restore-<env>` (through redis-cli) while it runs; not part of the read model, so it is not counted as data. */
export const WRITES_PAUSED_KEY = 'writes-paused';

/** Each applied batch is announced here (see `changedHashes`), in the same transaction as its changes. */
export const CHANGES_CHANNEL = 'task-changes';

/** The hashes a task-changes message names; `*` means every task (a TRUNCATE). Anything else is no hash. */
export function changedHashes(message: string): string[] {
  try {
    const parsed: unknown = JSON.parse(message);
    return Array.isArray(parsed) ? parsed.filter((h): h is string => typeof h === 'string') : [];
  } catch {
    return [];
  }
}

/** How many keys one pipelined read asks for. */
const CHUNK = 5000;

/** How long a delete's LSN is remembered, so that a late older event cannot bring the task back. */
const DELETE_MEMORY_SECONDS = 7 * 24 * 3600;

/** Where the projection stands in one partition of a change topic: the next offset to read. */
export interface Position {
  topic: string;
  partition: number;
  nextOffset: string;
  /**
   * The next offset the stored position must hold for this batch to apply: the position the batch sent
   * before it stores. When it does not (that batch failed), nothing of this one is written.
   */
  after?: string;
}

/** A task record in Redis that is not a task: never shown; its problems name the fields. */
export class MalformedRecordError extends Error {
  constructor(
    readonly hash: string,
    readonly problems: string[],
  ) {
    super(`the read model's record task:${hash} is malformed: ${problems.join('; ')}`);
  }
}

export interface ReadModelOptions {
  /** Told of every malformed record read (a list skips it; a get throws MalformedRecordError). */
  onMalformed?: (error: MalformedRecordError) => void;
}

export class ReadModel {
  private readonly redis: Redis;
  private readonly onMalformed: (error: MalformedRecordError) => void;
  /** Malformed records read since start. */
  malformed = 0;

  constructor(redis: Redis, { onMalformed = () => undefined }: ReadModelOptions = {}) {
    defineScripts(redis);
    this.redis = redis;
    this.onMalformed = onMalformed;
  }

  /** The record as a Task, or a MalformedRecordError, counted and reported. */
  private toTask(key: string, fields: Record<string, string>): Task | MalformedRecordError {
    const parsed = storedTask.safeParse(Object.fromEntries(TASK_FIELDS.map((field) => [field, fields[field]])));
    if (parsed.success) return parsed.data;
    const error = new MalformedRecordError(
      key,
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
    this.malformed++;
    this.onMalformed(error);
    return error;
  }

  /**
   * Applies changes in order, and records the positions they were read at, in one transaction (MULTI):
   * after a crash the read model and its position agree, so resuming there loses and repeats nothing.
   * Resolves once Redis holds them.
   */
  async apply(changes: Change[], positions: Position[] = []): Promise<{ applied: number; stale: number }> {
    if (changes.length === 0 && positions.length === 0) return { applied: 0, stale: 0 };
    const pipeline = this.redis.multi();
    const keys: string[] = [];
    const encoded: object[] = [];
    const projectedAt = String(Date.now());
    for (const change of changes) {
      const l = String(change.lsn);
      if (change.op === 'upsert') {
        const t = change.task;
        // When the change committed in Postgres, when Connect published it to Kafka (if known), and when it was written here.
        const publishedAt = change.publishedTsMs === undefined ? '' : String(change.publishedTsMs);
        const v = recordValues(t, String(change.sourceTsMs), publishedAt, projectedAt);
        keys.push(`task:${t.hash}`, `task-lsn:${t.hash}`);
        encoded.push({ o: 'u', l, s: String(Date.parse(t.createdAt)), h: t.hash, st: t.status, v });
      } else if (change.op === 'delete') {
        keys.push(`task:${change.hash}`, `task-lsn:${change.hash}`);
        encoded.push({ o: 'd', l, h: change.hash });
      } else {
        encoded.push({ o: 't', l });
      }
    }
    const at = positions.map((p) => ({
      at: `${p.topic}/${p.partition}`,
      next: p.nextOffset,
      ...(p.after === undefined ? {} : { expect: p.after }),
    }));
    keys.push('progress');
    pipeline.applyChanges(keys.length, [
      ...keys,
      String(DELETE_MEMORY_SECONDS),
      JSON.stringify(encoded),
      JSON.stringify(at),
    ]);
    if (changes.length > 0) {
      const latestSource = Math.max(...changes.map((c) => c.sourceTsMs));
      pipeline.hset(
        'pipeline',
        'lastEventAt',
        new Date().toISOString(),
        'lastSourceAt',
        new Date(latestSource).toISOString(),
      );
    }
    if (changes.length > 0) {
      // This minute's latency buckets: how long each change took from its commit to here.
      const now = Date.now();
      const buckets = new Map<string, number>();
      for (const c of changes) {
        const bucket = bucketOf(now - c.sourceTsMs);
        buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
      }
      const key = minuteKey(minuteOf(now));
      for (const [bucket, n] of buckets) pipeline.hincrby(key, bucket, n);
      pipeline.expire(key, MINUTE_KEEP_SECONDS);
      const touched = changes.map((c) => (c.op === 'upsert' ? c.task.hash : c.op === 'delete' ? c.hash : '*'));
      pipeline.publish(CHANGES_CHANNEL, JSON.stringify([...new Set(touched)]));
    }
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
    const perChange = results[0]![1] as (0 | 1)[];
    const applied = perChange.filter((r) => r === 1).length;
    const stale = changes.length - applied;
    return { applied, stale };
  }

  /** The stored position of each partition of `topic`. */
  async positions(topic: string): Promise<Map<number, string>> {
    const all = await this.redis.hgetall('progress');
    return new Map(
      Object.entries(all)
        .filter(([key]) => key.startsWith(`${topic}/`))
        .map(([key, offset]) => [Number(key.slice(topic.length + 1)), offset]),
    );
  }

  /**
   * Marks this Redis's read model with `id` unless it has a mark, and returns the mark. A flush or a lost
   * volume removes the mark, so a reader that remembers it sees the loss even after new writes arrive.
   */
  async mark(id: string): Promise<string> {
    await this.redis.set('read-model-id', id, 'NX');
    return (await this.redis.get('read-model-id')) ?? id;
  }

  /** True when Redis holds nothing of the read model: never written, or lost (a flush, a lost volume). */
  async isEmpty(): Promise<boolean> {
    return (await this.redis.exists('progress', 'pipeline', 'tasks:by-time')) === 0;
  }

  /** How long the task's latest change took from its commit in Postgres to the read model, in ms. */
  async arrivalMs(hash: string): Promise<number | null> {
    const [saved, projected] = await this.redis.hmget(`task:${hash}`, 'savedAt', 'projectedAt');
    return saved && projected ? Math.max(0, Number(projected) - Number(saved)) : null;
  }

  /** The arrival times of those of `hashes` that are in the read model; the others are absent from the map. */
  async arrivals(hashes: readonly string[]): Promise<Map<string, Arrival>> {
    const arrived = new Map<string, Arrival>();
    for (let i = 0; i < hashes.length; i += CHUNK) {
      const chunk = hashes.slice(i, i + CHUNK);
      const pipeline = this.redis.pipeline();
      for (const hash of chunk) pipeline.hmget(`task:${hash}`, 'savedAt', 'publishedAt', 'projectedAt');
      const results = (await pipeline.exec()) ?? [];
      chunk.forEach((hash, j) => {
        const [savedAt, publishedAt, projectedAt] = (results[j]?.[1] as (string | null)[] | undefined) ?? [];
        if (projectedAt)
          arrived.set(hash, {
            savedAt: Number(savedAt),
            publishedAt: Number(publishedAt),
            projectedAt: Number(projectedAt),
          });
      });
    }
    return arrived;
  }

  /**
   * Every task's status, by hash, read key by key (SCAN): what a check against Postgres compares, whatever
   * the sorted sets say. A record without a status maps to null.
   */
  async statuses(): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', 'task:*', 'COUNT', 2000);
      cursor = next;
      if (keys.length === 0) continue;
      const pipeline = this.redis.pipeline();
      for (const key of keys) pipeline.hget(key, 'status');
      const results = (await pipeline.exec()) ?? [];
      keys.forEach((key, i) => found.set(key.slice('task:'.length), (results[i]?.[1] as string | null) ?? null));
    } while (cursor !== '0');
    return found;
  }

  async get(hash: string): Promise<Task | null> {
    const fields = await this.redis.hgetall(`task:${hash}`);
    if (!fields.hash) return null;
    const task = this.toTask(hash, fields);
    if (task instanceof MalformedRecordError) throw task;
    return task;
  }

  /** Newest first. */
  async list({ status, limit = 50 }: { status?: Status; limit?: number } = {}): Promise<Task[]> {
    const hashes = await this.redis.zrevrange(status ? `tasks:status:${status}` : 'tasks:by-time', 0, limit - 1);
    if (hashes.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const hash of hashes) pipeline.hgetall(`task:${hash}`);
    const results = (await pipeline.exec()) ?? [];
    return results.flatMap(([, fields], i) => {
      const record = fields as Record<string, string>;
      if (!record?.hash) return [];
      const task = this.toTask(hashes[i]!, record);
      return task instanceof MalformedRecordError ? [] : [task];
    });
  }

  async stats(): Promise<{ total: number; byStatus: Record<Status, number> }> {
    const pipeline = this.redis.pipeline().zcard('tasks:by-time');
    for (const status of STATUSES) pipeline.zcard(`tasks:status:${status}`);
    const counts = ((await pipeline.exec()) ?? []).map(([, n]) => Number(n));
    const byStatus = Object.fromEntries(STATUSES.map((s, i) => [s, counts[i + 1] ?? 0])) as Record<Status, number>;
    return { total: counts[0] ?? 0, byStatus };
  }

  /** The last `minutes` minutes' figures, oldest first, the current minute last. */
  async lastMinutes(minutes = 60, now = Date.now()): Promise<MinuteFigures[]> {
    const last = minuteOf(now);
    const wanted = Array.from({ length: minutes }, (_, i) => last - minutes + 1 + i);
    const pipeline = this.redis.pipeline();
    for (const m of wanted) pipeline.hgetall(minuteKey(m));
    const results = (await pipeline.exec()) ?? [];
    return wanted.map((m, i) => figuresOf(m, (results[i]?.[1] as Record<string, string> | undefined) ?? {}));
  }

  /** Why writes are paused, or null when they are not. */
  writesPaused(): Promise<string | null> {
    return this.redis.get(WRITES_PAUSED_KEY);
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
