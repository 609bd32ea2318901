/**
 * Before `make run-prod` recreates anything on a prod that runs: this checkout's secrets must open prod's
 * data, and this checkout must not be older than the release prod runs (`make rollback-prod` is the way back).
 * A second clone with its own env file would otherwise recreate prod's containers with passwords its data
 * was never made with, and leave prod down. Each refusal exits 2, changes nothing, and names the checkout
 * whose env file made prod.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, OperatorError } from '@chorus/errors';
import { docker } from './compose.ts';
import type { Context } from './context.ts';
import { readEnvFile } from './env-file.ts';
import type { Environment } from './environments.ts';
import { capture } from './processes.ts';
import { DIRTY, checkoutRelease } from './release.ts';

const refuse = (message: string) => new OperatorError(message, { exitCode: EXIT.config });

interface Running {
  service: string;
  image: string;
  envFile: string;
}

/** The project's running containers: their service, image and the env file Compose started them with. */
function running(project: string): Running[] {
  const format =
    '{{.Label "com.docker.compose.service"}}\t{{.Image}}\t{{.Label "com.docker.compose.project.environment_file"}}';
  return docker(['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', format])
    .out.split('\n')
    .filter(Boolean)
    .map((line) => {
      const [service = '', image = '', envFile = ''] = line.split('\t');
      return { service, image, envFile };
    });
}

/** Whether a password opens the service: true, false (refused), or undefined (no clear answer: not judged). */
async function opens(ctx: Context, project: string, service: 'postgres' | 'redis', password: string, user = '') {
  if (service === 'postgres') {
    // Through the service's own name, not the socket or loopback, which the image trusts without a password.
    const r = await ctx.compose.execResult(
      project,
      'postgres',
      ['sh', '-c', 'exec psql -h postgres -U "$1" -d "$POSTGRES_DB" -tAc "select 1"', 'psql', user],
      { env: { PGPASSWORD: password } },
    );
    if (r.code === 0) return true;
    return /password authentication failed|no password supplied/.test(r.err) ? false : undefined;
  }
  const r = await ctx.compose.execResult(
    project,
    'redis',
    ['sh', '-c', 'exec "$(command -v valkey-cli || command -v redis-cli)" --no-auth-warning ping'],
    { env: { REDISCLI_AUTH: password } },
  );
  if (r.out === 'PONG') return true;
  return /WRONGPASS|NOAUTH|invalid username-password/i.test(`${r.out} ${r.err}`) ? false : undefined;
}

/** The release prod's web app runs (its image's tag, chorus/web:<release>), if it runs. */
const runningRelease = (containers: Running[]) =>
  containers.find((c) => c.service === 'chorus-web')?.image.match(/^chorus\/web:(.+)$/)?.[1];

const commitOf = (ctx: Context, release: string) => {
  const r = capture('git', ['-C', ctx.root, 'rev-parse', '--verify', '-q', `${release.replace(DIRTY, '')}^{commit}`]);
  return r.ok ? r.out : undefined;
};

export async function checkDeployable(ctx: Context, e: Environment): Promise<void> {
  const containers = running(e.project);
  const envPath = resolve(ctx.root, e.envFile);
  if (containers.length === 0 || !existsSync(envPath)) return;
  const owner = containers.find((c) => c.envFile)?.envFile;
  const elsewhere = owner && owner !== envPath;
  const madeBy = elsewhere
    ? `prod was started with ${owner}. Copy that file here (cp ${owner} ${envPath}) and run make run-prod again, or deploy from that checkout`
    : `restore the ${e.envFile} prod was made with and run make run-prod again`;
  const env = readEnvFile(ctx.root, e);
  const names = new Set(containers.map((c) => c.service));
  const refused: string[] = [];
  if (
    names.has('postgres') &&
    (await opens(ctx, e.project, 'postgres', env.POSTGRES_PASSWORD ?? '', env.POSTGRES_USER)) === false
  )
    refused.push(`Postgres refuses its POSTGRES_PASSWORD for ${env.POSTGRES_USER}`);
  if (names.has('redis') && env.REDIS_PASSWORD && (await opens(ctx, e.project, 'redis', env.REDIS_PASSWORD)) === false)
    refused.push('Redis refuses its REDIS_PASSWORD');
  if (refused.length > 0)
    throw refuse(
      `prod runs, and this checkout's ${e.envFile} does not open its data: ${refused.join('; ')}. ` +
        `Starting prod with it would lock its services out and take prod down, so nothing was changed. ${madeBy}.`,
    );

  const prodRelease = runningRelease(containers);
  const here = checkoutRelease(ctx);
  if (!prodRelease || !here || prodRelease === here) return;
  const theirs = commitOf(ctx, prodRelease);
  const ours = commitOf(ctx, here);
  if (!theirs)
    throw refuse(
      `prod runs release ${prodRelease}, which this checkout (${here}) does not have: it may be newer. ` +
        `Bring this checkout up to it (git fetch, then check out ${prodRelease} or a later commit) and run make run-prod again${elsewhere ? `, or deploy from the checkout that started prod (${owner})` : ''}; nothing was changed.`,
    );
  const older =
    ours !== theirs && capture('git', ['-C', ctx.root, 'merge-base', '--is-ancestor', ours ?? 'HEAD', theirs]).ok;
  if (older)
    throw refuse(
      `this checkout's release ${here} is older than ${prodRelease}, which prod runs, so nothing was changed. ` +
        `make rollback-prod returns prod to the release before; to deploy this one, check out ${prodRelease} or a later commit (git pull).`,
    );
}
