/** `make status`: every environment and test run, read-only, by project name (no env file needed). */
import { cdcNames } from '@chorus/cdc-names';
import { ROLES } from '@chorus/db';
import { LOOKALIKE_LABEL, NODE_IMAGE_LABEL } from '@chorus/versions';
import { docker, execIn, psql, services } from './compose.ts';
import { ENVIRONMENTS } from './environments.ts';
import { say } from './output.ts';
import { checkDocker } from './preflight.ts';
import { testRuns } from './test-env.ts';

export async function connectorLine(root: string, project: string, env: string): Promise<string> {
  const { connector } = cdcNames(env);
  const out = await execIn(root, project, 'kafka-connect', ['curl', '-fsS', `http://localhost:8083/connectors/${connector}/status`]);
  if (!out) return `  connector ${connector}: not registered or Connect not reachable`;
  return describeConnector(connector, JSON.parse(out) as ConnectorStatus);
}

interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
}

/** What a Java trace says went wrong: its first line and, when there is one, its root cause (the last "Caused by"). */
export function traceSummary(trace: string | undefined): string {
  if (!trace) return 'no trace';
  const lines = trace.split('\n');
  const cause = lines.filter((l) => l.startsWith('Caused by: ')).at(-1)?.slice('Caused by: '.length);
  return cause ? `${lines[0]} (caused by: ${cause})` : lines[0]!;
}

/** The connector's state, and for a FAILED one why: the first line of its trace and its root cause. */
export function describeConnector(name: string, s: ConnectorStatus): string {
  const line = `  connector ${name}: ${s.connector.state}, tasks ${s.tasks.map((t) => t.state).join(', ') || 'none'}`;
  const failed = [s.connector.state === 'FAILED' ? { what: 'connector', trace: s.connector.trace } : null, ...s.tasks.filter((t) => t.state === 'FAILED').map((t) => ({ what: `task ${t.id}`, trace: t.trace }))].filter(
    (f) => f !== null,
  );
  const why = failed.map((f) => `\n    ${f.what} FAILED: ${traceSummary(f.trace)}; see \`make logs-<env>\`, then re-run setup-connector (make run-<env>) once fixed`);
  return line + why.join('');
}

/** The replication slot: whether a client streams from it, and how much WAL it keeps (read-only, as the app role). */
async function slotLine(root: string, project: string, env: string): Promise<string> {
  const { slot } = cdcNames(env);
  const sql = `SELECT active, pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)) FROM pg_replication_slots WHERE slot_name = '${slot}'`;
  const result = await psql(root, project, ROLES.app, sql);
  if (result.code !== 0) return `  slot ${slot}: Postgres not reachable`;
  const out = result.out;
  if (!out) return `  slot ${slot}: missing`;
  const [active, retained] = out.split('|');
  return `  slot ${slot}: ${active === 't' ? 'active' : 'INACTIVE'}, retains ${retained} of WAL (capped by max_slot_wal_keep_size)`;
}

export interface ProcessorHealth {
  status: string;
  lag: number | null;
  lastEventAt: string | null;
  deadLetters?: number;
  latencyMs?: { p50: number; p99: number; changes: number } | null;
}

/** The stream processor's /healthz, read from inside its container; undefined when it does not answer. */
export async function processorHealth(root: string, project: string): Promise<ProcessorHealth | undefined> {
  const probe = "fetch('http://127.0.0.1:8080/healthz').then((r) => r.text()).then((t) => console.log(t))";
  const out = await execIn(root, project, 'chorus-stream-processor', ['node', '-e', probe]);
  return out ? (JSON.parse(out) as ProcessorHealth) : undefined;
}

async function processorLine(root: string, project: string): Promise<string | undefined> {
  const h = await processorHealth(root, project);
  if (!h) return undefined;
  const latency = h.latencyMs ? `, commit-to-read-model p50 ${h.latencyMs.p50} ms, p99 ${h.latencyMs.p99} ms (last ${h.latencyMs.changes} changes)` : '';
  return `  stream processor: ${h.status}, lag ${h.lag ?? 'unknown'}, last event ${h.lastEventAt ?? 'none yet'}, dead letters ${h.deadLetters ?? 0}${latency}`;
}

/** The image a service runs, and whether it is an offline look-alike or an app on one (by their labels). */
function imageLine(ref: string): string {
  const labels = (JSON.parse(docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', ref]).out || 'null') ?? {}) as Record<string, string>;
  if (labels[LOOKALIKE_LABEL]) return `${ref} (offline look-alike of ${labels[LOOKALIKE_LABEL]})`;
  if (labels[NODE_IMAGE_LABEL]) return `${ref} (on ${labels[NODE_IMAGE_LABEL]})`;
  return ref;
}

export async function status(root: string) {
  checkDocker();
  for (const e of [ENVIRONMENTS.prod, ENVIRONMENTS.dev]) {
    const list = await services(root, e.project);
    if (list.length === 0) {
      say(`${e.name}: not running`);
      continue;
    }
    say(`${e.name} (${e.project})${e.url ? ` — ${e.url}` : ''}`);
    for (const s of list) {
      const ports = [...new Set((s.Publishers ?? []).filter((p) => p.PublishedPort).map((p) => `${p.URL}:${p.PublishedPort}->${p.TargetPort}`))].join(', ');
      const state = s.State === 'exited' ? `exited (${s.ExitCode})` : s.State;
      process.stdout.write(`  ${s.Service.padEnd(26)} ${state.padEnd(12)} ${(s.Health || '-').padEnd(10)} ${ports.padEnd(28)} ${imageLine(s.Image)}\n`);
    }
    process.stdout.write(`${await connectorLine(root, e.project, e.name)}\n`);
    process.stdout.write(`${await slotLine(root, e.project, e.name)}\n`);
    const processor = await processorLine(root, e.project);
    if (processor) process.stdout.write(`${processor}\n`);
  }
  const runs = await testRuns(root);
  if (runs.length === 0) say('test: no runs');
  for (const r of runs) {
    say(`test run ${r.project}: ${r.state === 'live' ? 'live (its owner is running)' : 'STALE (its owner is gone): `make clean-test` removes it'}, ${r.services} container(s)`);
    if (r.state === 'live') process.stdout.write(`${await connectorLine(root, r.project, ENVIRONMENTS.test.name)}\n`);
  }
}
