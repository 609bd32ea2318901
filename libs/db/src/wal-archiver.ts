/** Postgres's WAL archiver (pg_stat_archiver): whether segments reach the backup repositories. */
import type pg from 'pg';

export interface WalArchiver {
  archived: number;
  failed: number;
  /** Unix seconds; null when never. */
  lastArchivedAt: number | null;
  lastFailedAt: number | null;
}

export async function walArchiver(db: Pick<pg.Pool, 'query'>): Promise<WalArchiver> {
  const { rows } = await db.query<{
    archived: string;
    failed: string;
    archived_at: string | null;
    failed_at: string | null;
  }>(
    `select archived_count as archived, failed_count as failed,
            extract(epoch from last_archived_time) as archived_at, extract(epoch from last_failed_time) as failed_at
       from pg_stat_archiver`,
  );
  const r = rows[0]!;
  const at = (v: string | null) => (v === null ? null : Number(v));
  return {
    archived: Number(r.archived),
    failed: Number(r.failed),
    lastArchivedAt: at(r.archived_at),
    lastFailedAt: at(r.failed_at),
  };
}
