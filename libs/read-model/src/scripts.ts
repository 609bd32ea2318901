/**
 * The Lua script that writes the read model, and their types on ioredis's own commander (the typing
 * ioredis documents for defineCommand), so a pipeline calls them like any other command.
 *
 * The script skips a change older than the last one applied to the same task, or not newer than the
 * last TRUNCATE, so redelivered or reordered events never overwrite newer state nor bring back a task
 * a TRUNCATE removed. Equal LSNs re-apply the same data: idempotent.
 * It counts what it did in the pipeline hash, so a batch costs one round trip.
 */
import type { Redis, Result } from 'ioredis';
import { STATUSES, TASK_FIELDS, type Task } from '@chorus/tasks';

const STATUS_KEYS = STATUSES.map((s) => `'tasks:status:${s}'`).join(', ');

/** The fields of a task record after its own: the values of an upsert's "v" come in this order. */
export const RECORD_FIELDS = [...TASK_FIELDS, 'savedAt', 'publishedAt', 'projectedAt'] as const;

/**
 * An upsert's values in RECORD_FIELDS order; written out rather than mapped over the names, which cost
 * the processor 7 µs a change (nx run chorus-stream-processor:bench).
 */
export function recordValues(
  t: Task,
  savedAt: string,
  publishedAt: string,
  projectedAt: string,
): Record<keyof typeof RECORD_FIELDS & `${number}`, string> & string[] {
  return [t.hash, t.mode, t.query, t.status, t.createdAt, t.updatedAt, savedAt, publishedAt, projectedAt];
}
const HSET_RECORD = RECORD_FIELDS.map((f, j) => `'${f}', c.v[${j + 1}]`).join(', ');

/**
 * A batch of changes in one call, applied in order, then the positions they were read at. KEYS: task:<hash>
 * and task-lsn:<hash> of each upsert and delete, in order, then 'progress'. ARGV[1]: seconds to remember
 * a delete's LSN; ARGV[3]: the positions as JSON, [{"at": "<topic>/<partition>", "next": offset,
 * "expect": offset or absent}]; ARGV[2]: the changes as JSON, each
 *   {"o":"u","l":lsn,"s":score (creation time in ms),"h":hash,"st":status,"v":[a value per RECORD_FIELDS, "" for unknown]};
 *   {"o":"d","l":lsn,"h":hash};
 *   {"o":"t","l":lsn} (a TRUNCATE: every task leaves, and its LSN becomes the floor below which nothing applies).
 * LSNs and scores travel as strings: Lua prints a large number in exponent form.
 * When a position's "expect" is not what progress holds, nothing is written and the call fails with
 * POSITION: a batch sent behind another that failed must not store a position past the lost one.
 * Returns 1 (applied) or 0 (stale) per change. One call a batch, and one JSON argument rather than a
 * dozen per change: the per-call and per-argument costs of Redis and the client bounded the processor.
 *
 * A task's LSN is read from its hash while it exists, and from task-lsn:<hash> after a delete; the hash
 * exists exactly while the task is in tasks:by-time, so an update leaves that set, and an unchanged
 * status its set, alone.
 */
const APPLY = `
local remember = ARGV[1]
local changes = cjson.decode(ARGV[2])
local positions = cjson.decode(ARGV[3])
local progress = KEYS[#KEYS]
for _, p in ipairs(positions) do
  if p.expect and redis.call('HGET', progress, p.at) ~= p.expect then
    return redis.error_reply('POSITION ' .. p.at .. ' is not at ' .. p.expect .. ': an earlier batch was not stored')
  end
end
local floor = redis.call('GET', 'truncate-lsn')
floor = floor and tonumber(floor)
local out = {}
local applied = 0
local k = 1
for _, c in ipairs(changes) do
  local n = tonumber(c.l)
  if c.o == 't' then
    if floor and floor >= n then out[#out + 1] = 0 else
      for _, hash in ipairs(redis.call('ZRANGE', 'tasks:by-time', 0, -1)) do redis.call('DEL', 'task:' .. hash) end
      redis.call('DEL', 'tasks:by-time', ${STATUS_KEYS})
      redis.call('SET', 'truncate-lsn', c.l)
      redis.call('HINCRBY', 'pipeline', 'truncates', 1)
      floor = n
      out[#out + 1] = 1
    end
  else
    local taskKey, lsnKey = KEYS[k], KEYS[k + 1]
    k = k + 2
    local held = redis.call('HMGET', taskKey, 'lsn', 'status')
    local current, previous = held[1], held[2]
    if not current then current = redis.call('GET', lsnKey) end
    local fresh = not ((current and tonumber(current) > n) or (floor and floor >= n))
    if fresh then
      if c.o == 'u' then
        if previous ~= c.st then
          if previous then redis.call('ZREM', 'tasks:status:' .. previous, c.h) end
          redis.call('ZADD', 'tasks:status:' .. c.st, c.s, c.h)
        end
        redis.call('HSET', taskKey, 'lsn', c.l, ${HSET_RECORD})
        if not previous then redis.call('ZADD', 'tasks:by-time', c.s, c.h) end
      else
        if previous then redis.call('ZREM', 'tasks:status:' .. previous, c.h) end
        redis.call('DEL', taskKey)
        redis.call('ZREM', 'tasks:by-time', c.h)
        redis.call('SET', lsnKey, c.l, 'EX', remember)
      end
    end
    out[#out + 1] = fresh and 1 or 0
  end
  if out[#out] == 1 then applied = applied + 1 end
end
if applied > 0 then redis.call('HINCRBY', 'pipeline', 'applied', applied) end
if #out > applied then redis.call('HINCRBY', 'pipeline', 'stale', #out - applied) end
for _, p in ipairs(positions) do redis.call('HSET', progress, p.at, p.next) end
return out`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** Per change, 1 when applied, 0 when a newer change was already applied (see APPLY). */
    applyChanges(numberOfKeys: number, keysThenArgs: string[]): Result<(0 | 1)[], Context>;
  }
}

export function defineScripts(redis: Redis): void {
  // The number of keys varies with the batch: the caller passes it first.
  redis.defineCommand('applyChanges', { lua: APPLY });
}
