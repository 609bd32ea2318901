/**
 * What the API and the pages share: reading a request's hash, filters and task input, and the
 * outcomes of cancel and delete. Each throws an HttpError; the API renders it as JSON, the pages as HTML.
 */
import type { Request } from 'express';
import type { TaskStore } from '@chorus/db';
import { CANCELLABLE, STATUSES, type Status, type Task, type TaskInput, isHash, taskInput } from '@chorus/tasks';
import { HttpError } from './errors.ts';

/** The task input, or the zod issues as one sentence a user can act on. */
export function readTaskInput(body: unknown): { ok: true; input: TaskInput } | { ok: false; message: string } {
  const result = taskInput.safeParse(body ?? {});
  if (result.success) return { ok: true, input: result.data };
  return { ok: false, message: result.error.issues.map((i) => i.message).join('; ') };
}

export function hashParam(req: Request): string {
  const hash = String(req.params.hash);
  if (!isHash(hash)) throw new HttpError(400, 'invalid_hash', 'a task hash is 32 lower-case hex characters');
  return hash;
}

export function statusQuery(value: unknown): Status | undefined {
  if (value === undefined || value === '') return undefined;
  if (!STATUSES.includes(value as Status))
    throw new HttpError(400, 'invalid_status', `status must be one of ${STATUSES.join(', ')}`);
  return value as Status;
}

export function limitQuery(value: unknown): number {
  if (value === undefined || value === '') return 50;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500)
    throw new HttpError(400, 'invalid_limit', 'limit must be a whole number from 1 to 500');
  return n;
}

/** The one answer for a hash no task has, on the API and the pages alike. */
export const taskNotFound = (hash: string) => new HttpError(404, 'not_found', `no task has the hash ${hash}`);

/** Cancels in Postgres; the read model follows through CDC. */
export async function cancelTask(store: TaskStore, hash: string): Promise<Task> {
  const result = await store.cancel(hash);
  if (result.outcome === 'not_found') throw taskNotFound(hash);
  if (result.outcome === 'conflict') {
    throw new HttpError(
      409,
      'not_cancellable',
      `the task is ${result.status}; only ${CANCELLABLE.join(' or ')} tasks can be cancelled`,
    );
  }
  return result.task;
}

/** Deletes in Postgres; the read model follows through CDC. */
export async function deleteTask(store: TaskStore, hash: string): Promise<void> {
  if (!(await store.remove(hash))) throw taskNotFound(hash);
}
