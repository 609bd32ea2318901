/** `make images`: every third-party image made present (here already, else pulled, else built offline). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../context.ts';
import { readEnvFile } from '../env-file.ts';
import type { Environment } from '../environments.ts';
import { describeImages, resolveImages, wantedImages } from '../images.ts';
import { print } from '../output.ts';
import { checkDocker } from '../preflight.ts';

/** With `print`, NAME=reference lines for scripts (the Makefile's RESOLVED_IMAGES). */
export async function images(ctx: Context, o: { env: Environment; print?: boolean }) {
  checkDocker();
  const envFile = existsSync(join(ctx.root, o.env.envFile)) ? readEnvFile(ctx.root, o.env) : {};
  const resolved = await resolveImages(ctx, { wanted: wantedImages(envFile, ctx.env) });
  if (o.print) for (const r of resolved) print(`${r.key}=${r.ref}`);
  else describeImages(resolved);
}
