/**
 * prod's releases. A release is this checkout's version from git (`git describe --tags --always
 * --dirty`: a tag, or the commit, with `-dirty` for uncommitted changes). prod's app images carry it as
 * their tag (chorus/<app>:<release>); a clean release's images are built once and never rewritten.
 * prod's state file, beside its env file, records the release running, the one before it, and the Compose
 * file each ran (a copy), so that `make rollback-prod` can start the previous release as it was.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { OperatorError } from '@chorus/errors';
import type { Context } from './context.ts';
import type { Environment } from './environments.ts';
import { capture } from './processes.ts';

export const DIRTY = '-dirty';

/** This checkout's release, or undefined outside a git work tree (a copied folder). */
export function checkoutRelease(ctx: Pick<Context, 'root'>): string | undefined {
  const described = capture('git', ['-C', ctx.root, 'describe', '--tags', '--always', `--dirty=${DIRTY}`]);
  return described.ok && described.out ? described.out.replace(/[^A-Za-z0-9_.-]/g, '-') : undefined;
}

export const isDirty = (release: string) => release.endsWith(DIRTY);

const deployed = z.object({ release: z.string(), file: z.string(), at: z.string() });
export type Deployed = z.infer<typeof deployed>;
/** A PostgreSQL major upgrade made when `release` was deployed: the release before it cannot run again. */
const majorUpgrade = z.object({
  release: z.string(),
  from: z.number(),
  to: z.number(),
  backup: z.string(),
  at: z.string(),
});
export type MajorUpgradeRecord = z.infer<typeof majorUpgrade>;
const state = z.object({ current: deployed, previous: deployed.nullable(), majorUpgrade: majorUpgrade.optional() });
export type ReleaseState = z.infer<typeof state>;

/** Where prod's state lives: beside its env file, git-ignored like it. */
export const stateDir = (ctx: Pick<Context, 'root'>, e: Environment) =>
  join(dirname(resolve(ctx.root, e.envFile)), `.${e.name}-releases`);

export const stateFile = (ctx: Pick<Context, 'root'>, e: Environment) => join(stateDir(ctx, e), 'state.json');

export function readState(ctx: Pick<Context, 'root'>, e: Environment): ReleaseState | undefined {
  const path = stateFile(ctx, e);
  if (!existsSync(path)) return undefined;
  const parsed = state.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new OperatorError(
      `${path} is not a release state this version reads (${parsed.error.issues[0]?.message}); move it aside and start prod again`,
    );
  return parsed.data;
}

/** Records `release` as running, with a copy of the Compose file it ran; the release before it becomes the previous one. */
export function recordRelease(
  ctx: Pick<Context, 'root'>,
  e: Environment,
  release: string,
  composeFile: string,
  upgraded?: Omit<MajorUpgradeRecord, 'release' | 'at'>,
): ReleaseState {
  const dir = stateDir(ctx, e);
  mkdirSync(join(dir, release), { recursive: true });
  const file = join(dir, release, 'docker-compose.yml');
  // A rollback runs the copy itself: it is kept as it is.
  if (resolve(ctx.root, composeFile) !== file) copyFileSync(resolve(ctx.root, composeFile), file);
  const before = readState(ctx, e);
  const at = new Date().toISOString();
  const current = { release, file, at };
  const same = before?.current.release === release;
  const next: ReleaseState = same
    ? { current, previous: before.previous }
    : { current, previous: before?.current ?? null };
  // Kept while the release that made it runs: it is what stops a rollback across the upgrade.
  const record = upgraded ? { release, at, ...upgraded } : same ? before.majorUpgrade : undefined;
  if (record) next.majorUpgrade = record;
  writeFileSync(stateFile(ctx, e), `${JSON.stringify(next, null, 2)}\n`);
  return next;
}
