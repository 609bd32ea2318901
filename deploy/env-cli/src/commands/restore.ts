/**
 * `make restore-prod BACKUP=<name>` (an export) and `make restore-prod AT=<time>` (the archive): prod's database
 * back to a backup or a moment, and everything after it in step (backups.ts).
 */
import { OperatorError } from '@chorus/errors';
import { restoreBackup, restoreToTime } from '../backups.ts';
import { images, releaseVars } from '../bring-up.ts';
import type { Context } from '../context.ts';
import { readEnvFile } from '../env-file.ts';
import type { Environment } from '../environments.ts';
import { say, seconds } from '../output.ts';
import { checkDocker } from '../preflight.ts';
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
  { at }: { at?: string } = {},
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
