import type pg from 'pg';

/** A replication slot and the WAL Postgres keeps for it (from its restart LSN to the current one). */
export interface SlotRetention {
  slot: string;
  retainedBytes: number;
}

/**
 * Every replication slot's retained WAL. Any role may read pg_replication_slots and the current LSN, so
 * the app role's pool does; a slot never used yet (no restart LSN) retains nothing.
 */
export async function slotRetention(db: Pick<pg.Pool, 'query'>): Promise<SlotRetention[]> {
  const { rows } = await db.query<{ slot_name: string; bytes: string }>(
    'select slot_name, coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint as bytes from pg_replication_slots order by slot_name',
  );
  return rows.map((r) => ({ slot: r.slot_name, retainedBytes: Number(r.bytes) }));
}
