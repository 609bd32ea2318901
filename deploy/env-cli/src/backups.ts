/**
 * Backups of prod (and of a prod-like project: the restore drill). The backup service (apps/chorus-backup)
 * takes, lists, checks and restores the database; this module runs the steps around a restore that need
 * the whole system, following Debezium's guidance for a restored database:
 *   1. writes pause (the web answers them 503), so nothing lands in a database about to be replaced;
 *   2. the connector stops (Kafka Connect's PUT /connectors/<name>/stop), and the stream processor;
 *   3. the database is replaced by the backup; its replication slot goes with the old one;
 *   4. the connector's offsets are deleted (DELETE /connectors/<name>/offsets) and the change topic with
 *      them: their positions and events are of the replaced database, and a replay would bring back tasks
 *      written after the backup;
 *   5. the read model is cleared, the connector resumes and snapshots the restored tables into a new
 *      topic (making a new slot; the publication came back with the database), the processor rebuilds the
 *      read model from it;
 *   6. once the read model holds every restored task, writes resume.
 */
import {
  type ArchiveRepository,
  type ArchiveState,
  type BackupListing,
  type Manifest,
  backupListing,
  manifest,
} from '@chorus/backup-manifest';
import { ROLES } from '@chorus/db';
import { EXIT, OperatorError } from '@chorus/errors';
import { WRITES_PAUSED_KEY } from '@chorus/read-model';
import { sleep } from '@chorus/wait';
import { upHealthy } from './bring-up.ts';
import { BACKUP_SERVICE } from './compose-file.ts';
import type { ComposeTarget } from './compose.ts';
import type { Context } from './context.ts';
import { say } from './output.ts';
import { cdcNamesOf, connectRest, processorHealths, readConnectorStatus } from './system.ts';
import { readStats } from './web-client.ts';

const TOOL = ['node', '/app/main.cjs'];
/** How long the rebuilt read model may take to hold every restored task. */
const READ_MODEL_LIMIT_MS = 300_000;
/** How long Postgres may replay the archive before it takes writes. */
const RECOVERY_LIMIT_MS = 600_000;

/** What the backup tool said went wrong, without its name in front. */
const toolError = (err: string) =>
  err
    .split('\n')
    .filter(Boolean)
    .at(-1)
    ?.replace(/^chorus-backup: /, '') ?? 'no message';

async function tool(ctx: Context, project: string, args: string[], env?: Record<string, string>) {
  const result = await ctx.compose.execResult(project, BACKUP_SERVICE, [...TOOL, ...args], { env });
  return { ...result, last: result.out.split('\n').at(-1) ?? '' };
}

async function requireRunning(ctx: Context, project: string, envName: string, services: string[]): Promise<void> {
  const running = new Set(
    (await ctx.compose.services(project)).filter((s) => s.State === 'running').map((s) => s.Service),
  );
  const missing = services.filter((s) => !running.has(s));
  if (missing.length > 0)
    throw new OperatorError(
      `${envName} is not running (${missing.join(', ')} not up): start it with \`make run-${envName}\` first`,
    );
}

/** The exports and their schedule (with `archive`, the archive's state too); undefined when the backup service does not run (an older release, or prod stopped). */
export async function listBackups(
  ctx: Context,
  project: string,
  { archive = false }: { archive?: boolean } = {},
): Promise<BackupListing | undefined> {
  const r = await tool(ctx, project, ['list', ...(archive ? ['--archive'] : [])]);
  if (r.code !== 0) return undefined;
  const parsed = backupListing.safeParse(JSON.parse(r.last));
  return parsed.success ? parsed.data : undefined;
}

export async function takeBackup(ctx: Context, project: string, envName: string): Promise<Manifest> {
  await requireRunning(ctx, project, envName, ['postgres', BACKUP_SERVICE]);
  const r = await tool(ctx, project, ['backup']);
  if (r.code !== 0) throw new OperatorError(`the backup of ${envName} failed: ${toolError(r.err)}`);
  return manifest.parse(JSON.parse(r.last));
}

/** Refuses (exit 2, nothing changed) a backup of another environment, a corrupted one, or one with a newer schema. */
export async function checkBackup(ctx: Context, project: string, envName: string, name: string): Promise<Manifest> {
  await requireRunning(ctx, project, envName, [BACKUP_SERVICE]);
  const r = await tool(ctx, project, ['check', name]);
  if (r.code !== 0)
    throw new OperatorError(toolError(r.err), { exitCode: r.code === EXIT.config ? EXIT.config : EXIT.failed });
  return manifest.parse(JSON.parse(r.last));
}

/** Kafka Connect's REST API, from inside its container; resolves to the HTTP status. */
async function until(what: string, limitMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > limitMs) throw new OperatorError(`${what} did not happen within ${limitMs / 1000} s`);
    await sleep(1000);
  }
  return Date.now() - started;
}

const redis = (ctx: Context, project: string, args: string[]) =>
  ctx.compose.execIn(project, 'redis', ['redis-cli', ...args]);

export interface RestoreTarget {
  envName: string;
  /** The project as Compose runs it: its bring-up is run again once the database is replaced. */
  target: ComposeTarget;
  /** The superuser from the environment's file: only it can replace a database. */
  superuser: { user: string; password: string };
}

export interface RestoreReport {
  backup: Manifest;
  /** The database replaced (the backup tool's time). */
  databaseMs: number;
  /** From resuming the connector until the read model held every restored task. */
  readModelMs: number;
  totalMs: number;
  /** Tasks in the restored database, and in the read model afterwards. */
  tasks: number;
  readModelTasks: number;
}

export async function restoreBackup(ctx: Context, t: RestoreTarget, name: string): Promise<RestoreReport> {
  const { project } = t.target;
  await requireRunning(ctx, project, t.envName, ['postgres', 'kafka', 'kafka-connect', 'redis', BACKUP_SERVICE]);
  const backup = await checkBackup(ctx, project, t.envName, name);
  say(
    `${t.envName}: restoring backup ${name} (taken ${backup.takenAt} on release ${backup.release}; ${Object.entries(
      backup.rows,
    )
      .map(([table, n]) => `${table} ${n} rows`)
      .join(', ')})`,
  );
  const report = await restoreWith(ctx, t, {
    what: `backup ${name}`,
    replace: async () => {
      const restored = await tool(ctx, project, ['restore', name], {
        POSTGRES_SUPERUSER: t.superuser.user,
        POSTGRES_SUPERUSER_PASSWORD: t.superuser.password,
      });
      if (restored.code !== 0)
        throw new OperatorError(`restoring the database failed, and it was left as it was: ${toolError(restored.err)}`);
      return (JSON.parse(restored.last) as { restoreMs: number }).restoreMs;
    },
  });
  return { ...report, backup };
}

/** The repository whose window holds `at`, the local one first; refused (exit 2, nothing changed) when none does. */
export function repositoryFor(archive: ArchiveState | undefined, at: Date, envName: string): ArchiveRepository {
  if (!archive)
    throw new OperatorError(
      `${envName} does not archive its WAL (its release predates pgBackRest): deploy this release with \`make run-${envName}\`, then restore to a moment after its first base backup`,
      { exitCode: EXIT.config },
    );
  const within = archive.repos.find(
    (r) =>
      r.status === 'ok' && r.window && r.window.earliest <= at.toISOString() && at.toISOString() <= r.window.latest,
  );
  if (within) return within;
  const windows = archive.repos
    .map((r) =>
      r.window && r.status === 'ok'
        ? `repo${r.repo} (${r.kind === 'local' ? 'this host' : 'object storage'}) from ${r.window.earliest} to ${r.window.latest}`
        : `repo${r.repo}: ${r.status === 'ok' ? 'no base backup yet' : r.status}`,
    )
    .join('; ');
  // With no repository to restore from, the time is not the problem: each repository says what is.
  if (!archive.repos.some((r) => r.status === 'ok' && r.window))
    throw new OperatorError(
      `refused, nothing changed: no repository of ${envName}'s archive can be restored from (${windows})`,
      {
        exitCode: EXIT.config,
      },
    );
  throw new OperatorError(
    `refused, nothing changed: ${at.toISOString()} is outside what ${envName}'s archive can restore (${windows}); pick a time in a window (\`make backups-${envName}\`)`,
    { exitCode: EXIT.config },
  );
}

/** pgBackRest's restore of the data directory to `at` from `repo`, in a one-off of the postgres service (stopped). */
export async function restoreDataDirectory(
  ctx: Context,
  target: ComposeTarget,
  repo: number,
  at: Date,
  // A new volume's directory is root's: pgBackRest restores as root there (it gives the files their owner).
  { user = 'postgres' }: { user?: string } = {},
): Promise<number> {
  const started = Date.now();
  const r = await ctx.compose.runCapture(
    target,
    'postgres',
    [
      'restore',
      '--delta',
      `--repo=${repo}`,
      '--type=time',
      `--target=${at.toISOString().replace('T', ' ').replace('Z', '+00')}`,
      '--target-action=promote',
      // Its restore_command fetches WAL through the same wrapper, which knows the object store.
      '--cmd=chorus-pgbackrest',
    ],
    { entrypoint: 'chorus-pgbackrest', user },
  );
  if (r.code !== 0)
    throw new OperatorError(`pgBackRest could not restore the data directory (exit ${r.code}); its message is above`);
  return Date.now() - started;
}

/** Waits until Postgres has replayed the archive to its target and promoted itself (it answers read-only before). */
export async function promoted(ctx: Context, project: string): Promise<void> {
  await until('Postgres replaying the archive to the target and taking writes', RECOVERY_LIMIT_MS, async () => {
    const r = await ctx.compose.psql(project, ROLES.app, 'SELECT pg_is_in_recovery()');
    return r.code === 0 && r.out.trim() === 'f';
  });
}

/** `make restore-prod AT=<time>`: the database as it was at `at`, replayed from the archive, and everything after it in step. */
export async function restoreToTime(
  ctx: Context,
  t: RestoreTarget,
  at: Date,
): Promise<Omit<RestoreReport, 'backup'> & { repo: ArchiveRepository }> {
  const { project } = t.target;
  await requireRunning(ctx, project, t.envName, ['postgres', 'kafka', 'kafka-connect', 'redis', BACKUP_SERVICE]);
  const listing = await listBackups(ctx, project, { archive: true });
  const repo = repositoryFor(listing?.archive, at, t.envName);
  say(
    `${t.envName}: restoring to ${at.toISOString()} from repo${repo.repo} (${repo.kind === 'local' ? 'this host' : 'object storage'}; it reaches ${repo.window!.earliest} to ${repo.window!.latest})`,
  );
  const report = await restoreWith(ctx, t, {
    what: `the archive at ${at.toISOString()}`,
    replace: async (replacing) => {
      // From here on the data directory is being rewritten: a failure leaves writes paused, and says so.
      replacing();
      await ctx.compose.stopService(project, BACKUP_SERVICE);
      await ctx.compose.stopService(project, 'postgres');
      const ms = await restoreDataDirectory(ctx, t.target, repo.repo, at);
      if ((await ctx.compose.upService(t.target, 'postgres')) !== 0)
        throw new OperatorError('Postgres did not start on the restored data directory; `make logs-prod` shows why');
      await promoted(ctx, project);
      return ms;
    },
  });
  return { ...report, repo };
}

/** Waits until the read model holds every task of the restored database, and the processors have caught up. */
export async function readModelComplete(
  ctx: Context,
  project: string,
): Promise<{ tasks: number; readModelTasks: number }> {
  const counted = await ctx.compose.psql(project, ROLES.app, 'SELECT count(*) FROM task_queue');
  if (counted.code !== 0) throw new OperatorError(`counting the restored tasks failed: ${counted.err}`);
  const tasks = Number(counted.out);
  let readModelTasks = -1;
  await until(`the read model holding all ${tasks} restored tasks`, READ_MODEL_LIMIT_MS, async () => {
    readModelTasks = (await readStats(ctx, project)).total;
    const replicas = await processorHealths(ctx, project);
    return readModelTasks === tasks && replicas.length > 0 && replicas.every(({ health }) => health?.lag === 0);
  });
  return { tasks, readModelTasks };
}

/**
 * The steps around replacing the database (see the top of this file); `replace` swaps it and resolves to the
 * time that took. A failure before it leaves everything as it was.
 */
async function restoreWith(
  ctx: Context,
  t: RestoreTarget,
  { what, replace }: { what: string; replace: (replacing: () => void) => Promise<number> },
): Promise<Omit<RestoreReport, 'backup'>> {
  const { project } = t.target;
  const names = cdcNamesOf(project, t.envName);
  const started = Date.now();
  const reason = `${t.envName} is being restored from ${what}`;
  const pause = async () => {
    if ((await redis(ctx, project, ['SET', WRITES_PAUSED_KEY, reason])) !== 'OK')
      throw new OperatorError(
        `could not pause writes: redis-cli SET failed in ${t.envName}'s Redis; \`make status\` shows whether it is healthy`,
      );
  };
  await pause();
  // The web reads the pause once a second; a write already past it lands in the database being replaced.
  await sleep(2000);
  say(`${t.envName}: writes paused (the web answers them 503); stopping the connector and the stream processor`);
  let replaced = false;
  try {
    if ((await connectRest(ctx, project, 'PUT', `/connectors/${names.connector}/stop`)) >= 300)
      throw new OperatorError(
        `Kafka Connect did not stop connector ${names.connector}; \`make status\` shows its state`,
      );
    await until(
      `connector ${names.connector} stopping`,
      60_000,
      async () => (await readConnectorStatus(ctx, project, names))?.connector.state === 'STOPPED',
    );
    await ctx.compose.stopService(project, 'chorus-stream-processor');

    const databaseMs = await replace(() => (replaced = true));
    replaced = true;
    say(
      `${t.envName}: the database is ${what} now (${(databaseMs / 1000).toFixed(1)} s); resetting the connector's offsets and the change topic`,
    );
    const offsets = await connectRest(ctx, project, 'DELETE', `/connectors/${names.connector}/offsets`);
    if (offsets !== 200)
      throw new OperatorError(`Kafka Connect did not delete connector ${names.connector}'s offsets (HTTP ${offsets})`);
    const topics = '/opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:9092';
    await ctx.compose.kafkaTool(project, `${topics} --delete --if-exists --topic ${names.taskTopic}`);
    await until(`topic ${names.taskTopic} being deleted`, 60_000, async () => {
      const listed = await ctx.compose.kafkaTool(project, `${topics} --list`);
      return listed.code === 0 && !listed.out.split('\n').includes(names.taskTopic);
    });
    // Emptied and paused again in one step (a script runs atomically): a web app reading the key between a
    // FLUSHDB and a new SET would find no pause, and take writes for up to its poll's period.
    const flushed = await redis(ctx, project, [
      'EVAL',
      "redis.call('FLUSHDB') return redis.call('SET', KEYS[1], ARGV[1])",
      '1',
      WRITES_PAUSED_KEY,
      reason,
    ]);
    if (flushed !== 'OK')
      throw new OperatorError(`could not clear ${t.envName}'s read model (redis-cli FLUSHDB failed)`);

    const resumedAt = Date.now();
    if ((await connectRest(ctx, project, 'PUT', `/connectors/${names.connector}/resume`)) >= 300)
      throw new OperatorError(`Kafka Connect did not resume connector ${names.connector}`);
    say(`${t.envName}: connector resumed: it snapshots the restored tables; starting ${t.envName} again`);
    await upHealthy(ctx, t.target, {
      what: `${t.envName} after the restore`,
      hint: `; see \`make logs-${t.envName}\``,
    });

    const { tasks, readModelTasks } = await readModelComplete(ctx, project);
    const readModelMs = Date.now() - resumedAt;
    await redis(ctx, project, ['DEL', WRITES_PAUSED_KEY]);
    say(
      `${t.envName}: read model rebuilt (${readModelTasks} tasks) in ${(readModelMs / 1000).toFixed(1)} s; writes resumed`,
    );
    return { databaseMs, readModelMs, totalMs: Date.now() - started, tasks, readModelTasks };
  } catch (error) {
    if (!replaced) {
      // Nothing changed: everything goes back to running as it was.
      await connectRest(ctx, project, 'PUT', `/connectors/${names.connector}/resume`);
      await ctx.compose.startService(project, 'chorus-stream-processor');
      await redis(ctx, project, ['DEL', WRITES_PAUSED_KEY]);
      throw error;
    }
    throw new OperatorError(
      `${(error as Error).message}. The database is ${what} now and writes stay paused: fix the above, then run the restore again (it starts over)`,
    );
  }
}
