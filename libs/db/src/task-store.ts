import type pg from 'pg';
import { CANCELLABLE, type Mode, type Status, type Task, type TaskInput, taskHash } from '@chorus/tasks';

interface Row {
  query_hash: string;
  user_query: { mode: Mode; query: string };
  status: Status;
  created_at: Date;
  updated_at: Date;
}

const toTask = (row: Row): Task => ({
  hash: row.query_hash,
  mode: row.user_query.mode,
  query: row.user_query.query,
  status: row.status,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

export type CancelResult =
  { outcome: 'cancelled'; task: Task } | { outcome: 'not_found' } | { outcome: 'conflict'; status: Status };

/** The write side: tasks in PostgreSQL. Reads for users come from the Redis read model instead. */
export class TaskStore {
  constructor(private readonly db: pg.Pool) {}

  /** Inserts the task unless it exists. `created` tells which. */
  async submit(input: TaskInput): Promise<{ created: boolean; task: Task }> {
    const hash = taskHash(input);
    const inserted = await this.db.query<Row>(
      `INSERT INTO task_queue (query_hash, user_query) VALUES ($1, $2)
       ON CONFLICT (query_hash) DO NOTHING RETURNING *`,
      [hash, { mode: input.mode, query: input.query }],
    );
    if (inserted.rows[0]) return { created: true, task: toTask(inserted.rows[0]) };
    const existing = await this.find(hash);
    if (!existing) throw new Error(`task ${hash} conflicted on insert but cannot be read`);
    return { created: false, task: existing };
  }

  async find(hash: string): Promise<Task | null> {
    const { rows } = await this.db.query<Row>('SELECT * FROM task_queue WHERE query_hash = $1', [hash]);
    return rows[0] ? toTask(rows[0]) : null;
  }

  async cancel(hash: string): Promise<CancelResult> {
    const { rows } = await this.db.query<Row>(
      `UPDATE task_queue SET status = 'CANCELLED', updated_at = now()
       WHERE query_hash = $1 AND status = ANY($2) RETURNING *`,
      [hash, CANCELLABLE],
    );
    if (rows[0]) return { outcome: 'cancelled', task: toTask(rows[0]) };
    const current = await this.find(hash);
    return current ? { outcome: 'conflict', status: current.status } : { outcome: 'not_found' };
  }

  /** True when a row was deleted. */
  async remove(hash: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM task_queue WHERE query_hash = $1', [hash]);
    return (rowCount ?? 0) > 0;
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM task_queue');
    return rows[0]?.n ?? 0;
  }
}
