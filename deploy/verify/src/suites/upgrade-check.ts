/**
 * `make upgrade-check`: prod upgraded in place from each earlier release in deploy/compose/upgrade-from.txt,
 * in a project of its own (named as a test run; no host port, so it never meets a real prod or dev):
 *   1. the release starts as it was built (earlier-release.ts), and tasks are written through its web
 *      app: submitted, one cancelled, one deleted;
 *   2. this checkout's prod starts on the same project and volumes through the one bring-up
 *      (`deploy`, as `git pull && make run-prod` runs it);
 *   3. every task must read back through the API with its status, the delete must stay deleted, a new
 *      task must flow through CDC, and every service must run this checkout's image.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROLES } from '@chorus/db';
import { OperatorError } from '@chorus/errors';
import { LEGACY_LABEL } from '@chorus/versions';
import { done, notYet, timeUntil } from '@chorus/wait';
import { removeAppImageTags } from 'env-cli/app-images.ts';
import { deploy, rollBack } from 'env-cli/bring-up.ts';
import { type ComposeTarget, docker } from 'env-cli/compose.ts';
import type { Context } from 'env-cli/context.ts';
import {
  type EarlierRelease,
  UPGRADE_FROM,
  listedReleases,
  prepareRelease,
  rewriteProdFile,
} from '../earlier-release.ts';
import { GENERATED_SECRETS } from 'env-cli/env-file.ts';
import { ENVIRONMENTS, type Environment } from 'env-cli/environments.ts';
import { explainFailure, upWaiting } from 'env-cli/explain.ts';
import { print, say, seconds, table } from 'env-cli/output.ts';
import { checkDocker } from 'env-cli/preflight.ts';
import { withTeardown } from 'env-cli/run-project.ts';
import { imageLine } from 'env-cli/system.ts';
import { newRunProject } from 'env-cli/test-runs.ts';
import { recordRelease } from 'env-cli/release.ts';
import { readTasks, submitTask, writeTasks } from 'env-cli/web-client.ts';

const TASKS = 30;
/** How long the upgraded read model may take to show every task, and a new task to arrive. */
const LIMIT_MS = 90_000;

export interface UpgradeResult {
  release: string;
  tasks: number;
  inPostgresBefore: number;
  inPostgresAfter: number;
  upgradeMs: number;
  readBackMs: number | null;
  newTaskMs: number | null;
  problems: string[];
  services: string[];
  /** Rolled back to the release and forward again: when a task written on it arrived, and read back after. */
  rollback?: { backMs: number; arrivedMs: number | null; forwardMs: number; readAfter: string | number };
}

/** The env file the release made on its first start: only the secrets its Compose file names. */
function earlierEnvFile(path: string, releaseFile: string): void {
  const secret = () => randomBytes(24).toString('base64url');
  const named = GENERATED_SECRETS.filter((key) => releaseFile.includes(`\${${key}`));
  const lines = [
    'CHORUS_ENV=prod',
    'POSTGRES_USER=chorus',
    'POSTGRES_DB=chorus',
    `POSTGRES_PASSWORD=${secret()}`,
    ...named.map((k) => `${k}=${secret()}`),
  ];
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
}

async function rowsInPostgres(ctx: Context, project: string, role: string): Promise<number> {
  const result = await ctx.compose.psql(project, role, 'SELECT count(*) FROM task_queue');
  if (result.code !== 0) throw new OperatorError(`counting ${project}'s tasks failed: ${result.err}`);
  return Number(result.out);
}

/** What each task should read back as through the API after the upgrade. */
function expected(w: { hashes: string[]; cancelled: string; deleted: string }): Map<string, string | number> {
  return new Map(
    w.hashes.map((h) => [h, h === w.deleted ? 404 : h === w.cancelled ? 'CANCELLED' : 'PENDING_ANALYSIS']),
  );
}

/** Polls until `check` finds no problem or the limit passes; resolves to the time taken, or null with the last problems. */
async function settles(
  limitMs: number,
  check: () => Promise<string[]>,
): Promise<{ ms: number | null; problems: string[] }> {
  let problems: string[] = [];
  const r = await timeUntil(
    async () => {
      problems = await check().catch((error: unknown) => [String(error)]);
      return problems.length === 0 ? done(true) : notYet(problems.join('; '));
    },
    { what: 'the check', limitMs },
  );
  return { ms: r.ms, problems };
}

/**
 * make rollback-prod's path on the upgraded project: back to the release (its file and images) on the
 * newer schema, a task written there must flow through CDC; then forward again, where it must read back.
 */
async function rollBackAndForth(
  ctx: Context,
  upgraded: Environment,
  toTag: string,
): Promise<NonNullable<UpgradeResult['rollback']>> {
  let started = Date.now();
  await rollBack(ctx, upgraded);
  const backMs = Date.now() - started;
  const hash = await submitTask(ctx, upgraded.project, 'written after the rollback');
  const arrived = await settles(LIMIT_MS, async () => {
    const seen = (await readTasks(ctx, upgraded.project, [hash]))[hash];
    return seen === 'PENDING_ANALYSIS' ? [] : [`the task written on the rolled-back release reads ${seen}`];
  });
  started = Date.now();
  await deploy(ctx, upgraded, { build: false, tag: toTag });
  const forwardMs = Date.now() - started;
  const readAfter =
    (
      await settles(LIMIT_MS, async () =>
        (await readTasks(ctx, upgraded.project, [hash]))[hash] === 'PENDING_ANALYSIS' ? [] : ['not yet'],
      )
    ).ms === null
      ? 'missing'
      : 'PENDING_ANALYSIS';
  return { backMs, arrivedMs: arrived.ms, forwardMs, readAfter };
}

async function upgradeFrom(ctx: Context, commit: string, { rollback }: { rollback: boolean }): Promise<UpgradeResult> {
  const project = newRunProject();
  const [fromTag, toTag] = [`${project}-from`, project];
  const work = mkdtempSync(join(tmpdir(), 'chorus-upgrade-'));
  let release: EarlierRelease | undefined;
  const teardown = async () => {
    say(`tearing down ${project} (volumes included)`);
    await ctx.compose.downShielded(project);
    removeAppImageTags(fromTag);
    removeAppImageTags(toTag);
    release?.dispose();
    rmSync(work, { recursive: true, force: true });
    // What an older release built for itself (look-alikes under upstream names, its Debian base) goes too.
    const built = docker(['image', 'ls', '--filter', `label=${LEGACY_LABEL}`, '--format', '{{.Repository}}:{{.Tag}}'])
      .out.split('\n')
      .filter((r) => r && !r.includes('<none>'));
    if (built.length > 0) docker(['image', 'rm', ...built]);
  };
  return withTeardown(teardown, async () => {
    release = await prepareRelease(ctx, commit, fromTag);
    const envFile = join(work, '.env.prod');
    earlierEnvFile(envFile, readFileSync(release.file, 'utf8'));
    const old: ComposeTarget = {
      project,
      file: release.file,
      envFile,
      vars: { ...release.vars, CHORUS_APP_TAG: fromTag },
    };
    say(`release ${commit}: starting it as ${project} (no host port)`);
    if ((await upWaiting(ctx, old)) !== 0) {
      const failed = await explainFailure(ctx, project);
      throw new OperatorError(
        `release ${commit} did not start in ${project}${failed.length ? `: ${failed.join(', ')} failed (logs above)` : ''}`,
      );
    }
    const written = await writeTasks(ctx, project, TASKS, `upgrade from ${commit}`);
    const inPostgresBefore = await rowsInPostgres(ctx, project, 'chorus');
    say(
      `release ${commit}: ${TASKS} tasks submitted, 1 cancelled, 1 deleted through its web app; ${inPostgresBefore} in Postgres`,
    );

    // The upgrade: this checkout's prod file on the same project and volumes, through make run-prod's bring-up.
    const upgraded: Environment = {
      ...ENVIRONMENTS.prod,
      project,
      file: join(work, 'docker-compose.prod.yml'),
      envFile,
    };
    // As a release-aware prod would have recorded it: the release, under its images' tag, and its file.
    recordRelease(ctx, upgraded, fromTag, release.file);
    writeFileSync(upgraded.file, rewriteProdFile(readFileSync(join(ctx.root, ENVIRONMENTS.prod.file), 'utf8'), toTag));
    say(`upgrading ${project} from ${commit} to this checkout`);
    const started = Date.now();
    const { vars: resolved } = await deploy(ctx, upgraded, { build: true, tag: toTag });
    const upgradeMs = Date.now() - started;

    // What the hand-over did with the release's connector (setup-connector --hand-over, before migrate).
    await ctx.compose.logs(project, { service: 'connector-handover', tail: 3 });
    const want = expected(written);
    const readBack = await settles(LIMIT_MS, async () => {
      const seen = await readTasks(ctx, project, [...want.keys()]);
      return [...want].filter(([h, s]) => seen[h] !== s).map(([h, s]) => `task ${h}: ${seen[h]}, not ${s}`);
    });
    const fresh = await submitTask(ctx, project, `after the upgrade from ${commit}`);
    const arrived = await settles(LIMIT_MS, async () => {
      const seen = (await readTasks(ctx, project, [fresh]))[fresh];
      return seen === 'PENDING_ANALYSIS' ? [] : [`the task submitted after the upgrade reads ${seen}`];
    });

    const inPostgresAfter = await rowsInPostgres(ctx, project, ROLES.app);
    const problems = [...readBack.problems.slice(0, 5), ...arrived.problems];
    if (inPostgresAfter !== inPostgresBefore + 1)
      problems.push(`Postgres holds ${inPostgresAfter} tasks, not the ${inPostgresBefore} from before and the new one`);
    const services: string[] = [];
    for (const s of await ctx.compose.services(project)) {
      services.push(`${s.Service}: ${imageLine(s.Image)}`);
      const wanted = s.Image.startsWith('chorus/')
        ? `${s.Image.split(':')[0]}:${toTag}`
        : Object.values(resolved).find((ref) => ref === s.Image);
      if (s.Image !== wanted)
        problems.push(`${s.Service} runs ${s.Image}, which this checkout did not resolve or build`);
      const labels = docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', s.Image]).out;
      if (labels.includes(`"${LEGACY_LABEL}"`))
        problems.push(`${s.Service} still runs an older CHORUS build (${s.Image})`);
    }
    let back: UpgradeResult['rollback'];
    if (rollback && problems.length === 0) {
      say(`rolling ${project} back to ${commit}, on this checkout's schema, and forward again`);
      back = await rollBackAndForth(ctx, upgraded, toTag);
      if (back.arrivedMs === null)
        problems.push(`after the rollback to ${commit}, a new task did not arrive within ${LIMIT_MS / 1000} s`);
      if (back.readAfter !== 'PENDING_ANALYSIS')
        problems.push('the task written on the rolled-back release is missing after rolling forward');
    }
    return {
      release: commit,
      tasks: TASKS,
      inPostgresBefore,
      inPostgresAfter,
      upgradeMs,
      readBackMs: readBack.ms,
      newTaskMs: arrived.ms,
      problems,
      services,
      rollback: back,
    };
  });
}

export function upgradeTable(results: UpgradeResult[]): string {
  const s = (ms: number | null) => (ms === null ? `over ${LIMIT_MS / 1000}` : (ms / 1000).toFixed(1));
  return table(
    [
      'from',
      'tasks written',
      'in Postgres before',
      'upgrade (s)',
      'all read back (s)',
      'in Postgres after',
      'new task arrived (s)',
      'result',
    ],
    results.map((r) => [
      r.release,
      String(r.tasks),
      String(r.inPostgresBefore),
      (r.upgradeMs / 1000).toFixed(1),
      s(r.readBackMs),
      String(r.inPostgresAfter),
      s(r.newTaskMs),
      r.problems.length ? 'FAIL' : 'pass',
    ]),
  );
}

export async function upgradeCheck(ctx: Context, o: { from?: string[]; rollback?: boolean }): Promise<void> {
  checkDocker();
  const releases = o.from?.length
    ? o.from
    : listedReleases(readFileSync(join(ctx.root, UPGRADE_FROM), 'utf8')).map((r) => r.commit);
  const results: UpgradeResult[] = [];
  for (const [i, commit] of releases.entries()) {
    const started = Date.now();
    // The newest earlier release is the one a rollback returns to.
    const result = await upgradeFrom(ctx, commit, { rollback: Boolean(o.rollback) && i === releases.length - 1 });
    results.push(result);
    say(
      `upgrade from ${commit}: ${result.problems.length ? 'FAIL' : 'pass'} (${seconds(Date.now() - started)} with its build)`,
    );
    for (const line of result.services) say(`  ${line}`);
    for (const problem of result.problems) say(`  problem: ${problem}`);
  }
  print(
    `\nUpgrade in place (make upgrade-check): ${TASKS} tasks written per release, then this checkout's make run-prod bring-up on the same volumes.\n${upgradeTable(results)}\n`,
  );
  for (const r of results.filter((x) => x.rollback)) {
    const b = r.rollback!;
    print(
      `${[
        `Rollback to ${r.release} on this checkout's schema (make rollback-prod's path):`,
        `back in ${(b.backMs / 1000).toFixed(1)} s;`,
        `a task written there arrived through CDC ${b.arrivedMs === null ? 'NEVER' : `in ${(b.arrivedMs / 1000).toFixed(1)} s`};`,
        `forward again in ${(b.forwardMs / 1000).toFixed(1)} s, where it reads ${b.readAfter}`,
      ].join(' ')}\n`,
    );
  }
  const failed = results.filter((r) => r.problems.length > 0);
  if (failed.length > 0)
    throw new OperatorError(
      `the upgrade from ${failed.map((r) => r.release).join(', ')} failed; the problems are listed above`,
    );
}
