/**
 * The Lua scripts that write the read model, and their types on ioredis's own commander (the typing
 * ioredis documents for defineCommand), so a pipeline calls them like any other command.
 *
 * Both scripts skip a change older than the last one applied to the same task, or not newer than the
 * last TRUNCATE, so redelivered or reordered events never overwrite newer state nor bring back a task
 * a TRUNCATE removed. Equal LSNs re-apply the same data: idempotent.
 * They count what they did in the pipeline hash, so a batch costs one round trip.
 */
import type { Redis, Result } from 'ioredis';
import { STATUSES } from '@chorus/tasks';

const STATUS_KEYS = STATUSES.map((s) => `'tasks:status:${s}'`).join(', ');

/** KEYS: task:<hash>, task-lsn:<hash>. ARGV: lsn, score (creation time in ms), then field/value pairs of the task. */
const UPSERT = `
local lsn = ARGV[1]
local current = redis.call('GET', KEYS[2])
local floor = redis.call('GET', 'truncate-lsn')
if (current and tonumber(current) > tonumber(lsn)) or (floor and tonumber(floor) >= tonumber(lsn)) then redis.call('HINCRBY', 'pipeline', 'stale', 1) return 0 end
local task = {}
for i = 3, #ARGV, 2 do task[ARGV[i]] = ARGV[i + 1] end
local previous = redis.call('HGET', KEYS[1], 'status')
if previous then redis.call('ZREM', 'tasks:status:' .. previous, task.hash) end
redis.call('HSET', KEYS[1], 'lsn', lsn, unpack(ARGV, 3))
redis.call('SET', KEYS[2], lsn)
redis.call('ZADD', 'tasks:by-time', ARGV[2], task.hash)
redis.call('ZADD', 'tasks:status:' .. task.status, ARGV[2], task.hash)
redis.call('HINCRBY', 'pipeline', 'applied', 1)
return 1`;

/** KEYS: task:<hash>, task-lsn:<hash>. ARGV: lsn, hash, seconds to remember the delete's LSN. */
const DELETE = `
local current = redis.call('GET', KEYS[2])
local floor = redis.call('GET', 'truncate-lsn')
if (current and tonumber(current) > tonumber(ARGV[1])) or (floor and tonumber(floor) >= tonumber(ARGV[1])) then redis.call('HINCRBY', 'pipeline', 'stale', 1) return 0 end
local previous = redis.call('HGET', KEYS[1], 'status')
if previous then redis.call('ZREM', 'tasks:status:' .. previous, ARGV[2]) end
redis.call('DEL', KEYS[1])
redis.call('ZREM', 'tasks:by-time', ARGV[2])
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[3])
redis.call('HINCRBY', 'pipeline', 'applied', 1)
return 1`;

/**
 * ARGV: lsn. A TRUNCATE of the table: every task leaves the read model, and the LSN becomes the floor
 * below which no change applies. Its own replay is a no-op.
 */
const TRUNCATE = `
local floor = redis.call('GET', 'truncate-lsn')
if floor and tonumber(floor) >= tonumber(ARGV[1]) then redis.call('HINCRBY', 'pipeline', 'stale', 1) return 0 end
for _, hash in ipairs(redis.call('ZRANGE', 'tasks:by-time', 0, -1)) do redis.call('DEL', 'task:' .. hash) end
redis.call('DEL', 'tasks:by-time', ${STATUS_KEYS})
redis.call('SET', 'truncate-lsn', ARGV[1])
redis.call('HINCRBY', 'pipeline', 'applied', 1)
redis.call('HINCRBY', 'pipeline', 'truncates', 1)
return 1`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** 1 when applied, 0 when a newer change was already applied. */
    upsertTask(taskKey: string, lsnKey: string, lsn: number, score: number, ...fieldsAndValues: string[]): Result<0 | 1, Context>;
    deleteTask(taskKey: string, lsnKey: string, lsn: number, hash: string, rememberSeconds: number): Result<0 | 1, Context>;
    truncateTasks(lsn: number): Result<0 | 1, Context>;
  }
}

export function defineScripts(redis: Redis): void {
  redis.defineCommand('upsertTask', { numberOfKeys: 2, lua: UPSERT });
  redis.defineCommand('deleteTask', { numberOfKeys: 2, lua: DELETE });
  redis.defineCommand('truncateTasks', { numberOfKeys: 0, lua: TRUNCATE });
}
