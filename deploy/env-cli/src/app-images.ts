import { OperatorError } from '@chorus/errors';
import { docker } from './compose.ts';
import type { ComposeFile } from './compose-file.ts';
import type { Context } from './context.ts';
import { attached } from './processes.ts';

/** The images every environment builds (its apps, Prometheus with its rules, Alertmanager's configuration); a run project adds the tester. */
export const APP_IMAGES = [
  'chorus-web',
  'chorus-stream-processor',
  'setup-connector',
  'monitoring',
  'proxy',
  'alerting-config',
];
/** prod's, and a prod-like project's: the apps, the backup service and Postgres with pgBackRest. */
export const PROD_APP_IMAGES = [...APP_IMAGES, 'postgres', 'chorus-backup'];
export const TESTER_IMAGE = 'chorus-tester';
/** The one-shot that copies a run's CA certificate (the proxy's own CA) where the tester trusts it from. */
export const TESTER_CA_SERVICE = 'proxy-ca';

/**
 * The tag of dev's app images, rebuilt on every `make run-dev`. prod's carry its release (release.ts), a
 * test run its own project name: none of them writes another's.
 */
export const DEV_TAG = 'local';

/**
 * Builds the app images through Nx (each from its bundle, on the resolved Node image; the backup image on
 * the resolved Postgres image, the monitoring image on the resolved Prometheus image, the proxy on the resolved
 * Caddy image), tagged `tag` (tools/app-image.sh); resolves to the time it took.
 */
export async function buildAppImages(
  ctx: Pick<Context, 'root' | 'env' | 'versions'>,
  projects: string[],
  bases: { NODE_IMAGE?: string; POSTGRES_IMAGE?: string; PROMETHEUS_IMAGE?: string; CADDY_IMAGE?: string },
  tag = DEV_TAG,
): Promise<number> {
  const started = Date.now();
  const code = await attached('npx', ['nx', 'run-many', '-t', 'image', '-p', ...projects, '--output-style=static'], {
    cwd: ctx.root,
    stdin: 'inherit',
    env: {
      ...ctx.env,
      NODE_IMAGE: bases.NODE_IMAGE,
      POSTGRES_IMAGE: bases.POSTGRES_IMAGE,
      PROMETHEUS_IMAGE: bases.PROMETHEUS_IMAGE,
      CADDY_IMAGE: bases.CADDY_IMAGE,
      PGBACKREST_VERSION: ctx.versions().PGBACKREST_VERSION,
      CHORUS_APP_TAG: tag,
    },
  });
  if (code !== 0)
    throw new OperatorError(
      `building the images failed (nx run-many -t image exited ${code}); the lines above say why`,
    );
  return Date.now() - started;
}

/**
 * App images a release also runs under a tag of their content, by the variable that names it: one that a release
 * leaves as it was then leaves its container running, and what takes that container's volumes. The proxy (prod
 * stops while it restarts), the monitoring image's JMX agent, which Kafka and Connect load from its container,
 * and Postgres (writes pause while it restarts).
 */
const CONTENT_TAGGED: Record<string, string> = {
  proxy: 'CHORUS_PROXY_TAG',
  monitoring: 'CHORUS_MONITORING_TAG',
  postgres: 'CHORUS_POSTGRES_TAG',
};

/** Those images of release `tag`, tagged by their content; a variable for each (none for an image the release lacks). */
export function contentTagVars(tag: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [app, variable] of Object.entries(CONTENT_TAGGED)) {
    const image = `chorus/${app}:${tag}`;
    const id = docker(['image', 'inspect', '--format', '{{.Id}}', image]).out.trim();
    if (!id) continue;
    const byContent = `content-${id.replace(/^sha256:/, '').slice(0, 12)}`;
    if (!docker(['tag', image, `chorus/${app}:${byContent}`]).ok)
      throw new OperatorError(`could not tag ${image} as chorus/${app}:${byContent}`);
    vars[variable] = byContent;
  }
  return vars;
}

/** Whether every app image of `tag` is on this machine. */
export const appImagesPresent = (apps: string[], tag: string) =>
  apps.every(
    (app) => docker(['image', 'inspect', '--format', '{{.Id}}', `chorus/${app.replace(/^chorus-/, '')}:${tag}`]).ok,
  );

/** The app images (chorus/<name>) a Compose file runs, in the form appImagesPresent takes. */
export function appImagesOf(file: ComposeFile): string[] {
  const names = Object.values(file.services).flatMap((s) =>
    typeof s.image === 'string' && s.image.startsWith('chorus/') ? [s.image.split(':')[0]!] : [],
  );
  return [...new Set(names)].map((name) => name.replace('chorus/', 'chorus-'));
}

/** Every tag the app images carry (chorus/<app>:<tag>), once each. */
export function appImageTags(): string[] {
  return [
    ...new Set(
      docker(['images', '--filter', 'reference=chorus/*', '--format', '{{.Tag}}']).out.split('\n').filter(Boolean),
    ),
  ];
}

/** The app image references tagged `tag` (chorus/<app>:<tag>). */
export function appImageRefs(tag: string): string[] {
  return docker(['images', '--filter', `reference=chorus/*:${tag}`, '--format', '{{.Repository}}:{{.Tag}}'])
    .out.split('\n')
    .filter(Boolean);
}

/** Untags a test run's app images; one that no other tag names (its code differed from :local) is removed. */
export function removeAppImageTags(tag: string): boolean {
  if (tag === DEV_TAG) return true;
  const refs = appImageRefs(tag);
  return refs.length === 0 || docker(['image', 'rm', ...refs]).ok;
}
