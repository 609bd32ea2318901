/**
 * The one bring-up of an environment, used by `make run-prod`, `make run-dev` and every run project
 * (test, chaos, bench), in two steps: the images (third-party ones resolved, the apps built), then
 * `docker compose up --wait` until healthy, or an error that shows why not.
 */
import { EXIT, OperatorError } from '@chorus/errors';
import {
  APP_IMAGES,
  DEV_TAG,
  PROD_APP_IMAGES,
  appImagesOf,
  appImagesPresent,
  buildAppImages,
  contentTagVars,
} from './app-images.ts';
import { PROXY_SERVICE, readComposeFile } from './compose-file.ts';
import { type ComposeTarget, docker } from './compose.ts';
import type { Context } from './context.ts';
import { devNativeVars, hostUser } from './dev-native.ts';
import { certificateMode, loadRenewedCertificate } from './certificates.ts';
import { ensureProdEnvFile, readEnvFile } from './env-file.ts';
import type { Environment } from './environments.ts';
import { explainFailure, upWaiting } from './explain.ts';
import { describeImages, dropLegacyImpostors, imageVars, resolveImages, wantedImages } from './images.ts';
import {
  alignConnectors,
  finishMajorUpgrade,
  pendingMajorUpgrade,
  prepareMajorUpgrade,
  type UpgradeReport,
  type UpgradeTarget,
} from './major-upgrade.ts';
import { say } from './output.ts';
import { behindProxy, oneShotsBefore, rollApps, stopsAhead } from './rolling.ts';
import { type ReleaseState, checkoutRelease, isDirty, readState, recordRelease, stateFile } from './release.ts';

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
  if (step.build) await buildAppImages(ctx, step.build.apps, vars, step.build.tag);
  return vars;
}

/**
 * Brings the target up and waits until every service is healthy; otherwise shows each service's state
 * and the logs of those that failed, and throws "<what> did not become healthy: <failed> failed<hint>".
 */
export async function upHealthy(
  ctx: Context,
  target: ComposeTarget,
  { what, hint = '', services }: { what: string; hint?: string; services?: string[] },
): Promise<void> {
  if ((await upWaiting(ctx, target, services)) === 0) {
    // Services that ran an older CHORUS build under an upstream name have moved off it: its tag can go.
    dropLegacyImpostors();
    // prod with its own CA: a certificate proxy-certs renewed in this bring-up is served from now on.
    if (!services && target.vars?.CHORUS_CERTS === 'internal' && (await loadRenewedCertificate(ctx, target.project)))
      say("the proxy loaded its new certificate from prod's own CA");
    return;
  }
  const failed = await explainFailure(ctx, target.project);
  throw new OperatorError(
    `${what} did not become healthy${failed.length ? `: ${failed.join(', ')} failed (logs above)` : ''}${hint}`,
  );
}

/** The environment's env file, prod's made or completed first (its secrets generated, never shown). */
function envFileOf(ctx: Context, e: Environment): Record<string, string> {
  if (e.name === 'prod') {
    const volume = `${e.project}_postgres_data_prod`;
    const existing = docker(['volume', 'inspect', volume]).ok ? volume : undefined;
    const made = ensureProdEnvFile(ctx.root, e, ctx.env.POSTGRES_PASSWORD, existing);
    if (made === 'created')
      say(
        `created ${e.envFile} with a ${ctx.env.POSTGRES_PASSWORD ? 'supplied' : 'generated'} database password (not shown)`,
      );
    else if (made !== 'kept') say(`added generated ${made.added.join(', ')} to ${e.envFile} (not shown)`);
  }
  return readEnvFile(ctx.root, e);
}

/**
 * What prod's file is interpolated with to run `release`: its app images, some of them by content as well
 * (contentTagVars), and where its certificate comes from (the proxy's Caddyfile imports that mode's settings). Every bring-up of prod uses it: a deploy, a rollback, a restore.
 */
export function releaseVars(envFile: Record<string, string>, release: string): Record<string, string> {
  return { CHORUS_APP_TAG: release, CHORUS_CERTS: certificateMode(envFile), ...contentTagVars(release) };
}

export interface Deployment {
  /** The Compose variables it ran with: the images resolved, the app tag. */
  vars: Record<string, string>;
  imagesMs: number;
  /** When `docker compose up` started (ms). */
  upStartedAt: number;
  /** prod: the release it runs now, and the one before. */
  releases?: ReleaseState;
  /** The PostgreSQL major upgrade this deployment made. */
  upgrade?: UpgradeReport;
}

/**
 * The app tag an environment runs, and whether to build it: dev's own, rebuilt each time; prod's release,
 * built once while its tree is clean (a clean release's images are never rewritten).
 */
export function appTag(ctx: Context, e: Environment, build: boolean): { tag: string; build: boolean } {
  if (e.name !== 'prod') return { tag: DEV_TAG, build };
  const release = checkoutRelease(ctx);
  if (!release)
    throw new OperatorError(
      'prod runs a release named from git, and this folder is not a git checkout: deploy prod from a clone of the repository',
    );
  if (isDirty(release)) {
    say(
      `WARNING: the working tree has uncommitted changes, so prod gets release ${release}: built from them, not reproducible from git, ` +
        `and rewritten by the next dirty start. Commit (or stash) them and run make run-prod again to deploy a release you can return to.`,
    );
    return { tag: release, build: true };
  }
  if (appImagesPresent(PROD_APP_IMAGES, release)) {
    say(`release ${release}: its images are here already (chorus/*:${release}), so they are not rebuilt`);
    return { tag: release, build: false };
  }
  return { tag: release, build };
}

/**
 * prod or dev after its preflight (`make run-prod`, `make run-dev`), and `make upgrade-check`'s upgrade:
 * the env file, the images, then the environment up and healthy. prod records the release it now runs.
 * `tag` names the app images instead of the release (the upgrade check's own).
 */
export async function deploy(ctx: Context, e: Environment, o: { build: boolean; tag?: string }): Promise<Deployment> {
  const started = Date.now();
  const { tag, build } = o.tag ? { tag: o.tag, build: o.build } : appTag(ctx, e, o.build);
  if (e.name === 'prod') say(`deploying release ${tag} to ${e.name}`);
  const envFile = envFileOf(ctx, e);
  const resolved = await images(ctx, {
    envFile,
    build: build ? { apps: e.name === 'prod' ? PROD_APP_IMAGES : APP_IMAGES, tag } : undefined,
    vars: { CHORUS_APP_TAG: tag, ...(e.name === 'dev' ? { ...hostUser(), ...devNativeVars(ctx) } : {}) },
  });
  const vars = e.name === 'prod' ? { ...resolved, ...releaseVars(envFile, tag) } : resolved;
  const imagesMs = Date.now() - started;
  const target = { project: e.project, file: e.file, envFile: e.envFile, vars };
  const upgradeTarget: UpgradeTarget = {
    envName: e.name,
    target,
    runningRelease: e.name === 'prod' ? readState(ctx, e)?.current.release : undefined,
    superuser: { user: envFile.POSTGRES_USER ?? '', password: envFile.POSTGRES_PASSWORD ?? '' },
  };
  // What this release restarts is said before anything changes; the apps are replaced replica by replica.
  const ahead = e.name === 'prod' ? await stopsAhead(ctx, target) : { rolled: [], restarted: [] };
  // A major upgrade switches the data directory before the bring-up; one that switched before and did not
  // finish (its bring-up failed) is finished by this one.
  const switched = (await prepareMajorUpgrade(ctx, upgradeTarget)) ?? (await pendingMajorUpgrade(ctx, upgradeTarget));
  const newSlots = switched ? await alignConnectors(ctx, upgradeTarget, switched) : [];
  const upStartedAt = Date.now();
  const hint = `; see \`make logs-${e.name}\`${switched ? `. Its database is PostgreSQL ${switched.to} now and writes stay paused: once fixed, make run-${e.name} finishes the upgrade` : ''}`;
  say(`starting ${e.name} (${e.file})`);
  if (!switched) {
    const file = readComposeFile(ctx.root, e);
    await rollApps(ctx, target, file, ahead.rolled);
    // A proxy to replace goes last, once everything behind it is up, and alone (--no-deps: a `up` of all would
    // stop it first, then wait for the whole chain behind it): prod stops only while it restarts.
    if (ahead.restarted.includes(PROXY_SERVICE)) {
      await upHealthy(ctx, target, { what: e.name, hint, services: behindProxy(file) });
      // What the proxy waits on (its certificate: proxy-certs) runs first: --no-deps starts the proxy alone.
      for (const oneShot of oneShotsBefore(file, [PROXY_SERVICE]))
        if ((await ctx.compose.complete(target, oneShot)) !== 0)
          throw new OperatorError(`${e.name}'s ${oneShot} failed (its logs are above)${hint}`);
      if ((await ctx.compose.upService(target, PROXY_SERVICE)) !== 0)
        throw new OperatorError(`${e.name}'s proxy did not become healthy${hint}`);
    }
  }
  await upHealthy(ctx, target, { what: e.name, hint });
  const upgrade = switched ? await finishMajorUpgrade(ctx, upgradeTarget, switched, newSlots) : undefined;
  if (e.name !== 'prod') return { vars, imagesMs, upStartedAt, upgrade };
  const releases = recordRelease(
    ctx,
    e,
    tag,
    e.file,
    upgrade && { from: upgrade.from, to: upgrade.to, backup: upgrade.backup ?? 'none' },
  );
  const back = !releases.previous
    ? ''
    : releases.majorUpgrade?.release === tag
      ? `; the previous one, ${releases.previous.release}, ran PostgreSQL ${releases.majorUpgrade.from}, so \`make rollback-prod\` cannot return to it (backup ${releases.majorUpgrade.backup} holds the database as it was)`
      : `; the previous one, ${releases.previous.release}, is what \`make rollback-prod\` returns to`;
  say(`${e.name} runs release ${tag}${back}`);
  return { vars, imagesMs, upStartedAt, releases, upgrade };
}

/**
 * prod back to the release it ran before, as it ran then (its Compose file, kept when it was deployed,
 * and its images, which are never rewritten), on the same volumes. The schema stays as the newer release
 * left it: migrations only expand it (libs/db), so the older code runs on it.
 */
export async function rollBack(ctx: Context, e: Environment): Promise<ReleaseState> {
  const state = readState(ctx, e);
  const previous = state?.previous;
  if (!state || !previous) {
    throw new OperatorError(
      `${e.name} has no previous release to return to (${stateFile(ctx, e)} ${state ? `records only ${state.current.release}` : 'does not exist yet'}): a release is recorded by each make run-${e.name} that deploys a different one`,
    );
  }
  const upgraded = state.majorUpgrade;
  if (upgraded?.release === state.current.release) {
    throw new OperatorError(
      `${e.name}'s database was upgraded from PostgreSQL ${upgraded.from} to ${upgraded.to} when release ${upgraded.release} was deployed (${upgraded.at}), ` +
        `and release ${previous.release} runs PostgreSQL ${upgraded.from}: a major upgrade cannot be rolled back. ` +
        `Backup ${upgraded.backup}, taken just before the upgrade, holds the database as it was: \`make restore-${e.name} BACKUP=${upgraded.backup}\` restores it on this release`,
      { exitCode: EXIT.config },
    );
  }
  // The images that release's own Compose file runs: an older release had fewer.
  if (!appImagesPresent(appImagesOf(readComposeFile(ctx.root, { file: previous.file })), previous.release)) {
    throw new OperatorError(
      `release ${previous.release}'s app images (chorus/*:${previous.release}) are no longer on this machine: check out ${previous.release} and run make run-${e.name}, which builds and deploys it`,
    );
  }
  say(
    `rolling ${e.name} back from release ${state.current.release} to ${previous.release} (its Compose file as deployed: ${previous.file})`,
  );
  const envFile = readEnvFile(ctx.root, e);
  const vars = { ...(await images(ctx, { envFile, vars: {} })), ...releaseVars(envFile, previous.release) };
  await upHealthy(
    ctx,
    { project: e.project, file: previous.file, envFile: e.envFile, vars },
    { what: `${e.name} on release ${previous.release}`, hint: `; see \`make logs-${e.name}\`` },
  );
  const next = recordRelease(ctx, e, previous.release, previous.file);
  say(
    `${e.name} runs release ${previous.release} again; \`make run-${e.name}\` from a checkout deploys that checkout's release`,
  );
  return next;
}
