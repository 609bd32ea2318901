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
import { STATUSES } from '@chorus/tasks';

const STATUS_KEYS = STATUSES.map((s) => `'tasks:status:${s}'`).join(', ');

/**
 * A batch of changes in one call, applied in order. KEYS: task:<hash> and task-lsn:<hash> of each upsert
 * and delete, in order. ARGV[1]: seconds to remember a delete's LSN; then each change:
 *   u, lsn, score (creation time in ms), hash, status, n, then n field/value strings of the task;
 *   d, lsn, hash;
 *   t, lsn (a TRUNCATE: every task leaves, and its LSN becomes the floor below which nothing applies).
 * Returns 1 (applied) or 0 (stale) per change. One call a batch, not one a change: the processor's
 * throughput was the per-call cost of Redis and of the client (make bench, the processor's bench).
 */
const APPLY = `
local remember = ARGV[1]
local floor = redis.call('GET', 'truncate-lsn')
floor = floor and tonumber(floor)
local out = {}
local applied = 0
local i, k = 2, 1
while i <= #ARGV do
  local op, lsn = ARGV[i], ARGV[i + 1]
  local n = tonumber(lsn)
  if op == 't' then
    i = i + 2
    if floor and floor >= n then out[#out + 1] = 0 else
      for _, hash in ipairs(redis.call('ZRANGE', 'tasks:by-time', 0, -1)) do redis.call('DEL', 'task:' .. hash) end
      redis.call('DEL', 'tasks:by-time', ${STATUS_KEYS})
      redis.call('SET', 'truncate-lsn', lsn)
      redis.call('HINCRBY', 'pipeline', 'truncates', 1)
      floor = n
      out[#out + 1] = 1
    end
  else
    local taskKey, lsnKey = KEYS[k], KEYS[k + 1]
    k = k + 2
    local current = redis.call('GET', lsnKey)
    local fresh = not ((current and tonumber(current) > n) or (floor and floor >= n))
    local hash = ARGV[i + 2 + (op == 'u' and 1 or 0)]
    if fresh then
      local previous = redis.call('HGET', taskKey, 'status')
      if previous then redis.call('ZREM', 'tasks:status:' .. previous, hash) end
    end
    if op == 'u' then
      local score, status, count = ARGV[i + 2], ARGV[i + 4], tonumber(ARGV[i + 5])
      local first = i + 6
      i = first + count
      if fresh then
        redis.call('HSET', taskKey, 'lsn', lsn, unpack(ARGV, first, first + count - 1))
        redis.call('SET', lsnKey, lsn)
        redis.call('ZADD', 'tasks:by-time', score, hash)
        redis.call('ZADD', 'tasks:status:' .. status, score, hash)
      end
    else
      i = i + 3
      if fresh then
        redis.call('DEL', taskKey)
        redis.call('ZREM', 'tasks:by-time', hash)
        redis.call('SET', lsnKey, lsn, 'EX', remember)
      end
    end
    out[#out + 1] = fresh and 1 or 0
  end
  if out[#out] == 1 then applied = applied + 1 end
end
if applied > 0 then redis.call('HINCRBY', 'pipeline', 'applied', applied) end
if #out > applied then redis.call('HINCRBY', 'pipeline', 'stale', #out - applied) end
return out`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** Per change, 1 when applied, 0 when a newer change was already applied (see APPLY). */
    applyChanges(numberOfKeys: number, keysThenArgs: (string | number)[]): Result<(0 | 1)[], Context>;
  }
}

export function defineScripts(redis: Redis): void {
  // The number of keys varies with the batch: the caller passes it first.
  redis.defineCommand('applyChanges', { lua: APPLY });
}
