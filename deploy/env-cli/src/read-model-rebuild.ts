/**
 * Rebuilding a read model (`make rebuild-read-model-<env>`, and `make chaos`): makes the Redis read
 * model equal to Postgres again, while the pipeline keeps streaming. Two steps:
 *   1. The read model is cleared. The stream processor notices within seconds (its mark is gone) and
 *      replays the change topic from the start: every change since the connector's first snapshot,
 *      in order, so deleted tasks stay deleted.
 *   2. Debezium is asked, through its signalling table, for an incremental snapshot of the captured
 *      tables: every row is read from Postgres again, in chunks, between live changes. Rows the topic
 *      no longer holds (a lost Kafka volume) come back from there.
 * Pages show fewer tasks until the replay has caught up.
 */
import { randomUUID } from 'node:crypto';
import { defaults } from '@chorus/config';
import { CAPTURED_TABLES, ROLES } from '@chorus/db';
import { OperatorError } from '@chorus/errors';
import type { Context } from './context.ts';
import { say } from './output.ts';

/** The signal that asks Debezium for an incremental snapshot of the captured tables. */
export function snapshotSignal(id: string = randomUUID()): string {
  const data = JSON.stringify({ 'data-collections': [...CAPTURED_TABLES], type: 'incremental' });
  const literal = (v: string) => `'${v.replaceAll("'", "''")}'`;
  return `INSERT INTO ${defaults.signalTable} (id, type, data) VALUES (${literal(id)}, 'execute-snapshot', ${literal(data)})`;
}

export async function rebuildReadModel({ compose }: Context, project: string, envName: string): Promise<void> {
  const running = new Set((await compose.services(project)).filter((s) => s.State === 'running').map((s) => s.Service));
  const missing = ['postgres', 'redis', 'kafka-connect', 'chorus-stream-processor'].filter((s) => !running.has(s));
  if (missing.length > 0)
    throw new OperatorError(
      `${envName} is not running (${missing.join(', ')} not up): start it with \`make run-${envName}\`, then rebuild`,
    );
  // REDISCLI_AUTH is set in the Redis container, as for its healthcheck; the read model is all this Redis holds.
  if ((await compose.execIn(project, 'redis', ['redis-cli', 'FLUSHDB'])) !== 'OK')
    throw new OperatorError(
      `could not clear ${envName}'s read model (redis-cli FLUSHDB failed); \`make status\` shows whether Redis is healthy`,
    );
  say(`${envName}: read model cleared; the stream processor replays the change topic from its start`);
  const signalled = await compose.psql(project, ROLES.owner, snapshotSignal());
  if (signalled.code !== 0) {
    throw new OperatorError(
      `could not signal an incremental snapshot in ${envName}: Postgres said "${signalled.err.split('\n')[0]}". The replay still restores everything the topic holds; the environment's migrate step creates ${defaults.signalTable} (start it again to run it), then rebuild again`,
    );
  }
  say(
    `${envName}: incremental snapshot of ${CAPTURED_TABLES.join(', ')} requested (${defaults.signalTable}); rows are read again from Postgres while changes keep streaming`,
  );
  say(`${envName}: \`make status\` shows the processor's lag falling to 0 when the read model is complete`);
}
