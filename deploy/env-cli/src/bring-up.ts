/**
 * The one bring-up of an environment, used by `make run-prod`, `make run-dev` and every run project
 * (test, chaos, bench), in two steps: the images (third-party ones resolved, the apps built), then
 * `docker compose up --wait` until healthy, or an error that shows why not.
 */
import { OperatorError } from '@chorus/errors';
import { buildAppImages } from './app-images.ts';
import type { ComposeTarget } from './compose.ts';
import type { Context } from './context.ts';
import { explainFailure, upWaiting } from './explain.ts';
import { describeImages, dropLegacyImpostors, imageVars, resolveImages, wantedImages } from './images.ts';

export interface ImagesStep {
  /** The environment's env file, as read: its *_IMAGE lines may point at mirrors. */
  envFile: Record<string, string>;
  /** The apps to build, tagged `tag`; none when the images are used as they are. */
  build?: { apps: string[]; tag: string };
  /** Interpolation variables beside the images' (CHORUS_APP_TAG, CHORUS_RESTART, …). */
  vars: Record<string, string>;
}

/** Resolves the third-party images and builds the apps; resolves to the Compose variables that name them all. */
export async function images(ctx: Context, step: ImagesStep): Promise<Record<string, string>> {
  const resolved = await resolveImages(ctx, { wanted: wantedImages(step.envFile, ctx.env) });
  describeImages(resolved);
  const vars = { ...imageVars(resolved), ...step.vars };
  if (step.build) await buildAppImages(ctx, step.build.apps, vars.NODE_IMAGE!, step.build.tag);
  return vars;
}

/**
 * Brings the target up and waits until every service is healthy; otherwise shows each service's state
 * and the logs of those that failed, and throws "<what> did not become healthy: <failed> failed<hint>".
 */
export async function upHealthy(ctx: Context, target: ComposeTarget, { what, hint = '' }: { what: string; hint?: string }): Promise<void> {
  if ((await upWaiting(ctx, target)) === 0) {
    // Services that ran an older CHORUS build under an upstream name have moved off it: its tag can go.
    dropLegacyImpostors();
    return;
  }
  const failed = await explainFailure(ctx, target.project);
  throw new OperatorError(`${what} did not become healthy${failed.length ? `: ${failed.join(', ')} failed (logs above)` : ''}${hint}`);
}
