/**
 * `make restore-drill`: a backup restored into a prod-like project of its own (no host port), as
 * `make restore-prod` restores one:
 *   1. this checkout's prod starts, tasks are written, and a backup is taken;
 *   2. the refusals: the backup copied as another environment's, with a corrupted dump, and with a newer
 *      schema, is each refused with exit code 2, and nothing changes;
 *   3. more tasks are written, some earlier ones cancelled and deleted, and the read model shows it all;
 *   4. the backup is restored; meanwhile writes must answer 503;
 *   5. the read model must equal the restored database (no task missing, none from after the backup,
 *      every status as of the backup), and a new task must flow;
 *   6. `make status`'s connector and slot lines, and the change topic, carry the overridden names.
 * Every CDC name is overridden in its env file (libs/cdc-names), so that the backup, the restore and the
 * status follow the overrides and not the rule's defaults.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKUP_FILES, MANIFEST_FILE, type Manifest, manifest } from '@chorus/backup-manifest';
import { CDC_NAME_VARIABLES, cdcNames } from '@chorus/cdc-names';
import { defaults } from '@chorus/config';
import { ROLES } from '@chorus/db';
import { EXIT, OperatorError } from '@chorus/errors';
import { WRITES_PAUSED_KEY } from '@chorus/read-model';
import { done, notYet, sleep, timeUntil } from '@chorus/wait';
import { removeAppImageTags } from 'env-cli/app-images.ts';
import { type RestoreReport, restoreBackup, takeBackup } from 'env-cli/backups.ts';
import { BACKUP_SERVICE } from 'env-cli/compose-file.ts';
import { deploy } from 'env-cli/bring-up.ts';
import type { Context } from 'env-cli/context.ts';
import { ensureProdEnvFile, readEnvFile } from 'env-cli/env-file.ts';
import { ENVIRONMENTS, type Environment } from 'env-cli/environments.ts';
import { rewriteProdFile } from '../earlier-release.ts';
import { print, say, seconds, table } from 'env-cli/output.ts';
import { checkDocker } from 'env-cli/preflight.ts';
import { withTeardown } from 'env-cli/run-project.ts';
import { cdcNamesOf, connectorLine, slotLine } from 'env-cli/system.ts';
import { newRunProject } from 'env-cli/test-runs.ts';
import { changeTasks, readTasks, submitTask, trySubmit, writeTasks } from 'env-cli/web-client.ts';

/** Every CDC name overridden, as a user would in .env.prod. */
const OVERRIDES = {
  CONNECTOR_NAME: 'drill-cdc',
  SLOT_NAME: 'drill_slot',
  PUBLICATION_NAME: 'drill_publication',
  TOPIC_PREFIX: 'drill',
  CONSUMER_GROUP: 'drill-projector',
} as const satisfies Record<(typeof CDC_NAME_VARIABLES)[keyof typeof CDC_NAME_VARIABLES], string>;

const BEFORE = 40;
const AFTER = 20;
const LIMIT_MS = 90_000;
/** Longer than the web's wait between two reads of the pause (apps/chorus-web/src/write-pause.ts). */
const WEB_READS_PAUSE_MS = 1500;

/** The tasks in Postgres with their statuses. */
async function inPostgres(ctx: Context, project: string): Promise<Map<string, string>> {
  const r = await ctx.compose.psql(project, ROLES.app, "SELECT query_hash || '|' || status FROM task_queue");
  if (r.code !== 0) throw new OperatorError(`reading ${project}'s tasks failed: ${r.err}`);
  return new Map(
    r.out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('|') as [string, string]),
  );
}

/** Polls until every hash reads back as `want` says (a status, or 404); resolves to the time taken, or null. */
async function readsBack(ctx: Context, project: string, want: Map<string, string | number>): Promise<number | null> {
  const r = await timeUntil(
    async () => {
      const seen = await readTasks(ctx, project, [...want.keys()]).catch(() => ({}) as Record<string, string | number>);
      return [...want].every(([h, s]) => seen[h] === s) ? done(true) : notYet('not every task reads back');
    },
    { what: `${project}'s tasks to read back`, limitMs: LIMIT_MS },
  );
  return r.ms;
}

/** How a refusal case changes its copy of the backup: its manifest, and whether the dump loses its last byte. */
interface Doctoring {
  manifest?: (m: Manifest) => void;
  cutDump?: boolean;
}

/**
 * A copy of backup `name` in the backup volume, named `copy` and changed as `doctoring` says: copied and cut
 * by the backup container's own tools, the manifest edited here and written back through its stdin.
 */
async function doctoredCopy(ctx: Context, project: string, name: string, copy: string, doctoring: Doctoring) {
  const [from, dir] = [`${defaults.backup.dir}/${name}`, `${defaults.backup.dir}/${copy}`];
  const inBackup = async (what: string, command: string[], input?: string) => {
    const r =
      input === undefined
        ? await ctx.compose.execResult(project, BACKUP_SERVICE, command)
        : await ctx.compose.execWithInput(project, BACKUP_SERVICE, command, { input });
    if (r.code !== 0) throw new OperatorError(`making the doctored copy ${copy} failed (${what}): ${r.err}`);
    return r.out;
  };
  await inBackup('copying', ['cp', '-r', from, dir]);
  const m = manifest.parse(JSON.parse(await inBackup('reading its manifest', ['cat', `${dir}/${MANIFEST_FILE}`])));
  m.name = copy;
  doctoring.manifest?.(m);
  await inBackup('writing its manifest', ['tee', `${dir}/${MANIFEST_FILE}`], JSON.stringify(m));
  if (doctoring.cutDump)
    await inBackup('cutting the dump', ['truncate', '-s', '-1', `${dir}/${BACKUP_FILES.database}`]);
}

interface Refusal {
  case: string;
  exitCode: number | 'none';
  message: string;
  unchanged: boolean;
}

export async function restoreDrill(ctx: Context): Promise<void> {
  checkDocker();
  const project = newRunProject();
  const work = mkdtempSync(join(tmpdir(), 'chorus-restore-drill-'));
  const e: Environment = {
    ...ENVIRONMENTS.prod,
    project,
    file: join(work, 'docker-compose.prod.yml'),
    envFile: join(work, '.env.prod'),
  };
  const problems: string[] = [];
  const teardown = async () => {
    say(`tearing down ${project} (volumes included)`);
    await ctx.compose.downShielded(project);
    removeAppImageTags(project);
    rmSync(work, { recursive: true, force: true });
  };
  await withTeardown(teardown, async () => {
    writeFileSync(e.file, rewriteProdFile(join(ctx.root, ENVIRONMENTS.prod.file), project));
    ensureProdEnvFile(ctx.root, e);
    appendFileSync(
      e.envFile,
      Object.entries(OVERRIDES)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
    say(
      `restore drill: starting this checkout's prod as ${project} (no host port), every CDC name overridden: ${Object.entries(
        OVERRIDES,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    const { vars } = await deploy(ctx, e, { build: true, tag: project });
    const envFile = readEnvFile(ctx.root, e);
    const target = { project, file: e.file, envFile: e.envFile, vars };
    const superuser = { user: envFile.POSTGRES_USER!, password: envFile.POSTGRES_PASSWORD! };

    const first = await writeTasks(ctx, project, BEFORE, 'before the backup');
    const firstWant = new Map<string, string | number>(
      first.hashes.map((h) => [
        h,
        h === first.deleted ? 404 : h === first.cancelled ? 'CANCELLED' : 'PENDING_ANALYSIS',
      ]),
    );
    if ((await readsBack(ctx, project, firstWant)) === null)
      throw new OperatorError(
        `the ${BEFORE} tasks written before the backup did not reach the read model within ${LIMIT_MS / 1000} s`,
      );
    const backedUp = await takeBackup(ctx, project, 'prod');
    const atBackup = await inPostgres(ctx, project);
    say(`restore drill: backup ${backedUp.name} taken: ${atBackup.size} tasks`);

    // The refusals, each on a copy of the backup: exit 2, a message naming the problem, and nothing changed.
    const refusals: Refusal[] = [];
    const cases: [string, string, Doctoring, RegExp][] = [
      [
        'from another environment (dev)',
        'dev-20000101T000000Z',
        { manifest: (m) => void (m.environment = 'dev') },
        /taken from dev, and this is prod/,
      ],
      [
        'corrupted dump (its last byte cut)',
        'prod-20000101T000001Z',
        { cutDump: true },
        /database\.dump does not match its manifest/,
      ],
      [
        'newer schema (a migration this release lacks)',
        'prod-20000101T000002Z',
        { manifest: (m) => void m.migrations.push('999_from_a_later_release') },
        /newer schema than this release \(999_from_a_later_release/,
      ],
    ];
    for (const [what, copy, edit, expected] of cases) {
      await doctoredCopy(ctx, project, backedUp.name, copy, edit);
      const before = await inPostgres(ctx, project);
      const outcome = await restoreBackup(ctx, { envName: 'prod', target, superuser }, copy).then(
        () => ({ exitCode: 'none' as const, message: 'restored' }),
        (error: unknown) => ({
          exitCode: error instanceof OperatorError ? error.exitCode : (EXIT.failed as number),
          message: (error as Error).message,
        }),
      );
      const paused = await ctx.compose.execIn(project, 'redis', ['redis-cli', 'GET', WRITES_PAUSED_KEY]);
      const after = await inPostgres(ctx, project);
      const unchanged = after.size === before.size && [...before].every(([h, s]) => after.get(h) === s) && !paused;
      refusals.push({ case: what, exitCode: outcome.exitCode, message: outcome.message, unchanged });
      if (outcome.exitCode !== EXIT.config || !expected.test(outcome.message))
        problems.push(
          `${what}: exit ${outcome.exitCode}, "${outcome.message}"; expected exit ${EXIT.config} and ${expected}`,
        );
      if (!unchanged) problems.push(`${what}: the refused restore changed the database or left writes paused`);
    }

    // After the backup: new tasks, and earlier ones cancelled and deleted; all of it reaches the read model (and the topic).
    const second = await writeTasks(ctx, project, AFTER, 'after the backup');
    const [cancelLater, deleteLater] = [first.hashes.slice(2, 5), first.hashes.slice(5, 7)];
    await changeTasks(ctx, project, { cancel: cancelLater, delete: deleteLater });
    const secondWant = new Map<string, string | number>([
      ...second.hashes.map((h): [string, string | number] => [
        h,
        h === second.deleted ? 404 : h === second.cancelled ? 'CANCELLED' : 'PENDING_ANALYSIS',
      ]),
      ...cancelLater.map((h): [string, string] => [h, 'CANCELLED']),
      ...deleteLater.map((h): [string, number] => [h, 404]),
    ]);
    if ((await readsBack(ctx, project, secondWant)) === null)
      throw new OperatorError('the changes after the backup did not reach the read model');
    say(
      `restore drill: after the backup, ${AFTER} tasks written (1 cancelled, 1 deleted), ${cancelLater.length} earlier ones cancelled and ${deleteLater.length} deleted; restoring`,
    );

    // Writes while the restore runs: each tried while the pause was set (before and after it, the web
    // having had time to read it) must answer 503.
    let restoring = true;
    const during: number[] = [];
    const paused = async () =>
      Boolean(await ctx.compose.execIn(project, 'redis', ['redis-cli', 'GET', WRITES_PAUSED_KEY]));
    const probe = (async () => {
      while (restoring) {
        if (await paused()) {
          await sleep(WEB_READS_PAUSE_MS);
          const status = await trySubmit(ctx, project, `during the restore ${during.length}`).catch(() => 0);
          if (await paused()) during.push(status);
        }
        await sleep(1000);
      }
    })();
    let report: RestoreReport;
    try {
      report = await restoreBackup(ctx, { envName: 'prod', target, superuser }, backedUp.name);
    } finally {
      restoring = false;
      await probe;
    }
    const accepted = during.filter((s) => s !== 503);
    if (during.length === 0) problems.push('no write was tried while writes were paused');
    if (accepted.length > 0) problems.push(`writes during the restore answered ${accepted.join(', ')}, not 503`);

    // The read model against the restored database, over every task the drill wrote.
    const restored = await inPostgres(ctx, project);
    const everyHash = [...new Set([...first.hashes, ...second.hashes])];
    const seen = await readTasks(ctx, project, everyHash);
    const missing = everyHash.filter((h) => restored.has(h) && typeof seen[h] === 'number');
    const resurrected = everyHash.filter((h) => !restored.has(h) && typeof seen[h] === 'string');
    const stale = everyHash.filter(
      (h) => restored.has(h) && typeof seen[h] === 'string' && seen[h] !== restored.get(h),
    );
    // Over the drill's tasks only: a probe write accepted once writes resumed is rightly there.
    const databaseOff = everyHash.filter((h) => restored.get(h) !== atBackup.get(h)).length;
    if (databaseOff > 0) problems.push(`the restored database differs from the backup in ${databaseOff} tasks`);
    for (const [what, list] of [
      ['missing', missing],
      ['resurrected', resurrected],
      ['stale', stale],
    ] as const)
      if (list.length > 0) problems.push(`${list.length} ${what} in the read model: ${list.slice(0, 3).join(', ')}`);

    const fresh = await submitTask(ctx, project, 'after the restore');
    const freshMs = await readsBack(ctx, project, new Map([[fresh, 'PENDING_ANALYSIS']]));
    if (freshMs === null)
      problems.push(`a task submitted after the restore did not arrive within ${LIMIT_MS / 1000} s`);

    // What make status says, and the topics, carry the overridden names and none of the defaults.
    const names = cdcNamesOf(project, 'prod');
    const status = [await connectorLine(ctx, project, names), await slotLine(ctx, project, names)];
    for (const expected of [`connector ${OVERRIDES.CONNECTOR_NAME}: RUNNING`, `slot ${OVERRIDES.SLOT_NAME}: active`])
      if (!status.some((line) => line.includes(expected)))
        problems.push(`make status does not say "${expected}": ${status.join(' | ').trim()}`);
    const listed = await ctx.compose.kafkaTool(
      project,
      '/opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:9092 --list',
    );
    const topics = listed.out.split('\n');
    const defaults = cdcNames('prod');
    if (!topics.includes(`${OVERRIDES.TOPIC_PREFIX}.public.task_queue`))
      problems.push(`no topic ${OVERRIDES.TOPIC_PREFIX}.public.task_queue: ${topics.join(', ')}`);
    if (topics.includes(defaults.taskTopic)) problems.push(`the default topic ${defaults.taskTopic} exists too`);
    const groups = await ctx.compose.kafkaTool(
      project,
      '/opt/kafka/bin/kafka-consumer-groups.sh --bootstrap-server localhost:9092 --list',
    );
    if (!groups.out.split('\n').includes(OVERRIDES.CONSUMER_GROUP))
      problems.push(
        `the processor's consumer group is not ${OVERRIDES.CONSUMER_GROUP}: ${groups.out.replace(/\n/g, ', ')}`,
      );
    const publication = await ctx.compose.psql(project, ROLES.app, 'SELECT pubname FROM pg_publication');
    if (publication.out !== OVERRIDES.PUBLICATION_NAME)
      problems.push(`the publication is ${publication.out || 'missing'}, not ${OVERRIDES.PUBLICATION_NAME}`);
    print(`\nWith every CDC name overridden, make status says:\n${status.join('\n')}`);

    const m: Manifest = report.backup;
    print(
      `\nRestore drill (make restore-drill): backup after ${BEFORE} tasks, then ${AFTER} more and ${cancelLater.length} cancels and ${deleteLater.length} deletes, then the restore.`,
    );
    print(
      table(
        [
          'rows in backup',
          'backup size',
          'backup time',
          'database restore',
          'read model complete',
          'restore total',
          'missing',
          'resurrected',
          'stale',
          'writes during restore',
          'new task arrived',
        ],
        [
          [
            String(m.rows['public.task_queue']),
            `${(m.files['database.dump'].bytes / 1024).toFixed(1)} KiB`,
            seconds(m.durationMs),
            seconds(report.databaseMs),
            seconds(report.readModelMs),
            seconds(report.totalMs),
            String(missing.length),
            String(resurrected.length),
            String(stale.length),
            `${during.length} tried, ${during.filter((s) => s === 503).length} answered 503`,
            freshMs === null ? 'NEVER' : seconds(freshMs),
          ],
        ],
      ),
    );
    print('\nRefused restores (each on a doctored copy of the backup):');
    print(
      table(
        ['case', 'exit code', 'nothing changed', 'message'],
        refusals.map((r) => [r.case, String(r.exitCode), r.unchanged ? 'yes' : 'NO', r.message]),
      ),
    );
    print('');
    if (problems.length > 0)
      throw new OperatorError(`the restore drill failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    say('restore drill: pass');
  });
}
