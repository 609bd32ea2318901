/** `make rebuild-read-model-<env>`: the read model rebuilt from Postgres while streaming goes on (read-model-rebuild.ts). */
import type { Context } from '../context.ts';
import type { Environment } from '../environments.ts';
import { checkDocker } from '../preflight.ts';
import { rebuildReadModel } from '../read-model-rebuild.ts';

export async function rebuild(ctx: Context, e: Environment) {
  checkDocker();
  await rebuildReadModel(ctx, e.project, e.name);
}
