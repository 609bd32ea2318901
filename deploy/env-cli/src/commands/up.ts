/** `make run-prod`, `make run-dev`: build the apps, start the environment and wait until it is healthy (idempotent). */
import { APP_IMAGES, SHARED_TAG } from '../app-images.ts';
import { images, upHealthy } from '../bring-up.ts';
import { docker } from '../compose.ts';
import type { Context } from '../context.ts';
import { devNativeVars, hostUser } from '../dev-native.ts';
import { ensureProdEnvFile, readEnvFile } from '../env-file.ts';
import type { Environment } from '../environments.ts';
import { say, seconds } from '../output.ts';
import { checkDocker, checkPorts } from '../preflight.ts';
import { connectorOutcome } from '../system.ts';

/** The environment's env file, prod's made or completed first (its secrets generated, never shown). */
function envFileOf(ctx: Context, e: Environment): Record<string, string> {
  if (e.name === 'prod') {
    const volume = `${e.project}_postgres_data_prod`;
    const existing = docker(['volume', 'inspect', volume]).ok ? volume : undefined;
    const made = ensureProdEnvFile(ctx.root, e, ctx.env.POSTGRES_PASSWORD, existing);
    if (made === 'created') say(`created ${e.envFile} with a ${ctx.env.POSTGRES_PASSWORD ? 'supplied' : 'generated'} database password (not shown)`);
    else if (made !== 'kept') say(`added generated ${made.added.join(', ')} to ${e.envFile} (not shown)`);
  }
  return readEnvFile(ctx.root, e);
}

export async function up(ctx: Context, e: Environment, { build }: { build: boolean }) {
  const started = Date.now();
  checkDocker();
  await checkPorts(ctx, e);
  const imagesStarted = Date.now();
  const vars = await images(ctx, {
    envFile: envFileOf(ctx, e),
    build: build ? { apps: APP_IMAGES, tag: SHARED_TAG } : undefined,
    vars: { CHORUS_APP_TAG: SHARED_TAG, ...(e.name === 'dev' ? { ...hostUser(), ...devNativeVars(ctx) } : {}) },
  });
  const buildMs = Date.now() - imagesStarted;
  const composeStarted = Date.now();
  say(`starting ${e.name} (${e.file})`);
  await upHealthy(ctx, { project: e.project, file: e.file, envFile: e.envFile, vars }, { what: e.name, hint: `; see \`make logs-${e.name}\`` });
  const ready = Date.now();
  const connector = connectorOutcome(e.project);
  const connectorMs = connector.finishedAt && connector.finishedAt > composeStarted ? connector.finishedAt - composeStarted : undefined;
  if (connector.summary) say(connector.summary);
  say(
    `${e.name} ready in ${seconds(ready - started)}: images ${seconds(buildMs)}, ` +
      `${connectorMs !== undefined ? `connector RUNNING after ${seconds(connectorMs)}, ` : ''}all services healthy after ${seconds(ready - composeStarted)}`,
  );
  if (e.url) say(`${e.name} UI: ${e.url}`);
}
