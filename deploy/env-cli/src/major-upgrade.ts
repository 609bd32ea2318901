/**
 * A PostgreSQL major upgrade in place, inside `make run-prod`'s (and run-dev's) bring-up, when the data
 * directory on the environment's volume is of the major before this release's. It follows Debezium's
 * procedure for a major upgrade (stop writes, drain the slot, stop the connector, upgrade, make the slot
 * again, resume), with the environment running until the switch:
 *   1. writes pause: the web answers them 503 with Retry-After (a release whose web cannot pause them has
 *      its web stopped instead); reading goes on;
 *   2. the connector drains: every logical slot's confirmed position reaches the WAL position read after
 *      the pause, so Kafka holds every committed change; then it stops, keeping its offsets;
 *   3. a backup is taken, with this release's backup tool, of the old server (dev has none: its old files
 *      stay until the new server runs);
 *   4. Postgres stops and pg_upgrade runs on its volume (the postgres-upgrade one-shot, --link), refused
 *      with too little room; on any failure before the switch the old cluster is put back and started;
 *   5. the new server starts alone; each stopped connector's slot is made again on it, and the connector's
 *      offsets are moved to the slot's position (the new cluster's WAL starts past the old one's, so the
 *      processor's LSN guard sees positions move forward; Debezium refuses offsets older than its slot);
 *   6. after the bring-up, which resumes the connector from there without a snapshot, the old cluster's
 *      files go and writes resume.
 */
import { EXIT, OperatorError } from '@chorus/errors';
import { WRITES_PAUSED_KEY } from '@chorus/read-model';
import { Deadline, done, notYet, poll, sleep } from '@chorus/wait';
import { BACKUP_SERVICE, readComposeFile } from './compose-file.ts';
import { type ComposeTarget, docker, projectContainers } from './compose.ts';
import type { Context } from './context.ts';
import { say, seconds } from './output.ts';
import { attached } from './processes.ts';
import { cdcNamesOf, connectRest, readConnectorStatus } from './system.ts';
import { writesRefused } from './web-client.ts';
import { lsnNumber, lsnText } from './lsn.ts';

/** Where the upstream image (and its look-alike) keeps the data directory: the volume's root. */
const DATA_DIR = '/var/lib/postgresql/data';
/** How long the connector may take to confirm every change written before the pause. */
const DRAIN_LIMIT_MS = 120_000;
/** The web reads the pause once a second; a write already past it still lands. */
const PAUSE_SETTLE_MS = 2000;
/** Where an upgrade switched but not finished waits for the next bring-up to finish it (the read model's Redis, persisted). */
const PENDING_KEY = 'chorus:major-upgrade';

export interface UpgradeTarget {
  envName: string;
  /** The project as Compose runs it, with this release's file and the images resolved for it. */
  target: ComposeTarget & { file: string };
  /** The release prod runs now, as its state records it (for the message when it is stopped). */
  runningRelease?: string;
  /** The environment's superuser, from its env file: pg_upgrade, the backup of any older release and the slot need it. */
  superuser: { user: string; password: string };
}

export interface SlotPosition {
  slot: string;
  confirmed: string;
}

/** What the steps before the bring-up did, for the steps after it. */
export interface PreparedUpgrade {
  from: number;
  to: number;
  volume: string;
  /** The backup taken first; null where the environment has no backup service (dev). */
  backup: string | null;
  /** The drain marker's position (written once writes had paused), and each slot's confirmed position when the connector stopped. */
  walAtPause: string;
  slots: SlotPosition[];
  /** Connectors stopped (the running release's names): the bring-up's setup-connector may rename them. */
  connectors: string[];
  /** The web could not pause writes (an older release): it was stopped instead. */
  webStopped: boolean;
  pausedAt: number;
}

export interface UpgradeReport extends PreparedUpgrade {
  /** The slots made on the new cluster, where they start on its WAL (each connector's offsets moved there). */
  newSlots: SlotPosition[];
  /** From the pause until writes resumed. */
  pauseMs: number;
}

const majorOf = (text: string) => Number(/(\d+)/.exec(text)?.[1] ?? Number.NaN);

/** The data volume the environment's postgres service mounts, as Docker names it in this project. */
function dataVolume(ctx: Context, t: UpgradeTarget): string | undefined {
  const file = readComposeFile(ctx.root, t.target);
  const mount = (file.services.postgres?.volumes ?? []).find(
    (v): v is { source: string; target: string } => typeof v !== 'string' && v.target === DATA_DIR,
  );
  const key =
    mount?.source ?? (file.services.postgres?.volumes ?? []).find((v) => typeof v === 'string')?.split(':')[0];
  return key ? `${t.target.project}_${key}` : undefined;
}

/** The major of the data directory on `volume` (its PG_VERSION), or undefined when it holds none yet. */
function volumeMajor(volume: string, image: string): number | undefined {
  if (!docker(['volume', 'inspect', volume]).ok) return undefined;
  const read = docker([
    'run',
    '--rm',
    '--network',
    'none',
    '-v',
    `${volume}:/pgvol:ro`,
    '--entrypoint',
    'cat',
    image,
    '/pgvol/PG_VERSION',
  ]);
  return read.ok ? majorOf(read.out) : undefined;
}

/** `docker run` of the upgrade one-shot on the volume (it runs pg_upgrade as the image's postgres user). */
const upgradeRun = (volume: string, t: UpgradeTarget, mode: '' | ':ro') => [
  'run',
  '--rm',
  '--network',
  'none',
  '-v',
  `${volume}:/pgvol${mode}`,
  '-e',
  `POSTGRES_USER=${t.superuser.user}`,
];

const redis = (ctx: Context, project: string, args: string[]) =>
  ctx.compose.execIn(project, 'redis', ['redis-cli', ...args]);

async function sql(ctx: Context, t: UpgradeTarget, query: string): Promise<string> {
  const r = await ctx.compose.psql(t.target.project, t.superuser.user, query);
  if (r.code !== 0)
    throw new OperatorError(`${t.envName}'s Postgres did not answer (${query.split(' ')[0]}): ${r.err}`);
  return r.out;
}

/** Kafka Connect's REST API from inside its container: the reply's body, or undefined when it failed. */
async function connectCall(
  ctx: Context,
  project: string,
  path: string,
  o: { method?: 'GET' | 'PATCH'; body?: unknown } = {},
): Promise<string | undefined> {
  const body = o.body === undefined ? [] : ['-H', 'content-type: application/json', '-d', JSON.stringify(o.body)];
  return ctx.compose.execIn(project, 'kafka-connect', [
    'curl',
    '-fsS',
    '-X',
    o.method ?? 'GET',
    ...body,
    `http://localhost:8083${path}`,
  ]);
}

async function connectors(ctx: Context, project: string): Promise<string[]> {
  const out = await ctx.compose.execIn(project, 'kafka-connect', ['curl', '-fsS', 'http://localhost:8083/connectors']);
  return out ? (JSON.parse(out) as string[]) : [];
}

async function running(ctx: Context, project: string): Promise<Set<string>> {
  return new Set((await ctx.compose.services(project)).filter((s) => s.State === 'running').map((s) => s.Service));
}

/**
 * Steps 1-4, when the volume's data directory is of an older major; undefined when there is nothing to
 * upgrade (no volume yet, or the same major). Throws, with the environment running as before, when it refuses.
 */
export async function prepareMajorUpgrade(ctx: Context, t: UpgradeTarget): Promise<PreparedUpgrade | undefined> {
  const versions = ctx.versions();
  const to = Number(versions.POSTGRES_MAJOR);
  const image = t.target.vars?.POSTGRES_IMAGE ?? versions.POSTGRES_IMAGE;
  const volume = dataVolume(ctx, t);
  const from = volume ? volumeMajor(volume, image) : undefined;
  if (!volume || from === undefined || from === to) return undefined;
  if (from > to)
    throw new OperatorError(
      `${t.envName}'s database is PostgreSQL ${from}, newer than this release's ${to}: deploy a release that runs PostgreSQL ${from} or later`,
      { exitCode: EXIT.config },
    );
  if (from !== Number(versions.POSTGRES_PREVIOUS_MAJOR))
    throw new OperatorError(
      `${t.envName}'s database is PostgreSQL ${from}, and this release upgrades from ${versions.POSTGRES_PREVIOUS_MAJOR} only: deploy a release that runs ${from + 1} first, or restore a backup into a fresh ${t.envName}`,
      { exitCode: EXIT.config },
    );
  const { project } = t.target;
  const up = await running(ctx, project);
  const missing = ['postgres', 'kafka', 'kafka-connect', 'redis'].filter((s) => !up.has(s));
  if (missing.length > 0)
    throw new OperatorError(
      `${t.envName}'s database is PostgreSQL ${from} and must be upgraded to ${to} while its connector can drain it, but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not running: start ${t.envName} on the release it ran (${t.runningRelease ? `git checkout ${t.runningRelease.replace(/-dirty$/, '')} && ` : 'check it out, then '}make run-${t.envName}), then come back to this release and run make run-${t.envName} again`,
      { exitCode: EXIT.config },
    );

  say(
    `${t.envName}'s database is PostgreSQL ${from}; this release runs ${to}, so it is upgraded in place now. ` +
      `Writes pause (the web answers 503 with Retry-After; reading goes on) until ${t.envName} runs on ${to}, ` +
      `usually one to three minutes; a backup is taken first, and on any failure before the switch PostgreSQL ${from} starts again as it was`,
  );
  // Built before the pause: its few seconds (or minutes, the first time) are not writes' wait.
  const built = await attached('bash', [`${ctx.root}/infrastructure/images/build.sh`, 'postgres-upgrade'], {
    env: { ...ctx.env, POSTGRES_UPGRADE_BASE: image },
  });
  if (built !== 0)
    throw new OperatorError(
      `building the upgrade image ${versions.POSTGRES_UPGRADE_LOCAL} failed (the lines above say why); ${t.envName} was not changed`,
    );

  // Refused with too little room (or a wrong server) before anything pauses; the real run checks again.
  const checked = await attached('docker', [
    ...upgradeRun(volume, t, ':ro'),
    versions.POSTGRES_UPGRADE_LOCAL,
    '--check',
  ]);
  if (checked !== 0)
    throw new OperatorError(
      `the upgrade was refused (the line above says why); ${t.envName} was not changed and runs on as it was`,
      {
        exitCode: checked === EXIT.config ? EXIT.config : EXIT.failed,
      },
    );

  const pausedAt = Date.now();
  const reason = `${t.envName}'s database is being upgraded from PostgreSQL ${from} to ${to}`;
  if ((await redis(ctx, project, ['SET', WRITES_PAUSED_KEY, reason])) !== 'OK')
    throw new OperatorError(
      `could not pause writes: redis-cli SET failed in ${t.envName}'s Redis; \`make status\` shows whether it is healthy. Nothing was changed`,
    );
  await sleep(PAUSE_SETTLE_MS);
  // A release from before the write pause would go on writing: its web stops for the upgrade instead.
  const pauses = await writesRefused(ctx, project).catch(() => false);
  if (!pauses) await ctx.compose.stopService(project, 'chorus-web');
  say(
    `${t.envName}: writes ${pauses ? 'paused' : "stopped (this release's web cannot pause them)"}; waiting for the connector to confirm every change`,
  );

  const stopped: string[] = [];
  const undo = async () => {
    for (const name of stopped) await connectRest(ctx, project, 'PUT', `/connectors/${name}/resume`);
    if (!pauses) await ctx.compose.startService(project, 'chorus-web');
    await redis(ctx, project, ['DEL', WRITES_PAUSED_KEY]);
  };
  try {
    // A marker through the slot: once the connector confirms it, it has every change committed before it
    // (a quiet slot's confirmed position never reaches the WAL's end: other WAL is not sent to it).
    const walAtPause = await sql(ctx, t, `SELECT pg_logical_emit_message(true, 'chorus-upgrade', 'drain')`);
    const slotQuery = `SELECT slot_name, confirmed_flush_lsn, pg_wal_lsn_diff('${walAtPause}', confirmed_flush_lsn) FROM pg_replication_slots WHERE slot_type = 'logical' AND active`;
    const slots = await poll(
      async () => {
        const rows = (await sql(ctx, t, slotQuery))
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('|'));
        const behind = rows.filter(([, , gap]) => Number(gap) > 0);
        return behind.length === 0
          ? done(rows.map(([slot, confirmed]) => ({ slot: slot!, confirmed: confirmed! })))
          : notYet(
              behind.map(([slot, confirmed]) => `slot ${slot} at ${confirmed}, the marker at ${walAtPause}`).join('; '),
            );
      },
      {
        what: 'the connector to confirm every change',
        deadline: new Deadline(DRAIN_LIMIT_MS),
        initialMs: 500,
        maxMs: 1000,
      },
    );
    for (const s of slots)
      say(
        `${t.envName}: slot ${s.slot} confirmed ${s.confirmed} (the marker written once writes paused at ${walAtPause}): Kafka holds every change`,
      );
    for (const name of await connectors(ctx, project)) {
      if ((await connectRest(ctx, project, 'PUT', `/connectors/${name}/stop`)) >= 300)
        throw new OperatorError(`Kafka Connect did not stop connector ${name}; \`make status\` shows its state`);
      stopped.push(name);
      await poll(
        async () =>
          (await readConnectorStatus(ctx, project, { connector: name }))?.connector.state === 'STOPPED'
            ? done(true)
            : notYet('not stopped'),
        { what: `connector ${name} to stop`, deadline: new Deadline(60_000), initialMs: 500, maxMs: 1000 },
      );
    }

    let backupName: string | null = null;
    const backupService = readComposeFile(ctx.root, t.target).services[BACKUP_SERVICE];
    if (backupService) {
      say(`${t.envName}: connector stopped, keeping its offsets; taking a backup of PostgreSQL ${from}`);
      // An older release's Postgres may sit on other networks: it joins the backup service's (which a
      // first run makes) under its service name; where it is already, Docker refuses, and nothing changes.
      await ctx.compose.runCapture(t.target, BACKUP_SERVICE, ['true']);
      const postgres = projectContainers(project, 'postgres').find((c) => c.running)?.name ?? '';
      const networks = Array.isArray(backupService.networks) ? (backupService.networks as string[]) : [];
      for (const network of networks)
        docker(['network', 'connect', '--alias', 'postgres', `${project}_${network}`, postgres]);
      // As the superuser: a release from before the owner role has none of this release's roles yet. The export
      // alone: the old server archives no WAL for a base backup to pair with (the new one does from its start).
      const backup = await ctx.compose.runCapture(
        t.target,
        BACKUP_SERVICE,
        ['node', '/app/main.cjs', 'backup', '--export-only'],
        {
          env: { POSTGRES_USER: t.superuser.user, POSTGRES_PASSWORD: t.superuser.password },
        },
      );
      if (backup.code !== 0) throw new OperatorError(`the backup before the upgrade failed (the lines above say why)`);
      backupName = (JSON.parse(backup.out.trim().split('\n').at(-1) ?? '{}') as { name?: string }).name ?? 'unnamed';
      say(`${t.envName}: backup ${backupName} taken; stopping PostgreSQL ${from} and upgrading its data directory`);
    } else
      say(
        `${t.envName}: connector stopped, keeping its offsets; ${t.envName} has no backup service, so none is taken; upgrading its data directory`,
      );
    await ctx.compose.stopService(project, 'postgres');
    const upgraded = await attached('docker', [...upgradeRun(volume, t, ''), versions.POSTGRES_UPGRADE_LOCAL]);
    if (upgraded !== 0) {
      await ctx.compose.startService(project, 'postgres');
      throw new OperatorError(
        upgraded === EXIT.config
          ? `the upgrade was refused (the line above says why); PostgreSQL ${from} runs again as it was`
          : `pg_upgrade failed (its log is above); PostgreSQL ${from}'s data directory was put back and runs again as it was`,
        { exitCode: upgraded === EXIT.config ? EXIT.config : EXIT.failed },
      );
    }
    return {
      from,
      to,
      volume,
      backup: backupName,
      walAtPause,
      slots,
      connectors: stopped,
      webStopped: !pauses,
      pausedAt,
    };
  } catch (error) {
    await undo();
    throw error;
  }
}

/** An upgrade that switched but did not finish (its bring-up failed): the next bring-up finishes it. */
export async function pendingMajorUpgrade(ctx: Context, t: UpgradeTarget): Promise<PreparedUpgrade | undefined> {
  const saved = await redis(ctx, t.target.project, ['GET', PENDING_KEY]);
  return saved ? (JSON.parse(saved) as PreparedUpgrade) : undefined;
}

/**
 * Step 5, before the bring-up: the new server alone, each stopped connector's slot made on it, and the
 * connector's offsets moved to where the slot starts. Idempotent: a slot already there is kept, offsets at
 * or past it are left.
 */
export async function alignConnectors(ctx: Context, t: UpgradeTarget, p: PreparedUpgrade): Promise<SlotPosition[]> {
  const { project } = t.target;
  if ((await ctx.compose.upService(t.target, 'postgres')) !== 0)
    throw new OperatorError(
      `PostgreSQL ${p.to} did not start on the upgraded data directory; \`make logs-${t.envName}\` shows why`,
    );
  const made: SlotPosition[] = [];
  for (const name of p.connectors) {
    const config = JSON.parse((await connectCall(ctx, project, `/connectors/${name}/config`)) ?? '{}') as Record<
      string,
      string
    >;
    const slot = config['slot.name'];
    if (!slot) continue;
    const confirmed = await sql(
      ctx,
      t,
      `SELECT coalesce((SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '${slot}'), ` +
        `(SELECT lsn FROM pg_create_logical_replication_slot('${slot}', 'pgoutput')))`,
    );
    made.push({ slot, confirmed });
    const offsets = JSON.parse(
      (await connectCall(ctx, project, `/connectors/${name}/offsets`)) ?? '{"offsets":[]}',
    ) as {
      offsets: { partition: Record<string, unknown>; offset: Record<string, unknown> }[];
    };
    const position = lsnNumber(confirmed);
    const moved = offsets.offsets
      .filter((o) => Number(o.offset.lsn ?? 0) < position)
      .map((o) => ({
        partition: o.partition,
        offset: { ...o.offset, lsn: position, lsn_proc: position, lsn_commit: position },
      }));
    if (moved.length === 0) continue;
    if (
      (await connectCall(ctx, project, `/connectors/${name}/offsets`, {
        method: 'PATCH',
        body: { offsets: moved },
      })) === undefined
    )
      throw new OperatorError(
        `Kafka Connect did not move connector ${name}'s offsets to slot ${slot}'s position ${confirmed}`,
      );
    say(
      `${t.envName}: slot ${slot} made on PostgreSQL ${p.to} at ${confirmed}; connector ${name}'s offsets moved there (from ${lsnText(Number(offsets.offsets[0]?.offset.lsn ?? 0))})`,
    );
  }
  return made;
}

/** Step 6, once the environment runs this release: the connector running, the old files gone, writes resumed. */
export async function finishMajorUpgrade(
  ctx: Context,
  t: UpgradeTarget,
  p: PreparedUpgrade,
  newSlots: SlotPosition[],
): Promise<UpgradeReport> {
  const { project } = t.target;
  const names = cdcNamesOf(project, t.envName);
  try {
    for (const name of new Set([...p.connectors, names.connector])) {
      const status = await readConnectorStatus(ctx, project, { connector: name });
      if (status?.connector.state === 'STOPPED') await connectRest(ctx, project, 'PUT', `/connectors/${name}/resume`);
    }
    await poll(
      async () => {
        const s = await readConnectorStatus(ctx, project, names);
        return s?.connector.state === 'RUNNING' && s.tasks.every((x) => x.state === 'RUNNING')
          ? done(true)
          : notYet(`connector ${names.connector} is ${s?.connector.state ?? 'not registered'}`);
      },
      { what: `connector ${names.connector} to run`, deadline: new Deadline(120_000), initialMs: 500, maxMs: 2000 },
    );
    const removed = docker([
      'run',
      '--rm',
      '--network',
      'none',
      '-v',
      `${p.volume}:/pgvol`,
      '--entrypoint',
      'rm',
      ctx.versions().POSTGRES_UPGRADE_LOCAL,
      '-rf',
      '/pgvol/old',
    ]);
    if ((await redis(ctx, project, ['DEL', WRITES_PAUSED_KEY, PENDING_KEY])) === undefined)
      throw new OperatorError(
        `could not resume writes: redis-cli DEL ${WRITES_PAUSED_KEY} failed in ${t.envName}'s Redis`,
      );
    const pauseMs = Date.now() - p.pausedAt;
    say(
      `${t.envName}: PostgreSQL ${p.from} -> ${p.to} done: connector ${names.connector} resumed from ${newSlots.map((x) => `slot ${x.slot} at ${x.confirmed}`).join(', ') || 'its slot'} (past ${p.walAtPause}) without a snapshot; ` +
        `writes resumed after ${seconds(pauseMs)}.${p.backup ? ` Backup ${p.backup} holds the database as it was before.` : ''}` +
        (removed.ok
          ? ''
          : ` PostgreSQL ${p.from}'s files are still in the volume's old/ (removing them failed: ${removed.err})`),
    );
    return { ...p, newSlots, pauseMs };
  } catch (error) {
    throw new OperatorError(
      `${(error as Error).message}. ${t.envName}'s database is PostgreSQL ${p.to} now (the upgrade cannot be undone${p.backup ? `; backup ${p.backup} holds it as it was` : ''}) and writes stay paused: fix the above, then run make run-${t.envName} again, which finishes the upgrade`,
    );
  }
}
