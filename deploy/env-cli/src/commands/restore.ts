/**
 * `make restore-prod BACKUP=<name>` (an export) and `make restore-prod AT=<time>` (the archive): prod's database
 * back to a backup or a moment, and everything after it in step (backups.ts).
 */
import { OperatorError } from '@chorus/errors';
import { backupListing } from '@chorus/backup-manifest';
import { EXIT } from '@chorus/errors';
import { PROD_APP_IMAGES, appImagesPresent } from '../app-images.ts';
import {
  promoted,
  readModelComplete,
  repositoryFor,
  restoreBackup,
  restoreDataDirectory,
  restoreToTime,
} from '../backups.ts';
import { appTag, deploy, images, releaseVars } from '../bring-up.ts';
import { BACKUP_SERVICE } from '../compose-file.ts';
import { docker } from '../compose.ts';
import type { Context } from '../context.ts';
import { readEnvFile } from '../env-file.ts';
import type { Environment } from '../environments.ts';
import { say, seconds } from '../output.ts';
import { checkDocker, checkPorts } from '../preflight.ts';
import { readState } from '../release.ts';

/** A moment as the operator wrote it: ISO 8601, with a zone (Z or ±hh:mm) so that it means one instant. */
export function parseMoment(text: string): Date {
  const at = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(text.trim())
    ? new Date(text.trim().replace(' ', 'T'))
    : undefined;
  if (!at || Number.isNaN(at.getTime()))
    throw new OperatorError(
      `AT=${text} is not a moment: write it as ISO 8601 with its zone, such as 2026-12-07T09:30:00Z or 2026-12-07 10:30:00+01:00`,
      { exitCode: 2 },
    );
  return at;
}

export async function restore(
  ctx: Context,
  e: Environment,
  name: string | undefined,
  { at, tag }: { at?: string; tag?: string } = {},
): Promise<void> {
  checkDocker();
  if (name && at)
    throw new OperatorError(`give BACKUP=<name> (an export) or AT=<time> (the archive), not both`, { exitCode: 2 });
  if (!name && !at)
    throw new OperatorError(
      `say what to restore: make restore-${e.name} AT=<time> (a moment in the archive's window) or BACKUP=<name> (an export); \`make backups-${e.name}\` lists both`,
      { exitCode: 2 },
    );
  const moment = at ? parseMoment(at) : undefined;
  const envFile = readEnvFile(ctx.root, e);
  const current = readState(ctx, e)?.current;
  if (!current && moment && newHost(e)) return restoreOnNewHost(ctx, e, moment, tag);
  if (!current)
    throw new OperatorError(
      `${e.name} has no recorded release to restore into: deploy it with \`make run-${e.name}\` first`,
    );
  // The bring-up after the database is replaced runs the release prod runs, from its file as deployed.
  const vars = { ...(await images(ctx, { envFile, vars: {} })), ...releaseVars(envFile, current.release) };
  const target = {
    envName: e.name,
    target: { project: e.project, file: current.file, envFile: e.envFile, vars },
    superuser: { user: envFile.POSTGRES_USER!, password: envFile.POSTGRES_PASSWORD! },
  };
  const report = moment ? await restoreToTime(ctx, target, moment) : await restoreBackup(ctx, target, name!);
  say(
    `${e.name} restored to ${moment ? moment.toISOString() : `backup ${name}`} in ${seconds(report.totalMs)}: database ${seconds(report.databaseMs)}, read model complete ${seconds(report.readModelMs)} after the connector resumed; ${report.tasks} tasks`,
  );
}

/** No prod here: no release recorded (checked by the caller) and none of its containers. */
const newHost = (e: Environment) =>
  !docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${e.project}`]).out;

/**
 * prod rebuilt on a host that has none, from its object store and its secrets (make secrets-import-prod):
 * the archive is read by a one-off of the backup service, the data directory restored to `at` by one of
 * Postgres, Postgres replays the archive and promotes itself, and then prod starts as make run-prod starts it.
 * Kafka and the read model start empty; the connector snapshots the restored tables into them.
 */
async function restoreOnNewHost(ctx: Context, e: Environment, at: Date, appTagOf?: string): Promise<void> {
  const started = Date.now();
  await checkPorts(ctx, e);
  const envFile = readEnvFile(ctx.root, e);
  const tag = appTagOf ?? appTag(ctx, e, true).tag;
  say(`${e.name} is not on this host: rebuilding it from its archive at ${at.toISOString()} (release ${tag})`);
  const build = appImagesPresent(PROD_APP_IMAGES, tag) ? undefined : { apps: PROD_APP_IMAGES, tag };
  const vars = {
    ...(await images(ctx, { envFile, build, vars: { CHORUS_APP_TAG: tag } })),
    ...releaseVars(envFile, tag),
  };
  const target = { project: e.project, file: e.file, envFile: e.envFile, vars };
  const imagesAt = Date.now();
  // A database volume left by an earlier prod here is not overwritten.
  const empty = await ctx.compose.runCapture(target, 'postgres', ['-c', 'test ! -e "$PGDATA/PG_VERSION"'], {
    entrypoint: 'sh',
  });
  if (empty.code !== 0)
    throw new OperatorError(
      `refused, nothing changed: ${e.project}_postgres_data_${e.name} holds a database, though ${e.name} does not run: start it with \`make run-${e.name}\` and restore then, or remove it with \`make clean-${e.name}\``,
      { exitCode: EXIT.config },
    );
  const listed = await ctx.compose.runCapture(target, BACKUP_SERVICE, ['node', '/app/main.cjs', 'list', '--archive']);
  const listing = listed.code === 0 ? backupListing.safeParse(lastJson(listed.out)) : undefined;
  if (!listing?.success)
    throw new OperatorError(
      `the backup service could not read ${e.name}'s archive (exit ${listed.code}; its message is above): check BACKUP_S3_* and BACKUP_ENCRYPTION_KEY in ${e.envFile}`,
      { exitCode: EXIT.config },
    );
  const repo = repositoryFor(listing.data.archive, at, e.name);
  say(
    `${e.name}: restoring the data directory from repo${repo.repo} (it reaches ${repo.window!.earliest} to ${repo.window!.latest})`,
  );
  const databaseMs = await restoreDataDirectory(ctx, target, repo.repo, at, { user: '0:0' });
  if ((await ctx.compose.upService(target, 'postgres')) !== 0)
    throw new OperatorError(`Postgres did not start on the restored data directory; \`make logs-${e.name}\` shows why`);
  await promoted(ctx, e.project);
  const replayedAt = Date.now();
  say(
    `${e.name}: the database is the archive at ${at.toISOString()} (restored in ${seconds(databaseMs)}, replayed in ${seconds(replayedAt - imagesAt - databaseMs)}); starting ${e.name}`,
  );
  await deploy(ctx, e, { build: false, tag });
  const upAt = Date.now();
  const { tasks } = await readModelComplete(ctx, e.project);
  say(
    `${e.name} rebuilt at ${at.toISOString()} in ${seconds(Date.now() - started)}: images ${seconds(imagesAt - started)}, database ${seconds(replayedAt - imagesAt)}, start ${seconds(upAt - replayedAt)}, read model complete ${seconds(Date.now() - upAt)}; ${tasks} tasks`,
  );
}

/** The last line of a command's output that is JSON (a tool prints its result last). */
function lastJson(out: string): unknown {
  const line = out.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
