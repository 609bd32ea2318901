/** `make stop-prod`, `make stop-dev`: stop an environment by its project name alone, so it works even without its env file. */
import { OperatorError } from '@chorus/errors';
import type { Context } from '../context.ts';
import type { Environment } from '../environments.ts';
import { say } from '../output.ts';
import { checkDocker } from '../preflight.ts';

export async function down({ compose }: Context, e: Environment) {
  checkDocker();
  const code = await compose.down(e.project);
  if (code !== 0)
    throw new OperatorError(`stopping ${e.name} failed (docker compose down exited ${code}); the lines above say why`);
  say(`${e.name}: stopped; its volumes are kept`);
}
