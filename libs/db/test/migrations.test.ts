/**
 * Expand, then contract: a release's migrations must leave a schema the release before it still runs on
 * (make rollback-prod returns to it on the newer schema). So a migration only adds; removing or changing
 * what an older release reads waits for a later release, once no prod can roll back to one that reads it.
 */
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/migrations.ts';

/** Statements that take away or change what an older release reads or writes. */
const CONTRACTING = [
  /\bDROP\s+(TABLE|COLUMN|INDEX|CONSTRAINT|VIEW|FUNCTION)\b/i,
  /\bRENAME\b/i,
  /\bALTER\s+COLUMN\s+\S+\s+(TYPE|SET\s+NOT\s+NULL)\b/i,
  /\bTRUNCATE\b/i,
  /\bDELETE\s+FROM\b/i,
];

describe('the migrations', () => {
  it('are named once each, in order', () => {
    const ids = MIGRATIONS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('only expand the schema, so the previous release runs on it', () => {
    const contracting = MIGRATIONS.flatMap((m) =>
      CONTRACTING.filter((rule) => rule.test(m.sql)).map((rule) => `${m.id}: ${rule}`),
    );
    expect(contracting).toEqual([]);
  });

  it('the check sees a contracting migration (it can fail)', () => {
    const sql = 'ALTER TABLE task_queue RENAME COLUMN user_query TO input';
    expect(CONTRACTING.some((rule) => rule.test(sql))).toBe(true);
  });
});
