/**
 * An earlier release of this repository, as `make upgrade-check` runs it: its commit checked out in a
 * worktree of its own, its app images built from that tree under a tag of the check's own (never
 * `local` or a release tag prod runs), its third-party images made the way that release made them, and
 * its prod Compose file with those app images and without host ports, so that it never meets a real prod.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { OperatorError } from '@chorus/errors';
import type { Context } from 'env-cli/context.ts';
import { say } from 'env-cli/output.ts';
import { attached, capture } from 'env-cli/processes.ts';

/** The releases an upgrade must start from, one commit a line (`#` starts a comment). */
export const UPGRADE_FROM = 'deploy/compose/upgrade-from.txt';

/** The release's projects with an image target (apps, and later deploy/monitoring), with its command. */
function imageProjects(dir: string): { name: string; command: string }[] {
  const listed = capture('git', ['-C', dir, 'ls-files', 'apps/*/package.json', 'deploy/*/package.json']);
  return listed.out
    .split('\n')
    .filter(Boolean)
    .flatMap((file) => {
      const manifest = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        name: string;
        nx?: { targets?: { image?: { command?: string } } };
      };
      const command = manifest.nx?.targets?.image?.command;
      return command ? [{ name: manifest.name, command }] : [];
    });
}

export interface ListedRelease {
  commit: string;
  why: string;
}

export function listedReleases(text: string): ListedRelease[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [commit, ...why] = line.split(/\s+/);
      if (!/^[0-9a-f]{7,40}$/.test(commit!))
        throw new OperatorError(`${UPGRADE_FROM}: "${line}" does not start with a commit (7 to 40 hex digits)`);
      return { commit: commit!, why: why.join(' ') };
    });
}

export interface EarlierRelease {
  commit: string;
  /** The worktree, removed by `dispose`. */
  dir: string;
  /** The app images' tag. */
  tag: string;
  /** Its prod Compose file, rewritten (app image tags, no host ports), in a temp folder. */
  file: string;
  /** Interpolation variables for it: the third-party images it resolved, when it resolves them. */
  vars: Record<string, string>;
  dispose(): void;
}

const git = (ctx: Context, args: string[]) => capture('git', ['-C', ctx.root, ...args]);

/** The release's prod file, its chorus/* images on `tag`, and no service publishing a host port. */
export function rewriteProdFile(path: string, tag: string): string {
  const dir = dirname(path);
  const file = parse(readFileSync(path, 'utf8'), { merge: true }) as {
    services: Record<string, { image?: string; ports?: unknown; volumes?: unknown[] }>;
  };
  for (const service of Object.values(file.services)) {
    if (service.image?.startsWith('chorus/')) service.image = `${service.image.split(':')[0]}:${tag}`;
    delete service.ports;
    // The copy lives elsewhere: a path relative to the original file (the proxy's configuration) is made absolute.
    service.volumes = service.volumes?.map((v) =>
      typeof v === 'string' && /^\.\.?\//.test(v)
        ? `${resolve(dir, v.split(':')[0]!)}:${v.split(':').slice(1).join(':')}`
        : v,
    );
    if (!service.volumes) delete service.volumes;
  }
  return stringify(file);
}

async function step(
  what: string,
  command: string,
  args: string[],
  o: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<void> {
  const code = await attached(command, args, { cwd: o.cwd, env: o.env });
  if (code !== 0)
    throw new OperatorError(`${what} failed (${command} ${args.join(' ')} exited ${code}); the lines above say why`);
}

/**
 * Checks the release out and builds it. Images: a release with infrastructure/versions.env resolves its
 * own (`env images --print`, as its make did); an older one ran infrastructure/images/build.sh, which
 * offline builds look-alikes under upstream names (as such a host really has them), and with a
 * registry left them to Compose to pull.
 */
export async function prepareRelease(ctx: Context, commit: string, tag: string): Promise<EarlierRelease> {
  if (!git(ctx, ['cat-file', '-e', `${commit}^{commit}`]).ok) {
    throw new OperatorError(
      `commit ${commit} (listed in ${UPGRADE_FROM}) is not in this clone: fetch it (git fetch origin ${commit}), or clone without --depth`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), `chorus-release-${commit}-`));
  const work = mkdtempSync(join(tmpdir(), 'chorus-upgrade-'));
  const dispose = () => {
    git(ctx, ['worktree', 'remove', '--force', dir]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    git(ctx, ['worktree', 'prune']);
  };
  try {
    const added = git(ctx, ['worktree', 'add', '--detach', '--force', dir, commit]);
    if (!added.ok) throw new OperatorError(`could not check out ${commit}: ${added.err}`);
    say(`release ${commit}: checked out; installing its dependencies (npm ci)`);
    const env = { ...ctx.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', CHORUS_APP_TAG: tag };
    await step(`npm ci for ${commit}`, 'npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env });
    const vars: Record<string, string> = {};
    if (existsSync(join(dir, 'infrastructure/versions.env'))) {
      await step(`building ${commit}'s env CLI`, 'npx', ['nx', 'run', 'env-cli:build', '--output-style=static'], {
        cwd: dir,
        env,
      });
      const printed = capture('node', ['deploy/env-cli/dist/env.cjs', 'images', '--env', 'test', '--print'], {
        cwd: dir,
        env,
      });
      if (!printed.ok)
        throw new OperatorError(`${commit}'s image step failed: ${printed.err.split('\n').slice(-3).join(' ')}`);
      for (const line of printed.out.split('\n')) {
        const match = /^([A-Z_]+_IMAGE)=(\S+)$/.exec(line);
        if (match) vars[match[1]!] = match[2]!;
      }
    } else if ((ctx.env.CHORUS_IMAGES ?? 'auto') === 'local') {
      await step(
        `${commit}'s image step (infrastructure/images/build.sh)`,
        'bash',
        ['infrastructure/images/build.sh'],
        { cwd: dir, env },
      );
    }
    say(`release ${commit}: building its app images (chorus/*:${tag})`);
    const apps = imageProjects(dir);
    if (apps.some((a) => /:local(\s)/.test(a.command))) {
      // Releases before CHORUS_APP_TAG wrote :local; this check never does.
      await step(
        `building ${commit}'s apps`,
        'npx',
        ['nx', 'run-many', '-t', 'build', '-p', ...apps.map((a) => a.name), '--output-style=static'],
        { cwd: dir, env },
      );
      for (const app of apps) {
        const command = app.command.replace(/:local(\s)/, `:${tag}$1`);
        await step(`building ${commit}'s ${app.name} image`, 'bash', ['-c', command], {
          cwd: dir,
          env: { ...env, ...vars },
        });
      }
    } else {
      // Each image with what it depends on (its build, the monitoring image's agent), as the release's make did.
      await step(
        `building ${commit}'s images`,
        'npx',
        ['nx', 'run-many', '-t', 'image', '-p', ...apps.map((a) => a.name), '--output-style=static'],
        { cwd: dir, env: { ...env, ...vars } },
      );
    }
    const file = join(work, 'docker-compose.prod.yml');
    writeFileSync(file, rewriteProdFile(join(dir, 'deploy/compose/docker-compose.prod.yml'), tag));
    return { commit, dir, tag, file, vars, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}
