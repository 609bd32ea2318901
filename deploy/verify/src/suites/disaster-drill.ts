/**
 * `make disaster-drill`: the host is lost, and prod comes back from its object store and its exported secrets
 * alone, at a moment before a mistake. In projects of its own:
 *   1. an S3-compatible object store (Versity S3 Gateway, infrastructure/object-store) stands in for another
 *      host: its own container, network and volume, with a certificate from a CA of the drill's;
 *   2. this checkout's prod starts with that store as its second repository; a writer posts tasks through the
 *      API the whole time, and the age of the newest WAL in the store is sampled (the RPO);
 *   3. the drill notes a time T, keeps writing, then cancels and deletes tasks written before T (the mistake);
 *   4. the secrets are exported, and every volume of prod's project is removed, with its env file: the host
 *      is gone, and only the store and the secrets file are left;
 *   5. on the "new host": the secrets are imported, and restores are refused (exit 2, nothing changed) for a
 *      time outside the window, for a wrong key and for another environment's repository;
 *   6. `make restore-prod AT=T` rebuilds prod; its database must hold every task committed before T with its
 *      status then, none from after, and its read model must equal it: none missing, stale or resurrected.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ROLES } from '@chorus/db';
import { EXIT, OperatorError } from '@chorus/errors';
import { summarize } from '@chorus/latency';
import { ensureCertificate, PKI_FILES } from '@chorus/pki';
import { sleep } from '@chorus/wait';
import { removeAppImageTags } from 'env-cli/app-images.ts';
import { listBackups } from 'env-cli/backups.ts';
import { deploy, images } from 'env-cli/bring-up.ts';
import { restore } from 'env-cli/commands/restore.ts';
import { exportSecrets, importSecrets } from 'env-cli/commands/secrets.ts';
import { BACKUP_SERVICE } from 'env-cli/compose-file.ts';
import { docker } from 'env-cli/compose.ts';
import type { Context } from 'env-cli/context.ts';
import { ensureProdEnvFile, readEnvFile, setEnvFileValue } from 'env-cli/env-file.ts';
import { ENVIRONMENTS, type Environment } from 'env-cli/environments.ts';
import { print, say, seconds, table } from 'env-cli/output.ts';
import { checkDocker } from 'env-cli/preflight.ts';
import { capture } from 'env-cli/processes.ts';
import { withTeardown } from 'env-cli/run-project.ts';
import { newRunProject } from 'env-cli/test-runs.ts';
import { readTasks } from 'env-cli/web-client.ts';
import { rewriteProdFile } from '../earlier-release.ts';
import { startWriter } from '../writer-run.ts';

const BUCKET = 'chorus-drill';
const [ACCESS_KEY, SECRET_KEY] = ['drill-access-key', 'drill-secret-key-not-a-secret'];
const PASSPHRASE = 'the drill passphrase, not a secret';
/** The writer's rate, and how long it writes before T, between T and the mistake, and after it. */
const WRITER_RATE = 20;
const [BEFORE_T_MS, T_TO_MISTAKE_MS, AFTER_MISTAKE_MS] = [20_000, 15_000, 10_000];
/** Commits this close to T may land on either side of it (a row's created_at is its transaction's start). */
const T_BAND_MS = 1000;
const RPO_TARGET_MS = 60_000;
const SAMPLE_EVERY_MS = 5_000;

interface Row {
  status: string;
  createdAt: number;
}

async function rows(ctx: Context, project: string): Promise<Map<string, Row>> {
  const r = await ctx.compose.psql(
    project,
    ROLES.app,
    "SELECT query_hash || '|' || status || '|' || (extract(epoch FROM created_at) * 1000)::bigint FROM task_queue",
  );
  if (r.code !== 0) throw new OperatorError(`reading ${project}'s tasks failed: ${r.err}`);
  return new Map(
    r.out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [hash, status, at] = line.split('|');
        return [hash!, { status: status!, createdAt: Number(at) }];
      }),
  );
}

/** The object store: the drill's stand-in for storage on another host. */
function startObjectStore(ctx: Context, project: string, work: string, image: string) {
  const built = capture('bash', [join(ctx.root, 'infrastructure/object-store/build.sh')]);
  if (!built.ok) throw new OperatorError(`building the object store failed: ${built.err}`);
  const [network, volume, name] = [`${project}-objects`, `${project}-objects-data`, `${project}-objects`];
  if (!docker(['network', 'create', '--internal', network]).ok)
    throw new OperatorError(`could not create network ${network}`);
  const started = docker([
    'run',
    '-d',
    '--name',
    name,
    '--network',
    network,
    '--network-alias',
    'objects',
    '-v',
    `${volume}:/data`,
    '-v',
    `${built.out}:/vgw:ro`,
    '-v',
    `${work}/objects-tls:/tls:ro`,
    '-e',
    `ROOT_ACCESS_KEY=${ACCESS_KEY}`,
    '-e',
    `ROOT_SECRET_KEY=${SECRET_KEY}`,
    '--entrypoint',
    'sh',
    image,
    '-c',
    `mkdir -p /data/${BUCKET} && exec /vgw/versitygw --port :443 --cert /tls/${PKI_FILES.leafCert} --key /tls/${PKI_FILES.leafKey} posix /data`,
  ]);
  if (!started.ok) throw new OperatorError(`the object store did not start: ${started.err}`);
  return {
    network,
    /** The objects it holds, by path and size: what a refused restore must leave as it was. */
    listing: () =>
      docker(['exec', name, 'sh', '-c', `cd /data/${BUCKET} && find . -type f -printf '%p %s\\n' | sort`]).out,
    remove: () => {
      docker(['rm', '-f', name]);
      docker(['volume', 'rm', '-f', volume]);
      docker(['network', 'rm', network]);
    },
  };
}

/** prod's file for the drill: its Postgres and backup service also on the object store's network. */
function drillFile(ctx: Context, project: string, network: string): string {
  const file = parse(rewriteProdFile(join(ctx.root, ENVIRONMENTS.prod.file), project)) as {
    services: Record<string, { networks?: string[] }>;
    networks: Record<string, unknown>;
  };
  for (const service of ['postgres', BACKUP_SERVICE]) file.services[service]!.networks!.push('objects');
  file.networks.objects = { external: true, name: network };
  return stringify(file);
}

/** Runs a command the way an operator would, and reports its exit code (a refusal throws an OperatorError). */
async function exitCodeOf(run: () => Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await run();
    return { code: 0, message: '' };
  } catch (error) {
    if (error instanceof OperatorError) return { code: error.exitCode, message: error.message };
    throw error;
  }
}

export async function disasterDrill(ctx: Context): Promise<void> {
  checkDocker();
  const project = newRunProject();
  const work = mkdtempSync(join(tmpdir(), 'chorus-disaster-drill-'));
  const e: Environment = {
    ...ENVIRONMENTS.prod,
    project,
    file: join(work, 'docker-compose.prod.yml'),
    envFile: join(work, 'host', '.env.prod'),
  };
  const secretsFile = join(work, 'prod.secrets');
  const drillCtx: Context = { ...ctx, env: { ...ctx.env, SECRETS_PASSPHRASE: PASSPHRASE } };
  let objects: ReturnType<typeof startObjectStore> | undefined;
  const timings: [string, number][] = [];
  const timed = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await step();
    timings.push([what, Date.now() - started]);
    return result;
  };
  const teardown = async () => {
    say(`tearing down ${project} and its object store (volumes included)`);
    await ctx.compose.downShielded(project);
    objects?.remove();
    removeAppImageTags(project);
    rmSync(work, { recursive: true, force: true });
  };
  await withTeardown(teardown, async () => {
    // The object store, with a certificate from the drill's own CA (as a private store would have).
    await ensureCertificate({
      dir: join(work, 'objects-tls'),
      names: ['objects'],
      port: 443,
      caName: 'CHORUS drill objects',
    });
    mkdirSync(join(work, 'host'));
    ensureProdEnvFile(ctx.root, e);
    // A static server: any of the resolved images runs it (the Node image, whichever path resolved it).
    const { NODE_IMAGE } = await images(ctx, { envFile: readEnvFile(ctx.root, e), vars: {} });
    objects = startObjectStore(ctx, project, work, NODE_IMAGE!);
    writeFileSync(e.file, drillFile(ctx, project, objects.network));
    appendFileSync(
      e.envFile,
      [
        `BACKUP_S3_ENDPOINT=objects`,
        `BACKUP_S3_BUCKET=${BUCKET}`,
        `BACKUP_S3_KEY=${ACCESS_KEY}`,
        `BACKUP_S3_KEY_SECRET=${SECRET_KEY}`,
        'BACKUP_S3_URI_STYLE=path',
        `BACKUP_S3_CA_FILE=${join(work, 'objects-tls', PKI_FILES.rootCert)}`,
        '',
      ].join('\n'),
    );
    say(
      `disaster drill: starting this checkout's prod as ${project}, its backups also in an object store on another network`,
    );
    await timed('prod started', () => deploy(ctx, e, { build: true, tag: project }));

    // Both repositories hold a base backup (the schedule takes one at once) before anything is written.
    await timed('first base backups', async () => {
      for (let i = 0; i < 60; i++) {
        const listing = await listBackups(ctx, project, { archive: true });
        if (listing?.archive?.repos.length === 2 && listing.archive.repos.every((r) => r.backups.length > 0)) return;
        await sleep(3000);
      }
      throw new OperatorError('the base backups into both repositories did not appear within 3 minutes');
    });

    const ages: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const r = await ctx.compose.execResult(project, BACKUP_SERVICE, [
          'node',
          '/app/main.cjs',
          'archive-newest',
          '2',
        ]);
        const newest =
          r.code === 0 ? (JSON.parse(r.out.split('\n').at(-1)!) as { newest: string | null }).newest : null;
        if (newest) ages.push(Date.now() - Date.parse(newest));
        await sleep(SAMPLE_EVERY_MS);
      }
    })();

    const writer = await startWriter(ctx, project, {
      rate: WRITER_RATE,
      label: 'drill',
      image: `chorus/web:${project}`,
    });
    await sleep(BEFORE_T_MS);
    const T = new Date();
    await sleep(T_BAND_MS * 2);
    const atT = await rows(ctx, project);
    say(`disaster drill: T = ${T.toISOString()}; ${atT.size} tasks then; writing on`);
    await sleep(T_TO_MISTAKE_MS);
    // The mistake: tasks written before T cancelled and deleted.
    const before = [...atT].filter(([, r]) => r.createdAt < T.getTime() - T_BAND_MS).map(([h]) => h);
    const [cancelled, deleted] = [before.slice(0, 5), before.slice(5, 10)];
    const list = (hashes: string[]) => hashes.map((h) => `'${h}'`).join(',');
    const mistake = await ctx.compose.psql(
      project,
      ROLES.app,
      `UPDATE task_queue SET status = 'CANCELLED', updated_at = now() WHERE query_hash IN (${list(cancelled)}); DELETE FROM task_queue WHERE query_hash IN (${list(deleted)})`,
    );
    if (mistake.code !== 0) throw new OperatorError(`the mistake could not be made: ${mistake.err}`);
    say(`disaster drill: the mistake: ${cancelled.length} tasks from before T cancelled, ${deleted.length} deleted`);
    await sleep(AFTER_MISTAKE_MS);
    const writes = await writer.stop();

    // The archive in the store reaches past T (a segment closes within 30 s of a change).
    await timed('archive past T in the object store', async () => {
      for (let i = 0; i < 40; i++) {
        const repo2 = (await listBackups(ctx, project, { archive: true }))?.archive?.repos.find((r) => r.repo === 2);
        if (repo2?.window && repo2.window.latest > T.toISOString()) return;
        await sleep(3000);
      }
      throw new OperatorError('the object store did not hold the WAL past T within 2 minutes');
    });
    sampling = false;
    await sampler;

    // Another environment's archive in the same store, for the refusal below: dev's stanza under its own path.
    const dev = await ctx.compose.execResult(project, BACKUP_SERVICE, ['chorus-pgbackrest', 'stanza-create'], {
      env: { PGBACKREST_STANZA: 'dev', BACKUP_S3_PATH: '/dev-archive' },
    });
    if (dev.code !== 0) throw new OperatorError(`dev's archive could not be made in the store: ${dev.err}`);

    await timed('secrets exported', () => exportSecrets(drillCtx, e, secretsFile));
    await timed('host lost', async () => {
      if ((await ctx.compose.down(project, { volumes: true })) !== 0)
        throw new OperatorError(`removing ${project} and its volumes failed`);
      rmSync(join(work, 'host'), { recursive: true, force: true });
      mkdirSync(join(work, 'host'));
    });
    const left = docker(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]).out;
    if (left) throw new OperatorError(`volumes of ${project} survived the loss of the host: ${left}`);
    say(`disaster drill: the host is gone: no volume of ${project} is left, only the object store and ${secretsFile}`);
    // What the store holds once Postgres has stopped (it archives on its way down): each refusal must leave it so.
    const stored = objects.listing();

    await timed('secrets imported', () => importSecrets(drillCtx, e, secretsFile));
    const importedEnv = readFileSync(e.envFile, 'utf8');
    const dataVolume = `${project}_postgres_data_prod`;
    const nothingChanged = () =>
      objects!.listing() === stored &&
      !capture('docker', [
        'run',
        '--rm',
        '--network',
        'none',
        '-v',
        `${dataVolume}:/d`,
        '--entrypoint',
        'test',
        `chorus/postgres:${project}`,
        '-e',
        '/d/PG_VERSION',
      ]).ok;
    const refusals: { name: string; code: number; unchanged: boolean; message: string; expected: RegExp }[] = [];
    const refused = async (name: string, expected: RegExp, change: (() => void) | undefined, at: string) => {
      change?.();
      const r = await exitCodeOf(() => restore(drillCtx, e, undefined, { at, tag: project }));
      refusals.push({ name, ...r, expected, unchanged: nothingChanged() });
      writeFileSync(e.envFile, importedEnv, { mode: 0o600 });
    };
    await refused(
      'a time outside the window',
      /is outside what prod's archive can restore/,
      undefined,
      '2020-01-01T00:00:00Z',
    );
    await refused(
      'a wrong key',
      /repo2: .*(decrypt|cipher|crypto)/i,
      () => setEnvFileValue(ctx.root, e, 'BACKUP_ENCRYPTION_KEY', 'not-the-key-the-backups-were-sealed-with'),
      T.toISOString(),
    );
    await refused(
      "another environment's repository",
      /repo2: holds the archive of dev, not of prod/,
      () => setEnvFileValue(ctx.root, e, 'BACKUP_S3_PATH', '/dev-archive'),
      T.toISOString(),
    );

    const restoreStarted = Date.now();
    await restore(drillCtx, e, undefined, { at: T.toISOString(), tag: project });
    timings.push(['make restore-prod AT=T (new host)', Date.now() - restoreStarted]);

    const restored = await rows(ctx, project);
    const t = T.getTime();
    const missing = [...atT].filter(([h, r]) => r.createdAt < t - T_BAND_MS && !restored.has(h)).length;
    const stale = [...atT].filter(([h, r]) => restored.has(h) && restored.get(h)!.status !== r.status).length;
    const fromAfter = [...restored].filter(([, r]) => r.createdAt > t + T_BAND_MS).length;
    const recoveryPoint = Math.max(...[...restored.values()].map((r) => r.createdAt));
    // Written after T: in the writer's list, not in the restored database, and so not in the read model either.
    const afterT = writes.accepted.filter((h) => !restored.has(h));
    const readModel = await readTasks(ctx, project, [...restored.keys(), ...afterT]);
    const modelDiffers = [...restored].filter(([h, r]) => readModel[h] !== r.status).length;
    const resurrected = afterT.filter((h) => readModel[h] !== 404).length;
    const stillDeleted = deleted.filter((h) => !restored.has(h)).length;
    const stillCancelled = cancelled.filter((h) => restored.get(h)?.status === 'CANCELLED').length;

    const problems: string[] = [];
    if (missing) problems.push(`${missing} tasks committed before T are missing from the restored database`);
    if (stale) problems.push(`${stale} tasks have another status than at T`);
    if (fromAfter) problems.push(`${fromAfter} tasks written after T are in the restored database`);
    if (stillDeleted) problems.push(`${stillDeleted} tasks deleted after T are still gone`);
    if (stillCancelled) problems.push(`${stillCancelled} tasks cancelled after T are still cancelled`);
    if (modelDiffers)
      problems.push(`${modelDiffers} tasks of the restored database read back otherwise from the read model`);
    if (resurrected) problems.push(`${resurrected} tasks written after T are in the read model`);
    const rpo = summarize(ages);
    if (!rpo || rpo.max > RPO_TARGET_MS)
      problems.push(
        `the newest WAL in the object store was up to ${rpo ? seconds(rpo.max) : 'never'} old (target ${seconds(RPO_TARGET_MS)})`,
      );
    for (const r of refusals)
      if (r.code !== EXIT.config || !r.unchanged || !r.expected.test(r.message))
        problems.push(
          `the restore refused for ${r.name} exited ${r.code}${r.unchanged ? '' : ' and changed something'}: ${r.message || 'no message'}`,
        );

    print(
      `\nDisaster drill (make disaster-drill): T = ${T.toISOString()}; recovery point ${new Date(recoveryPoint).toISOString()} (${seconds(t - recoveryPoint)} before T)`,
    );
    print(
      table(
        [
          'tasks at T',
          'restored',
          'missing',
          'stale',
          'from after T',
          'deleted after T, back',
          'cancelled after T, back',
          'read model differs',
          'resurrected',
          'writer accepted',
        ],
        [
          [
            atT.size,
            restored.size,
            missing,
            stale,
            fromAfter,
            deleted.length - stillDeleted,
            cancelled.length - stillCancelled,
            modelDiffers,
            resurrected,
            writes.accepted.length,
          ].map(String),
        ],
      ),
    );
    print(
      `RPO: the newest WAL in the object store, sampled every ${seconds(SAMPLE_EVERY_MS)} while writing: ${rpo ? `p50 ${seconds(rpo.p50)}, max ${seconds(rpo.max)} over ${rpo.count} samples` : 'no sample'} (target ${seconds(RPO_TARGET_MS)})`,
    );
    print(
      table(
        ['step', 'took'],
        timings.map(([what, ms]) => [what, seconds(ms)]),
      ),
    );
    print(
      table(
        ['refused restore', 'exit code', 'nothing changed', 'message'],
        refusals.map((r) => [r.name, String(r.code), r.unchanged ? 'yes' : 'no', r.message]),
      ),
    );
    if (problems.length > 0) throw new OperatorError(`disaster drill failed:\n  ${problems.join('\n  ')}`);
    say('disaster drill: pass');
  });
}
