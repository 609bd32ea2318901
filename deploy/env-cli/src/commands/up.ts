/** `make run-prod`, `make run-dev`: build the apps, start the environment and wait until it is healthy (idempotent). */
import { deploy } from '../bring-up.ts';
import type { Context } from '../context.ts';
import type { Environment } from '../environments.ts';
import { say, seconds } from '../output.ts';
import { checkDocker, checkPorts } from '../preflight.ts';
import { connectorOutcome } from '../system.ts';

export async function up(ctx: Context, e: Environment, { build }: { build: boolean }) {
  const started = Date.now();
  checkDocker();
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
}
