/**
 * `make upgrade-check`: prod upgraded in place from each earlier release in deploy/compose/upgrade-from.txt,
 * in a project of its own (named as a test run; no host port, so it never meets a real prod or dev):
 *   1. the release starts as it was built (earlier-release.ts), and tasks are written through its web
 *      app: submitted, one cancelled, one deleted;
 *   2. this checkout's prod starts on the same project and volumes through the one bring-up
 *      (`deploy`, as `git pull && make run-prod` runs it);
 *      A writer submits 20 tasks a second through the API meanwhile;
 *   3. every task must read back through the API with its status, the delete must stay deleted, a new
 *      task must flow through CDC, and every service must run this checkout's image;
 *   4. across a PostgreSQL major upgrade also: 10 old tasks change status afterwards and must read back
 *      changed (the processor's LSN guard lets the new cluster's positions through); Postgres holds every
 *      task as expected; every task the writer got accepted is in the read model, every refusal a 503
 *      with Retry-After; the change topic holds every row's state and no change twice; make rollback-prod
 *      refuses to cross the upgrade, naming its backup. For the newest release, a prod on a volume too
 *      small for the upgrade is refused (exit 2) and runs on unchanged.
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
import { listBackups } from 'env-cli/backups.ts';
import { deploy, rollBack } from 'env-cli/bring-up.ts';
import { type ComposeTarget, docker, projectContainers } from 'env-cli/compose.ts';
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
import { changeTasks, readTasks, submitTask, writeTasks } from 'env-cli/web-client.ts';
import type { UpgradeReport } from 'env-cli/major-upgrade.ts';
import { EXIT } from '@chorus/errors';
import { cdcNamesOf, processorHealths } from 'env-cli/system.ts';
import type { ApiWriterReport } from '@chorus/load-reports';
import { type ChangeLogCheck, checkChangeLog } from '../change-log.ts';
import { startWriter } from '../writer-run.ts';

const TASKS = 30;
/** Tasks a second the writer submits through the API during the upgrade. */
const WRITER_RATE = 20;
/** Old tasks whose status changes after the upgrade. */
const CHANGED_AFTER = 10;
/** How long the upgraded read model may take to show every task, and a new task to arrive. */
const LIMIT_MS = 90_000;
/** How long the upgraded prod may take to archive past a new task: its first base backup, and a segment switch (archive_timeout 30 s). */
const ARCHIVE_LIMIT_MS = 150_000;

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
  /** Across a major upgrade, make rollback-prod's refusal. */
  rollbackRefusal?: string;
  upgrade?: UpgradeReport;
  writer: ApiWriterReport;
  changeLog: ChangeLogCheck;
  /** The processor replicas' event counters after the changes that followed the upgrade. */
  lsnGuard: string[];
  /** The newest release on a volume too small for the upgrade. */
  space?: SpaceRefusal;
}

export interface SpaceRefusal {
  exitCode: number;
  message: string;
  problems: string[];
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

/** `toTag`: this checkout's app images, built by the first release's upgrade and shared by the others. */
async function upgradeFrom(
  ctx: Context,
  commit: string,
  { rollback, toTag, build }: { rollback: boolean; toTag: string; build: boolean },
): Promise<UpgradeResult> {
  const project = newRunProject();
  const fromTag = `${project}-from`;
  const work = mkdtempSync(join(tmpdir(), 'chorus-upgrade-'));
  let release: EarlierRelease | undefined;
  const teardown = async () => {
    say(`tearing down ${project} (volumes included)`);
    await ctx.compose.downShielded(project);
    removeAppImageTags(fromTag);
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
    writeFileSync(upgraded.file, rewriteProdFile(join(ctx.root, ENVIRONMENTS.prod.file), toTag));
    say(`upgrading ${project} from ${commit} to this checkout, a writer at ${WRITER_RATE} tasks/s through its API`);
    const writer = await startWriter(ctx, project, {
      rate: WRITER_RATE,
      label: `during the upgrade from ${commit}`,
      image: `chorus/web:${fromTag}`,
    });
    const started = Date.now();
    const deployed = await deploy(ctx, upgraded, { build, tag: toTag }).catch(async (error: unknown) => {
      await writer.stop().catch(() => undefined);
      throw error;
    });
    const upgradeMs = Date.now() - started;
    const { vars: resolved, upgrade } = deployed;
    const writes = await writer.stop();

    // What the hand-over did with the release's connector (setup-connector --hand-over, before migrate).
    await ctx.compose.logs(project, { service: 'connector-handover', tail: 3 });
    const want = expected(written);
    for (const hash of writes.accepted) want.set(hash, 'PENDING_ANALYSIS');
    // Old tasks change after the upgrade: their events carry the new cluster's positions.
    const changed = written.hashes.filter((h) => want.get(h) === 'PENDING_ANALYSIS').slice(0, CHANGED_AFTER);
    await changeTasks(ctx, project, { cancel: changed, delete: [] });
    for (const hash of changed) want.set(hash, 'CANCELLED');
    const readBack = await settles(LIMIT_MS, async () => {
      const seen = await readTasks(ctx, project, [...want.keys()]);
      return [...want].filter(([h, s]) => seen[h] !== s).map(([h, s]) => `task ${h}: ${seen[h]}, not ${s}`);
    });
    const freshAt = new Date();
    const fresh = await submitTask(ctx, project, `after the upgrade from ${commit}`);
    const arrived = await settles(LIMIT_MS, async () => {
      const seen = (await readTasks(ctx, project, [fresh]))[fresh];
      return seen === 'PENDING_ANALYSIS' ? [] : [`the task submitted after the upgrade reads ${seen}`];
    });
    want.set(fresh, 'PENDING_ANALYSIS');
    // The upgraded prod archives from its start: a base backup, and a window reaching the new task's commit.
    const archived = await settles(ARCHIVE_LIMIT_MS, async () => {
      const repo = (await listBackups(ctx, project, { archive: true }))?.archive?.repos[0];
      if (!repo) return ['the backup service lists no archive'];
      if (repo.status !== 'ok') return [`its archive reads ${repo.status}`];
      if (!repo.window) return ['its archive has no base backup yet'];
      return new Date(repo.window.latest) >= freshAt
        ? []
        : [`its archive reaches ${repo.window.latest}, not the new task (${freshAt.toISOString()})`];
    });
    if (archived.ms !== null) say(`${project} archives: its window reaches the new task after ${seconds(archived.ms)}`);

    const rows = await rowsOf(ctx, project);
    const inPostgresAfter = rows.size;
    const problems = [...readBack.problems.slice(0, 5), ...arrived.problems, ...archived.problems];
    for (const [hash, status] of want) {
      const row = rows.get(hash);
      if (status === 404 ? row !== undefined : row !== status)
        problems.push(`Postgres holds task ${hash} as ${row ?? 'absent'}, not ${status === 404 ? 'deleted' : status}`);
    }
    if (inPostgresAfter !== inPostgresBefore + writes.accepted.length + 1)
      problems.push(
        `Postgres holds ${inPostgresAfter} tasks, not the ${inPostgresBefore} from before, the writer's ${writes.accepted.length} and the new one`,
      );
    if (writes.refused.withoutRetryAfter > 0)
      problems.push(`${writes.refused.withoutRetryAfter} writes were refused (503) without Retry-After`);
    // A release whose web can pause writes must answer every write 201 or 503; an older one's web is stopped
    // for the upgrade, and what its writer saw is reported.
    if (Object.keys(writes.otherStatuses).length > 0 && !upgrade?.webStopped) {
      problems.push(`the writer got other answers: ${JSON.stringify(writes.otherStatuses)}`);
      // Why, from the web replicas still there (this release's): the errors they logged.
      const webs = projectContainers(project, 'chorus-web').map((c) => c.id);
      for (const id of webs) {
        const logged = docker(['logs', id]);
        const failed = `${logged.out}\n${logged.err}`.split('\n').filter((l) => /request failed|"level":50/.test(l));
        for (const line of failed.slice(-3)) say(`  web ${id.slice(0, 12)} logged: ${line.slice(0, 600)}`);
      }
    }
    const names = cdcNamesOf(project, 'prod');
    const changeLog = await checkChangeLog(ctx, project, {
      topic: names.taskTopic,
      rows,
      deleted: new Set([written.deleted]),
      after: upgrade?.walAtPause ?? '0/0',
    });
    problems.push(...changeLog.problems);
    const lsnGuard = (await processorHealths(ctx, project)).map(
      ({ replica, health }) =>
        `replica ${replica}: ${health ? `${health.events.applied} changes applied, ${health.events.stale} stale (older than the read model's)` : 'no health reply'}`,
    );
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
    let rollbackRefusal: string | undefined;
    if (rollback && problems.length === 0 && upgrade) {
      // A major upgrade cannot be rolled back: make rollback-prod must say so, name the backup, and change nothing.
      const refused = await rollBack(ctx, upgraded).then(
        () => undefined,
        (error: unknown) => error as OperatorError,
      );
      rollbackRefusal = refused?.message;
      if (!refused || refused.exitCode !== EXIT.config || !refused.message.includes(upgrade.backup ?? '(no backup)'))
        problems.push(
          `make rollback-prod across the major upgrade did not refuse naming backup ${upgrade.backup}: ${refused?.message ?? 'it rolled back'}`,
        );
      const still = (await readTasks(ctx, project, [fresh]))[fresh];
      if (still !== 'PENDING_ANALYSIS') problems.push(`after the refused rollback, a task reads ${still}`);
    } else if (rollback && problems.length === 0) {
      say(`rolling ${project} back to ${commit}, on this checkout's schema, and forward again`);
      back = await rollBackAndForth(ctx, upgraded, toTag);
      if (back.arrivedMs === null)
        problems.push(`after the rollback to ${commit}, a new task did not arrive within ${LIMIT_MS / 1000} s`);
      if (back.readAfter !== 'PENDING_ANALYSIS')
        problems.push('the task written on the rolled-back release is missing after rolling forward');
    }
    const space = rollback && release ? await refusedForSpace(ctx, release, toTag) : undefined;
    problems.push(...(space?.problems ?? []));
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
      rollbackRefusal,
      upgrade,
      writer: writes,
      changeLog,
      lsnGuard,
      space,
    };
  });
}

/** Every task in Postgres: its hash and status. */
async function rowsOf(ctx: Context, project: string): Promise<Map<string, string>> {
  const r = await ctx.compose.psql(project, ROLES.app, "SELECT query_hash || '|' || status FROM task_queue");
  if (r.code !== 0) throw new OperatorError(`reading ${project}'s tasks failed: ${r.err}`);
  return new Map(
    r.out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('|') as [string, string]),
  );
}

/**
 * The release on a Postgres volume too small for the upgrade (a tmpfs of 160 MB): this checkout's
 * bring-up must refuse with exit 2 before pausing anything, and the release must run on as it was.
 */
async function refusedForSpace(ctx: Context, release: EarlierRelease, toTag: string): Promise<SpaceRefusal> {
  const project = newRunProject();
  const work = mkdtempSync(join(tmpdir(), 'chorus-space-'));
  return withTeardown(
    async () => {
      say(`tearing down ${project} (volumes included)`);
      await ctx.compose.downShielded(project);
      docker(['volume', 'rm', '-f', `${project}_postgres_data_prod`]);
      rmSync(work, { recursive: true, force: true });
    },
    async () => {
      const volume = `${project}_postgres_data_prod`;
      const made = docker([
        'volume',
        'create',
        '--driver',
        'local',
        '--opt',
        'type=tmpfs',
        '--opt',
        'device=tmpfs',
        '--opt',
        'o=size=160m',
        '--label',
        `com.docker.compose.project=${project}`,
        '--label',
        'com.docker.compose.volume=postgres_data_prod',
        volume,
      ]);
      if (!made.ok) throw new OperatorError(`could not make a 160 MB volume: ${made.err}`);
      const envFile = join(work, '.env.prod');
      earlierEnvFile(envFile, readFileSync(release.file, 'utf8'));
      const old: ComposeTarget = {
        project,
        file: release.file,
        envFile,
        vars: { ...release.vars, CHORUS_APP_TAG: release.tag },
      };
      say(`release ${release.commit}: starting it as ${project} on a 160 MB Postgres volume`);
      if ((await upWaiting(ctx, old)) !== 0)
        throw new OperatorError(`release ${release.commit} did not start in ${project}`);
      const written = await writeTasks(ctx, project, 3, 'on a small volume');
      const small: Environment = {
        ...ENVIRONMENTS.prod,
        project,
        file: join(work, 'docker-compose.prod.yml'),
        envFile,
      };
      recordRelease(ctx, small, release.tag, release.file);
      writeFileSync(small.file, rewriteProdFile(join(ctx.root, ENVIRONMENTS.prod.file), toTag));
      const before = docker([
        'ps',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--format',
        '{{.Names}} {{.Image}} {{.ID}}',
      ]).out;
      const refused = await deploy(ctx, small, { build: false, tag: toTag }).then(
        () => undefined,
        (error: unknown) => error as OperatorError,
      );
      const problems: string[] = [];
      if (!refused) problems.push('the upgrade on a 160 MB volume was not refused');
      else if (refused.exitCode !== EXIT.config)
        problems.push(`the refusal exited ${refused.exitCode}, not ${EXIT.config}`);
      const after = docker([
        'ps',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--format',
        '{{.Names}} {{.Image}} {{.ID}}',
      ]).out;
      if (after !== before) problems.push(`the refused upgrade changed the containers:\n${before}\n->\n${after}`);
      const want = expected(written);
      const fresh = await submitTask(ctx, project, 'after the refused upgrade');
      want.set(fresh, 'PENDING_ANALYSIS');
      const readBack = await settles(LIMIT_MS, async () => {
        const seen = await readTasks(ctx, project, [...want.keys()]);
        return [...want].filter(([h, s]) => seen[h] !== s).map(([h, s]) => `task ${h}: ${seen[h]}, not ${s}`);
      });
      problems.push(...readBack.problems.slice(0, 3).map((p) => `after the refusal, ${p}`));
      return { exitCode: refused?.exitCode ?? 0, message: refused?.message ?? '', problems };
    },
  );
}

/** What the check saw across the upgrade, one line each. */
export function upgradeDetails(r: UpgradeResult): string[] {
  const w = r.writer;
  const lines = [
    `writer at ${WRITER_RATE}/s during the upgrade: ${w.sent} sent, ${w.accepted.length} accepted (all in the read model afterwards: ${r.problems.some((p) => p.startsWith('task ') && p.endsWith('not PENDING_ANALYSIS')) ? 'NO' : 'yes'}), ` +
      `${w.refused.withRetryAfter} refused 503 with Retry-After, ${w.refused.withoutRetryAfter} without, ${w.noAnswer} unanswered (the web being replaced)` +
      (Object.keys(w.otherStatuses).length ? `, other answers ${JSON.stringify(w.otherStatuses)}` : '') +
      (w.firstRefusedAt !== null
        ? `; refusals from ${seconds(w.firstRefusedAt)} to ${seconds(w.lastRefusedAt ?? 0)} of its run`
        : ''),
    `change topic: ${r.changeLog.events} events against ${r.inPostgresAfter} rows: ${r.changeLog.problems.length ? `${r.changeLog.problems.length} problems` : "every row's last event is its state, nothing sent twice"}`,
    `LSN guard after ${CHANGED_AFTER} status changes: ${r.lsnGuard.join('; ')}`,
  ];
  const u = r.upgrade;
  if (u) {
    lines.unshift(
      `PostgreSQL ${u.from} -> ${u.to}: writes paused ${seconds(u.pauseMs)}${u.webStopped ? " (this release's web cannot pause them: it was stopped)" : ''}; backup ${u.backup}`,
      `slots before the stop: ${u.slots.map((x) => `${x.slot} confirmed ${x.confirmed}`).join(', ') || 'none'} (the drain marker, written once writes paused, at ${u.walAtPause}); slots made on ${u.to}: ${u.newSlots.map((x) => `${x.slot} at ${x.confirmed}`).join(', ')}`,
      `the connector's first event after the switch: ${r.changeLog.firstAfter ? `${r.changeLog.firstAfter.op} of task ${r.changeLog.firstAfter.hash} at ${r.changeLog.firstAfter.lsn}` : 'none'}`,
    );
  }
  if (r.rollbackRefusal) lines.push(`make rollback-prod refused: ${r.rollbackRefusal}`);
  if (r.space)
    lines.push(
      `on a 160 MB volume: refused with exit ${r.space.exitCode} (${r.space.message}); ${r.space.problems.length ? 'NOT unchanged' : 'it ran on unchanged'}`,
    );
  return lines;
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
  const toTag = `${newRunProject()}-to`;
  try {
    for (const [i, commit] of releases.entries()) {
      const started = Date.now();
      // The newest earlier release is the one a rollback returns to.
      const result = await upgradeFrom(ctx, commit, {
        rollback: Boolean(o.rollback) && i === releases.length - 1,
        toTag,
        build: i === 0,
      });
      results.push(result);
      say(
        `upgrade from ${commit}: ${result.problems.length ? 'FAIL' : 'pass'} (${seconds(Date.now() - started)}${i === 0 ? ' with its build' : ''})`,
      );
      for (const line of result.services) say(`  ${line}`);
      for (const line of upgradeDetails(result)) say(`  ${line}`);
      for (const problem of result.problems) say(`  problem: ${problem}`);
    }
  } finally {
    removeAppImageTags(toTag);
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
