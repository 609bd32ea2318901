/** `make rollback-prod`: prod back to the release it ran before (bring-up.ts, rollBack), keeping its data. */
import { rollBack } from '../bring-up.ts';
import type { Context } from '../context.ts';
import type { Environment } from '../environments.ts';
import { checkDocker } from '../preflight.ts';

export async function rollback(ctx: Context, e: Environment): Promise<void> {
  checkDocker();
  await rollBack(ctx, e);
}
