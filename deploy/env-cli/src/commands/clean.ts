/** `make clean-prod`, `make clean-dev`: stop an environment and delete its volumes, after asking. */
import { OperatorError } from '@chorus/errors';
import type { Context } from '../context.ts';
import type { Environment } from '../environments.ts';
import { ask, say } from '../output.ts';
import { checkDocker } from '../preflight.ts';

export async function clean({ compose }: Context, e: Environment, { yes }: { yes: boolean }) {
  checkDocker();
  if (!yes) {
    if (!process.stdin.isTTY)
      throw new OperatorError(`refusing to delete ${e.name}'s volumes without a terminal to ask; pass --yes`);
    const answer = await ask(`Delete ${e.name}'s containers AND volumes (all its data)? Type "${e.name}" to confirm: `);
    if (answer.trim() !== e.name) {
      say('nothing deleted');
      return;
    }
  }
  const code = await compose.down(e.project, { volumes: true });
  if (code !== 0)
    throw new OperatorError(
      `deleting ${e.name} failed (docker compose down --volumes exited ${code}); its data may still be there`,
    );
  say(`${e.name}: containers and volumes removed`);
}
