/**
 * The change topic, read from its start, against the table: every row's last event is its state now, every
 * deleted row's is its delete, and no change arrived twice (the same position, row and operation). Used by
 * the upgrade check across a PostgreSQL major upgrade, where a slot made anew could skip or repeat changes.
 */
import { parseChangeEvent } from '@chorus/cdc-events';
import type { Context } from 'env-cli/context.ts';
import { lsnNumber, lsnText } from 'env-cli/lsn.ts';

export interface ChangeLogCheck {
  events: number;
  /** The first change past `after` (the lowest position): where the connector resumed. */
  firstAfter?: { lsn: string; hash: string; op: string };
  problems: string[];
}

export async function checkChangeLog(
  ctx: Context,
  project: string,
  o: { topic: string; rows: Map<string, string>; deleted: Set<string>; after: string },
): Promise<ChangeLogCheck> {
  const read = await ctx.compose.kafkaTool(
    project,
    `/opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic ${o.topic} --from-beginning --timeout-ms 15000`,
  );
  const problems: string[] = [];
  const last = new Map<string, { op: string; status?: string }>();
  const seen = new Set<string>();
  const after = lsnNumber(o.after);
  let first: { lsn: number; hash: string; op: string } | undefined;
  let events = 0;
  for (const line of read.out.split('\n')) {
    if (!line.startsWith('{')) continue;
    const change = parseChangeEvent(line);
    if (!change || change.op === 'truncate') continue;
    events++;
    const hash = change.op === 'delete' ? change.hash : change.task.hash;
    const op = change.op === 'delete' ? 'delete' : (JSON.parse(line) as { op: string }).op;
    const id = `${change.lsn}:${hash}:${op}`;
    if (seen.has(id)) problems.push(`sent twice: ${op} of task ${hash} at ${lsnText(change.lsn)}`);
    seen.add(id);
    last.set(hash, change.op === 'delete' ? { op } : { op, status: change.task.status });
    if (change.lsn > after && (!first || change.lsn < first.lsn)) first = { lsn: change.lsn, hash, op };
  }
  for (const [hash, status] of o.rows) {
    const event = last.get(hash);
    if (!event) problems.push(`skipped: task ${hash} (${status} in Postgres) has no event in ${o.topic}`);
    else if (event.status !== status)
      problems.push(
        `skipped: task ${hash} is ${status} in Postgres, and its last event says ${event.status ?? event.op}`,
      );
  }
  for (const hash of o.deleted)
    if (last.get(hash)?.op !== 'delete')
      problems.push(`skipped: task ${hash} was deleted, and its last event is no delete`);
  return {
    events,
    firstAfter: first && { lsn: lsnText(first.lsn), hash: first.hash, op: first.op },
    problems: problems.slice(0, 10),
  };
}
