/** `make run-prod`, `make run-dev`: build the apps, start the environment and wait until it is healthy (idempotent). */
import { deploy } from '../bring-up.ts';
import { certificateMode } from '../certificates.ts';
import { checkDeployable } from '../deploy-guard.ts';
import { readEnvFile } from '../env-file.ts';
import type { Context } from '../context.ts';
import type { Environment } from '../environments.ts';
import { say, seconds } from '../output.ts';
import { checkDocker, checkPorts } from '../preflight.ts';
import { connectorOutcome } from '../system.ts';

export async function up(ctx: Context, e: Environment, { build }: { build: boolean }) {
  const started = Date.now();
  checkDocker();
  if (e.name === 'prod') await checkDeployable(ctx, e);
  await checkPorts(ctx, e);
  const { imagesMs, upStartedAt } = await deploy(ctx, e, { build });
  const ready = Date.now();
  const connector = connectorOutcome(e.project);
  const connectorMs =
    connector.finishedAt && connector.finishedAt > upStartedAt ? connector.finishedAt - upStartedAt : undefined;
  if (connector.summary) say(connector.summary);
  say(
    `${e.name} ready in ${seconds(ready - started)}: images ${seconds(imagesMs)}, ` +
      `${connectorMs !== undefined ? `connector RUNNING after ${seconds(connectorMs)}, ` : ''}all services healthy after ${seconds(ready - upStartedAt)}`,
  );
  if (e.url) say(`${e.name} UI: ${e.url}`);
  if (e.name === 'prod' && certificateMode(readEnvFile(ctx.root, e)) === 'internal')
    say("its certificate is from prod's own CA: `make ca-prod` prints its fingerprint and how to trust it");
}
