import { OperatorError } from '@chorus/errors';
import { docker } from './compose.ts';
import type { Context } from './context.ts';
import { attached } from './processes.ts';

/** The apps every environment runs; a run project adds the tester. */
export const APP_IMAGES = ['chorus-web', 'chorus-stream-processor', 'setup-connector'];
export const TESTER_IMAGE = 'chorus-tester';

/** The tag of the app images prod and dev run. A test run tags its own (its project name). */
export const SHARED_TAG = 'local';

/**
 * Builds the app images through Nx (each from its bundle, on the resolved Node image), tagged `tag`
 * (tools/app-image.sh); resolves to the time it took.
 */
export async function buildAppImages(ctx: Pick<Context, 'root' | 'env'>, projects: string[], nodeImage: string, tag = SHARED_TAG): Promise<number> {
  const started = Date.now();
  const code = await attached('npx', ['nx', 'run-many', '-t', 'image', '-p', ...projects, '--output-style=static'], {
    cwd: ctx.root,
    stdin: 'inherit',
    env: { ...ctx.env, NODE_IMAGE: nodeImage, CHORUS_APP_TAG: tag },
  });
  if (code !== 0) throw new OperatorError(`building the images failed (nx run-many -t image exited ${code}); the lines above say why`);
  return Date.now() - started;
}

/** Every tag the app images carry (chorus/<app>:<tag>), once each. */
export function appImageTags(): string[] {
  return [...new Set(docker(['images', '--filter', 'reference=chorus/*', '--format', '{{.Tag}}']).out.split('\n').filter(Boolean))];
}

/** The app image references tagged `tag` (chorus/<app>:<tag>). */
export function appImageRefs(tag: string): string[] {
  return docker(['images', '--filter', `reference=chorus/*:${tag}`, '--format', '{{.Repository}}:{{.Tag}}']).out.split('\n').filter(Boolean);
}

/** Untags a test run's app images; one that no other tag names (its code differed from :local) is removed. */
export function removeAppImageTags(tag: string): boolean {
  if (tag === SHARED_TAG) return true;
  const refs = appImageRefs(tag);
  return refs.length === 0 || docker(['image', 'rm', ...refs]).ok;
}
