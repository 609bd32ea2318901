/** `make logs-<env>`: follow an environment's logs; exits as Compose does. */
import type { Context } from '../context.ts';
import type { Environment } from '../environments.ts';
import { checkDocker } from '../preflight.ts';

export async function logs({ compose }: Context, e: Environment): Promise<number> {
  checkDocker();
  return compose.logs(e.project, { follow: true });
}
