/** `make restore-prod BACKUP=<name>`: prod's database back to a backup, and everything after it in step (backups.ts). */
import { OperatorError } from '@chorus/errors';
import { restoreBackup } from '../backups.ts';
import { images, releaseVars } from '../bring-up.ts';
import type { Context } from '../context.ts';
import { readEnvFile } from '../env-file.ts';
import type { Environment } from '../environments.ts';
import { say, seconds } from '../output.ts';
import { checkDocker } from '../preflight.ts';
import { readState } from '../release.ts';

export async function restore(ctx: Context, e: Environment, name: string | undefined): Promise<void> {
  checkDocker();
  if (!name)
    throw new OperatorError(
      `name the backup to restore: make restore-${e.name} BACKUP=<name> (\`make backups-${e.name}\` lists them)`,
      { exitCode: 2 },
    );
  const envFile = readEnvFile(ctx.root, e);
  const current = readState(ctx, e)?.current;
  if (!current)
    throw new OperatorError(
      `${e.name} has no recorded release to restore into: deploy it with \`make run-${e.name}\` first`,
    );
  // The bring-up after the database is replaced runs the release prod runs, from its file as deployed.
  const vars = { ...(await images(ctx, { envFile, vars: {} })), ...releaseVars(envFile, current.release) };
  const report = await restoreBackup(
    ctx,
    {
      envName: e.name,
      target: { project: e.project, file: current.file, envFile: e.envFile, vars },
      superuser: { user: envFile.POSTGRES_USER!, password: envFile.POSTGRES_PASSWORD! },
    },
    name,
  );
  say(
    `${e.name} restored from backup ${name} in ${seconds(report.totalMs)}: database ${seconds(report.databaseMs)}, read model complete ${seconds(report.readModelMs)} after the connector resumed; ${report.tasks} tasks`,
  );
}
