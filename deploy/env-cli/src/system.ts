/**
 * What the running system says about itself, read-only and by project name (no env file needed): the
 * connector's status, the replication slot, the stream processor's health, the images services run,
 * setup-connector's outcome, and the test runs on this machine.
 */
import { type CdcNames, cdcNameOverrides, cdcNames } from '@chorus/cdc-names';
import { type ConnectorStatus, connectorStatus } from '@chorus/connect-api';
import { ROLES } from '@chorus/db';
import { type ProcessorHealth, readProcessorHealth } from '@chorus/processor-health';
import { LOOKALIKE_LABEL, NODE_IMAGE_LABEL } from '@chorus/versions';
import { z } from 'zod';
import { docker, projects } from './compose.ts';
import type { Context } from './context.ts';
import { span } from './output.ts';
import { isRunProject, runState } from './test-runs.ts';

/**
 * The CDC names a running project uses: the rule, with the overrides its setup-connector was given (from its
 * container, stopped or not, so no env file is needed); the rule alone where it has none.
 */
export function cdcNamesOf(project: string, env: string): CdcNames {
  const ids = docker([
    'ps',
    '--all',
    '--quiet',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    'label=com.docker.compose.service=setup-connector',
  ]).out.split('\n');
  if (!ids[0]) return cdcNames(env);
  const inspected = docker(['inspect', '--format', '{{json .Config.Env}}', ids[0]]);
  if (!inspected.ok) return cdcNames(env);
  const vars = Object.fromEntries(
    (JSON.parse(inspected.out) as string[]).map((line) => [
      line.slice(0, line.indexOf('=')),
      line.slice(line.indexOf('=') + 1),
    ]),
  );
  return cdcNames(env, cdcNameOverrides(vars));
}

/** The connector's status from Connect's REST API, inside its container; undefined when it has none or Connect does not answer. */
export async function readConnectorStatus(
  { compose }: Context,
  project: string,
  { connector }: Pick<CdcNames, 'connector'>,
): Promise<ConnectorStatus | undefined> {
  const out = await compose.execIn(project, 'kafka-connect', [
    'curl',
    '-fsS',
    `http://localhost:8083/connectors/${connector}/status`,
  ]);
  if (!out) return undefined;
  try {
    const parsed = connectorStatus.safeParse(JSON.parse(out));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A PUT or DELETE on Kafka Connect's REST API, from inside its container; resolves to the HTTP status (0: no answer). */
export async function connectRest(
  ctx: Context,
  project: string,
  method: 'PUT' | 'DELETE',
  path: string,
): Promise<number> {
  const r = await ctx.compose.execResult(project, 'kafka-connect', [
    'curl',
    '-sS',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '-X',
    method,
    `http://localhost:8083${path}`,
  ]);
  return Number(r.out) || 0;
}

/** The names come from cdcNamesOf, read once for all of a project's lines. */
export async function connectorLine(ctx: Context, project: string, names: CdcNames): Promise<string> {
  const { connector } = names;
  const status = await readConnectorStatus(ctx, project, names);
  return status
    ? describeConnector(connector, status)
    : `  connector ${connector}: not registered or Connect not reachable`;
}

/** What a Java trace says went wrong: its first line and, when there is one, its root cause (the last "Caused by"). */
export function traceSummary(trace: string | undefined): string {
  if (!trace) return 'no trace';
  const lines = trace.split('\n');
  const cause = lines
    .filter((l) => l.startsWith('Caused by: '))
    .at(-1)
    ?.slice('Caused by: '.length);
  return cause ? `${lines[0]} (caused by: ${cause})` : lines[0]!;
}

/** The connector's state, and for a FAILED one why: the first line of its trace and its root cause. */
export function describeConnector(name: string, s: Pick<ConnectorStatus, 'connector' | 'tasks'>): string {
  const line = `  connector ${name}: ${s.connector.state}, tasks ${s.tasks.map((t) => t.state).join(', ') || 'none'}`;
  const failed = [
    s.connector.state === 'FAILED' ? { what: 'connector', trace: s.connector.trace } : null,
    ...s.tasks.filter((t) => t.state === 'FAILED').map((t) => ({ what: `task ${t.id}`, trace: t.trace })),
  ].filter((f) => f !== null);
  const why = failed.map(
    (f) =>
      `\n    ${f.what} FAILED: ${traceSummary(f.trace)}; see \`make logs-<env>\`, then re-run setup-connector (make run-<env>) once fixed`,
  );
  return line + why.join('');
}

/** The replication slot: whether a client streams from it, and how much WAL it keeps (read-only, as the app role). */
export async function slotLine({ compose }: Context, project: string, { slot }: CdcNames): Promise<string> {
  const sql = `SELECT active, pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)) FROM pg_replication_slots WHERE slot_name = '${slot}'`;
  const result = await compose.psql(project, ROLES.app, sql);
  if (result.code !== 0) return `  slot ${slot}: Postgres not reachable`;
  const out = result.out;
  if (!out) return `  slot ${slot}: missing`;
  const [active, retained] = out.split('|');
  return `  slot ${slot}: ${active === 't' ? 'active' : 'INACTIVE'}, retains ${retained} of WAL (capped by max_slot_wal_keep_size)`;
}

/** Postgres's archiver as pg_stat_archiver reports it, with the WAL segment being written now. */
export interface ArchiverState {
  archivedCount: number;
  /** Epoch seconds; 0 when never. */
  lastArchivedAt: number;
  lastFailedAt: number;
  lastFailedWal: string;
  lastArchivedWal: string;
  currentWal: string;
}

/** Segments a segment name is after another on the same timeline (the archive's lag), from their names. */
const segmentNumber = (wal: string) => BigInt(`0x${wal.slice(8, 16)}`) * 256n + BigInt(`0x${wal.slice(16, 24)}`);

/** One line on WAL archiving: working, failing (the newest attempt failed) or behind (closed segments waiting). */
export function archiverLine(a: ArchiverState, nowSeconds: number): string {
  if (a.archivedCount === 0 && a.lastFailedAt === 0) return '  archive: no WAL segment archived yet';
  const ago = (at: number) => span(Math.max(0, nowSeconds - at) * 1000);
  if (a.lastFailedAt > a.lastArchivedAt)
    return `  archive: FAILING since ${ago(a.lastFailedAt)} ago (segment ${a.lastFailedWal}); the newest archived ${a.lastArchivedAt ? `${ago(a.lastArchivedAt)} ago` : 'never'}: make logs-prod shows pgBackRest's error (the object store unreachable, a full disk)`;
  const sameTimeline = a.lastArchivedWal.slice(0, 8) === a.currentWal.slice(0, 8);
  const waiting =
    sameTimeline && a.lastArchivedWal
      ? Number(segmentNumber(a.currentWal) - segmentNumber(a.lastArchivedWal.slice(0, 24))) - 1
      : 0;
  if (waiting > 0 && nowSeconds - a.lastArchivedAt > 120)
    return `  archive: BEHIND: ${waiting} closed segment(s) waiting, the newest archived ${ago(a.lastArchivedAt)} ago`;
  return `  archive: ok, the newest segment archived ${ago(a.lastArchivedAt)} ago (${a.archivedCount} since Postgres started)`;
}

export async function archiveLine({ compose }: Context, project: string): Promise<string> {
  const sql = `SELECT archived_count, coalesce(extract(epoch FROM last_archived_time)::bigint, 0), coalesce(extract(epoch FROM last_failed_time)::bigint, 0), coalesce(last_failed_wal, ''), coalesce(last_archived_wal, ''), pg_walfile_name(pg_current_wal_lsn()), extract(epoch FROM now())::bigint FROM pg_stat_archiver`;
  const result = await compose.psql(project, ROLES.app, sql);
  if (result.code !== 0 || !result.out) return '  archive: Postgres not reachable';
  const [count, archived, failed, failedWal, archivedWal, currentWal, now] = result.out.split('|');
  return archiverLine(
    {
      archivedCount: Number(count),
      lastArchivedAt: Number(archived),
      lastFailedAt: Number(failed),
      lastFailedWal: failedWal!,
      lastArchivedWal: archivedWal!,
      currentWal: currentWal!,
    },
    Number(now),
  );
}

/** One stream processor replica's /healthz, read from inside its container; undefined when it does not answer in the contract's shape. */
export async function processorHealth(
  { compose }: Context,
  project: string,
  replica = 1,
): Promise<ProcessorHealth | undefined> {
  const out = await compose.execIn(project, 'chorus-stream-processor', ['node', '/app/main.cjs', 'health'], replica);
  return out ? readProcessorHealth(out) : undefined;
}

/** The numbers of a project's running stream processor replicas (PROCESSOR_REPLICAS), lowest first. */
export function processorReplicas(project: string): number[] {
  const filters = [
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    'label=com.docker.compose.service=chorus-stream-processor',
  ];
  const out = docker(['ps', ...filters, '--format', '{{.Label "com.docker.compose.container-number"}}']).out;
  return out
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Every running replica's health; a replica that does not answer is undefined. */
export async function processorHealths(
  ctx: Context,
  project: string,
): Promise<{ replica: number; health?: ProcessorHealth }[]> {
  return Promise.all(
    processorReplicas(project).map(async (replica) => ({
      replica,
      health: await processorHealth(ctx, project, replica),
    })),
  );
}

export async function processorLines(ctx: Context, project: string): Promise<string[]> {
  return replicaLines(await processorHealths(ctx, project));
}

/** The status lines of replicas already read, one each. */
export function replicaLines(replicas: { replica: number; health?: ProcessorHealth }[]): string[] {
  return replicas.map(({ replica, health: h }) => {
    const name = replicas.length > 1 ? `stream processor ${replica}/${replicas.length}` : 'stream processor';
    if (!h) return `  ${name}: not answering (make logs shows why)`;
    const latency = h.latencyMs
      ? `, commit-to-read-model p50 ${h.latencyMs.p50} ms, p99 ${h.latencyMs.p99} ms (last ${h.latencyMs.changes} changes)`
      : '';
    return `  ${name}: ${h.status}, lag ${h.lag ?? 'unknown'}, last event ${h.lastEventAt ?? 'none yet'}, dead letters ${h.deadLetters}${latency}`;
  });
}

/** The image a service runs, and whether it is an offline look-alike or an app on one (by their labels). */
export function imageLine(ref: string): string {
  const labels = (JSON.parse(docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', ref]).out || 'null') ??
    {}) as Record<string, string>;
  if (labels[LOOKALIKE_LABEL]) return `${ref} (offline look-alike of ${labels[LOOKALIKE_LABEL]})`;
  if (labels[NODE_IMAGE_LABEL]) return `${ref} (on ${labels[NODE_IMAGE_LABEL]})`;
  return ref;
}

/** When setup-connector finished in a project, and its summary line. */
export function connectorOutcome(project: string): { finishedAt?: number; summary?: string } {
  const id = docker([
    'ps',
    '-aq',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    'label=com.docker.compose.service=setup-connector',
  ]).out.split('\n')[0];
  if (!id) return {};
  const finished = docker(['inspect', '--format', '{{.State.FinishedAt}}', id]).out;
  const log = docker(['logs', '--tail', '20', id]);
  const summary = `${log.out}\n${log.err}`
    .split('\n')
    .reverse()
    .find((l) => l.includes('RUNNING ('));
  return { finishedAt: Date.parse(finished), summary: summary?.replace(/^\[[^\]]+\]\s*\w+:\s*/, '') };
}

export interface TestRun {
  project: string;
  state: 'live' | 'stale';
  services: number;
}

/** The test runs on this machine (run projects, test-runs.ts), each live or stale. */
export async function testRuns({ compose }: Context): Promise<TestRun[]> {
  const found = projects().filter(isRunProject);
  return Promise.all(
    found.map(async (project) => ({
      project,
      state: runState(project),
      services: (await compose.services(project)).length,
    })),
  );
}

const targetsReply = z.object({
  data: z.object({
    activeTargets: z.array(
      z.object({ labels: z.record(z.string(), z.string()), health: z.string(), lastError: z.string() }),
    ),
  }),
});
const alertsReply = z.object({
  data: z.object({ alerts: z.array(z.object({ labels: z.record(z.string(), z.string()), state: z.string() })) }),
});

/** Asks the project's Prometheus (its HTTP API, from inside its container: prod's is not published). */
async function askPrometheus({ compose }: Context, project: string, path: string): Promise<unknown> {
  const out = await compose.httpGetIn(project, 'prometheus', `http://127.0.0.1:9090${path}`);
  if (!out) return undefined;
  try {
    return JSON.parse(out);
  } catch {
    return undefined;
  }
}

/** The alerts the project's Prometheus has firing (by name); undefined when it does not answer. */
export async function firingAlerts(ctx: Context, project: string): Promise<string[] | undefined> {
  const alerts = alertsReply.safeParse(await askPrometheus(ctx, project, '/api/v1/alerts'));
  return alerts.success
    ? alerts.data.data.alerts.filter((a) => a.state === 'firing').map((a) => a.labels.alertname ?? '')
    : undefined;
}

export type ScrapeTarget = z.infer<typeof targetsReply>['data']['activeTargets'][number];

/** The targets Prometheus scrapes, with their health; undefined when it does not answer. */
export async function prometheusTargets(ctx: Context, project: string): Promise<ScrapeTarget[] | undefined> {
  const targets = targetsReply.safeParse(await askPrometheus(ctx, project, '/api/v1/targets?state=active'));
  return targets.success ? targets.data.data.activeTargets : undefined;
}

/** Each scrape target's health, and the alerts firing or pending, as Prometheus sees them. */
export async function prometheusLine(ctx: Context, project: string): Promise<string> {
  const targets = await prometheusTargets(ctx, project);
  if (!targets) return '  prometheus: not answering (make logs shows why)';
  const list = targets.map(
    (t) => `${t.labels.job} ${t.health}${t.health === 'up' ? '' : ` (${t.lastError || 'not scraped yet'})`}`,
  );
  const down = targets.filter((t) => t.health !== 'up').length;
  const alerts = alertsReply.safeParse(await askPrometheus(ctx, project, '/api/v1/alerts'));
  const active = alerts.success ? alerts.data.data.alerts.map((a) => `${a.labels.alertname} ${a.state}`) : ['unknown'];
  return `  prometheus: ${down === 0 ? 'every target up' : `${down} target(s) DOWN`}: ${list.join(', ')}; alerts: ${active.length ? active.join(', ') : 'none'}`;
}
