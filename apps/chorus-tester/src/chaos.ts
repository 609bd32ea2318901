/**
 * The chaos suite's two halves inside the environment: a writer that keeps submitting, cancelling and
 * deleting tasks through the app's own store while a fault happens, and a check that every task in
 * Postgres is in the read model as it is there, and that no deleted task is.
 */
import type pg from 'pg';
import { TaskStore } from '@chorus/db';
import type { Comparison, Convergence, WriterReport } from '@chorus/load-reports';
import type { ReadModel } from '@chorus/read-model';
import { sleep } from '@chorus/wait';

/**
 * Writes at `rate` operations a second for `seconds`: four in five submit a new task, one in ten
 * cancels an earlier one, one in ten deletes one. Each write is awaited; a failed one is counted, not retried.
 */
export async function write(
  pool: pg.Pool,
  { rate, seconds, run }: { rate: number; seconds: number; run: string },
): Promise<WriterReport> {
  const store = new TaskStore(pool);
  const report: WriterReport = { submitted: 0, cancelled: 0, deleted: 0, failed: 0, seconds };
  const live: string[] = [];
  const started = Date.now();
  let n = 0;
  const pick = () => live.splice(Math.floor(Math.random() * live.length), 1)[0];
  while (Date.now() - started < seconds * 1000) {
    // Paced by the schedule, not by sleeps, so a slow write is caught up on rather than lost from the rate.
    const due = Math.floor(((Date.now() - started) / 1000) * rate);
    if (n >= due) {
      await sleep(2);
      continue;
    }
    n++;
    const roll = n % 10;
    try {
      if (roll === 3 && live.length > 0) {
        const hash = pick()!;
        const result = await store.cancel(hash);
        if (result.outcome === 'cancelled') report.cancelled++;
        live.push(hash);
      } else if (roll === 7 && live.length > 0) {
        if (await store.remove(pick()!)) report.deleted++;
      } else {
        const { task } = await store.submit({ mode: 'flash', query: `chaos ${run} ${n}` });
        live.push(task.hash);
        report.submitted++;
      }
    } catch {
      report.failed++;
    }
  }
  return report;
}

/** Postgres against the read model, task by task. */
export async function compare(pool: pg.Pool, model: ReadModel): Promise<Comparison> {
  const { rows } = await pool.query<{ query_hash: string; status: string }>(
    'SELECT query_hash, status FROM task_queue',
  );
  const truth = new Map(rows.map((r) => [r.query_hash, r.status]));
  const projected = await model.statuses();
  const result: Comparison = { tasks: truth.size, lost: 0, stale: 0, resurrected: 0, examples: [] };
  const example = (kind: string, hash: string) =>
    void (result.examples.length < 6 && result.examples.push(`${kind} ${hash}`));
  for (const [hash, status] of truth) {
    const seen = projected.get(hash);
    if (seen === undefined) {
      result.lost++;
      example('lost', hash);
    } else if (seen !== status) {
      result.stale++;
      example(`stale (${seen}, not ${status})`, hash);
    }
  }
  for (const hash of projected.keys()) {
    if (!truth.has(hash)) {
      result.resurrected++;
      example('resurrected', hash);
    }
  }
  return result;
}

/** Compares every 500 ms until the read model matches Postgres or `timeoutSeconds` pass. */
export async function converge(pool: pg.Pool, model: ReadModel, timeoutSeconds: number): Promise<Convergence> {
  const started = Date.now();
  let last: Comparison | undefined;
  while (Date.now() - started < timeoutSeconds * 1000) {
    try {
      last = await compare(pool, model);
      if (last.lost + last.stale + last.resurrected === 0)
        return { ...last, converged: true, seconds: (Date.now() - started) / 1000 };
    } catch {
      // Postgres or Redis still coming back: try again.
    }
    await sleep(500);
  }
  last ??= await compare(pool, model);
  return { ...last, converged: false, seconds: (Date.now() - started) / 1000 };
}
