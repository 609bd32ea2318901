/**
 * `make chaos`: a project of its own from the test file, with prod's restart policy, and a writer
 * submitting about 200 tasks a second while one fault at a time hits it. After each fault the read
 * model must match Postgres task by task within 60 s, and every service must be healthy again without
 * anyone restarting it (the suite restarts only what it killed). Then, on the same project: the
 * read-model rebuild, a malformed event, and a connector that FAILs.
 */
import { cdcNames } from '@chorus/cdc-names';
import { defaults } from '@chorus/config';
import { ROLES } from '@chorus/db';
import { OperatorError } from '@chorus/errors';
import {
  type Convergence,
  type WriterReport,
  convergence as convergenceReport,
  readReports,
  writerReport,
} from '@chorus/load-reports';
import { Deadline, done, notYet, poll, sleep, timeUntil } from '@chorus/wait';
import { TESTER_IMAGE } from 'env-cli/app-images.ts';
import { type ComposeTarget, killContainer, startContainer } from 'env-cli/compose.ts';
import { readComposeFile } from 'env-cli/compose-file.ts';
import type { Context } from 'env-cli/context.ts';
import { ENVIRONMENTS } from 'env-cli/environments.ts';
import { print, say, table } from 'env-cli/output.ts';
import { rebuildReadModel } from 'env-cli/read-model-rebuild.ts';
import { SCALE, runsWith, scaleVars } from '../scale.ts';
import { withRunProject } from 'env-cli/run-project.ts';
import {
  connectRest,
  connectorLine,
  firingAlerts,
  processorHealth,
  processorHealths,
  prometheusTargets,
  replicaLines,
  readConnectorStatus,
} from 'env-cli/system.ts';
import { type ReadAndWrite, readAndWrite, readTasks, submitTask } from 'env-cli/web-client.ts';

const RATE = 200;
/** The writer runs this long around each fault: before it, while the service is down, and after. */
const WRITE_SECONDS = 16;
const BEFORE_FAULT_MS = 4000;
const DOWN_MS = 4000;
const LIMIT_SECONDS = 60;

export interface Fault {
  name: string;
  /** A service killed with SIGKILL and started again after DOWN_MS; or Redis flushed. */
  kill?: string;
  flush?: true;
  /** One container picked when the fault strikes (a replica, the worker that runs the task), killed the same way. */
  victim?: (ctx: Context, run: ComposeTarget) => Promise<Victim>;
}

/** A container to kill, and what it is, for the output. */
interface Victim {
  container: string;
  what: string;
}

export const FAULTS: Fault[] = [
  { name: 'Kafka Connect killed', kill: 'kafka-connect' },
  { name: 'stream processor killed', kill: 'chorus-stream-processor' },
  { name: 'Redis killed (no persistence in test: its data is lost)', kill: 'redis' },
  { name: 'Postgres killed', kill: 'postgres' },
  { name: 'Kafka killed', kill: 'kafka' },
  { name: 'Redis flushed (FLUSHALL)', flush: true },
];

const container = (run: ComposeTarget, service: string, replica = 1) => `${run.project}-${service}-${replica}`;

/** On the scale profile (scale.ts): what one host's worth of redundancy must survive. */
export const SCALE_FAULTS: Fault[] = [
  {
    name: `one of ${SCALE.processorReplicas} stream processor replicas killed`,
    victim: async (_ctx, run) => ({
      container: container(run, 'chorus-stream-processor', 1),
      what: 'stream processor replica 1',
    }),
  },
  {
    name: `the Kafka Connect worker running the task killed (of ${SCALE.connectWorkers.length})`,
    victim: async (ctx, run) => {
      const status = await readConnectorStatus(ctx, run.project, cdcNames(ENVIRONMENTS.test.name));
      const worker = status?.tasks[0]?.worker_id.split(':')[0];
      if (!worker || !(SCALE.connectWorkers as readonly string[]).includes(worker))
        throw new OperatorError(
          `cannot tell which Connect worker runs the task: ${JSON.stringify(status?.tasks ?? null)}`,
        );
      return { container: container(run, worker), what: `${worker} (it ran the task)` };
    },
  },
  {
    name: `the broker leading partition 0 of the change topic killed (of ${SCALE.brokers.length})`,
    victim: async (ctx, run) => {
      const { taskTopic } = cdcNames(ENVIRONMENTS.test.name);
      const described = await ctx.compose.kafkaTool(
        run.project,
        `/opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic ${taskTopic}`,
      );
      const leader = Number(/Partition: 0\s+Leader: (\d+)/.exec(described.out)?.[1]);
      const broker = SCALE.brokers[leader - 1];
      if (!broker)
        throw new OperatorError(
          `cannot tell which broker leads partition 0 of ${taskTopic}: ${described.out || described.err}`,
        );
      return { container: container(run, broker), what: `${broker} (node ${leader}, leader of partition 0)` };
    },
  },
];

export interface FaultResult {
  fault: string;
  written: number;
  /** Writes that failed while Postgres was down. The check compares with what Postgres holds, so one that committed after all is checked too. */
  refused: number;
  tasks: number;
  lost: number;
  stale: number;
  resurrected: number;
  /** How long the writer went on after the restart: convergence cannot come sooner. */
  writingAfterSeconds: number;
  convergedSeconds: number | null;
  healthySeconds: number | null;
  examples: string[];
}

const tester = (ctx: Context, run: ComposeTarget, args: string[]) =>
  ctx.compose.runCapture(run, TESTER_IMAGE, ['node', '/app/main.cjs', ...args]);

/** The tester's chaos writer, for `seconds` at `rate`; resolves to what it wrote. */
async function writeTasks(
  ctx: Context,
  run: ComposeTarget,
  o: { rate: number; seconds: number; id: string },
): Promise<WriterReport> {
  const written = await tester(ctx, run, [
    'chaos-write',
    '--rate',
    String(o.rate),
    '--seconds',
    String(o.seconds),
    '--run',
    o.id,
  ]);
  const report = readReports(writerReport, written.out)[0];
  if (written.code !== 0 || !report)
    throw new OperatorError(`the chaos writer failed (exit ${written.code}); its output is above`);
  return report;
}

/** Compares Postgres with the read model until they match or the limit passes. */
async function converge(ctx: Context, run: ComposeTarget): Promise<Convergence> {
  const checked = await tester(ctx, run, ['converge', '--timeout', String(LIMIT_SECONDS)]);
  const convergence = readReports(convergenceReport, checked.out)[0];
  if (checked.code !== 0 || !convergence)
    throw new OperatorError(`the convergence check failed (exit ${checked.code}); its output is above`);
  return convergence;
}

/** The services that run for good (they have a restart policy) with these profiles, from the file. */
function longRunning(ctx: Context, profiles: readonly string[]): string[] {
  const file = readComposeFile(ctx.root, ENVIRONMENTS.test);
  return Object.entries(file.services)
    .filter(([, s]) => s.restart !== undefined && runsWith(s, profiles))
    .map(([name]) => name);
}

/** Seconds from `since` until every replica of every long-running service is running and healthy; null if not within the limit. */
async function healthyAgain(ctx: Context, project: string, wanted: string[], since: number): Promise<number | null> {
  const r = await timeUntil(
    async () => {
      const states = await ctx.compose.services(project);
      const down = wanted.filter((name) => {
        const replicas = states.filter((s) => s.Service === name);
        return !(
          replicas.length > 0 &&
          replicas.every((s) => s.State === 'running' && (s.Health === '' || s.Health === 'healthy'))
        );
      });
      return down.length === 0 ? done(true) : notYet(`${down.join(', ')} not running and healthy`);
    },
    { what: `${project}'s services`, limitMs: LIMIT_SECONDS * 1000, since },
  );
  return r.ms === null ? null : r.ms / 1000;
}

async function inject(ctx: Context, run: ComposeTarget, fault: Fault, victim: Victim | undefined): Promise<void> {
  if (victim) {
    say(`chaos: killing ${victim.what}: ${victim.container}`);
    const killed = killContainer(victim.container);
    if (!killed.ok) throw new OperatorError(`could not kill ${victim.container}: ${killed.err}`);
    await sleep(DOWN_MS);
    const started = startContainer(victim.container);
    if (!started.ok) throw new OperatorError(`could not start ${victim.container} again: ${started.err}`);
    return;
  }
  if (fault.flush) {
    // REDISCLI_AUTH is set in the container, as for its healthcheck.
    if ((await ctx.compose.execIn(run.project, 'redis', ['redis-cli', 'FLUSHALL'])) !== 'OK')
      throw new OperatorError('FLUSHALL in the chaos run’s Redis failed');
    return;
  }
  if ((await ctx.compose.killService(run.project, fault.kill!)) !== 0)
    throw new OperatorError(`could not kill ${fault.kill} in ${run.project}`);
  await sleep(DOWN_MS);
  if ((await ctx.compose.startService(run.project, fault.kill!)) !== 0)
    throw new OperatorError(`could not start ${fault.kill} again in ${run.project}`);
}

async function one(
  ctx: Context,
  run: ComposeTarget,
  fault: Fault,
  index: number,
  wanted: string[],
): Promise<FaultResult> {
  say(`chaos: ${fault.name}, with ${RATE} writes/s`);
  // Picked before the writer starts, so that the fault strikes on time.
  const victim = await fault.victim?.(ctx, run);
  const writer = writeTasks(ctx, run, { rate: RATE, seconds: WRITE_SECONDS, id: `fault-${index}` });
  await sleep(BEFORE_FAULT_MS);
  await inject(ctx, run, fault, victim);
  const back = Date.now();
  const report = await writer;
  const writingAfterSeconds = (Date.now() - back) / 1000;
  const convergence = await converge(ctx, run);
  const convergedSeconds = convergence.converged ? (Date.now() - back) / 1000 : null;
  const healthySeconds = await healthyAgain(ctx, run.project, wanted, back);
  return {
    fault: fault.name,
    written: report.submitted + report.cancelled + report.deleted,
    refused: report.failed,
    writingAfterSeconds,
    tasks: convergence.tasks,
    lost: convergence.lost,
    stale: convergence.stale,
    resurrected: convergence.resurrected,
    convergedSeconds,
    healthySeconds,
    examples: convergence.examples,
  };
}

export const passed = (r: FaultResult) =>
  r.lost === 0 &&
  r.stale === 0 &&
  r.resurrected === 0 &&
  r.convergedSeconds !== null &&
  r.convergedSeconds <= LIMIT_SECONDS &&
  r.healthySeconds !== null;

export function chaosTable(results: FaultResult[]): string {
  const s = (v: number | null) => (v === null ? `over ${LIMIT_SECONDS}` : v.toFixed(1));
  return table(
    [
      'fault',
      'writes',
      'refused',
      'tasks checked',
      'lost',
      'stale',
      'resurrected',
      'writing after (s)',
      'converged (s)',
      'all healthy again (s)',
      'result',
    ],
    results.map((r) => [
      r.fault,
      String(r.written),
      String(r.refused),
      String(r.tasks),
      String(r.lost),
      String(r.stale),
      String(r.resurrected),
      r.writingAfterSeconds.toFixed(1),
      s(r.convergedSeconds),
      s(r.healthySeconds),
      passed(r) ? 'pass' : 'FAIL',
    ]),
  );
}

/**
 * `make rebuild-read-model-<env>` on the chaos run: the read model must match Postgres again within the
 * limit, and Debezium must have run the incremental snapshot (it marks each chunk's window in the
 * signalling table).
 */
async function rebuild(ctx: Context, run: ComposeTarget): Promise<{ seconds: number; windows: number }> {
  const since = Date.now();
  await rebuildReadModel(ctx, run.project, ENVIRONMENTS.test.name);
  const convergence = await converge(ctx, run);
  if (!convergence.converged)
    throw new OperatorError(
      `the read model did not match Postgres within ${LIMIT_SECONDS} s of the rebuild: ${JSON.stringify(convergence)}`,
    );
  const seconds = (Date.now() - since) / 1000;
  const count = `SELECT count(*) FROM ${defaults.signalTable} WHERE type = 'snapshot-window-close'`;
  const windows = await timeUntil(
    async () => {
      const n = Number((await ctx.compose.psql(run.project, ROLES.owner, count)).out);
      return n > 0 ? done(n) : notYet('no snapshot window closed');
    },
    { what: 'the incremental snapshot', limitMs: LIMIT_SECONDS * 1000 },
  );
  if (windows.ms !== null) return { seconds, windows: windows.value };
  throw new OperatorError(
    `Debezium ran no incremental snapshot within ${LIMIT_SECONDS} s of the signal (no snapshot-window-close in ${defaults.signalTable}); Kafka Connect's log says why`,
  );
}

/**
 * A record on the change topic that is not a change event: it must go to the dead-letter topic (one
 * record there), the processor must count it (1), and tasks written after it must still arrive.
 */
async function malformedEvent(ctx: Context, run: ComposeTarget): Promise<{ deadLetters: number; onTopic: number }> {
  const { taskTopic, deadLetterTopic } = cdcNames(ENVIRONMENTS.test.name);
  const produce = `echo 'this is not a change event' | /opt/kafka/bin/kafka-console-producer.sh --bootstrap-server localhost:9092 --topic ${taskTopic}`;
  const produced = await ctx.compose.kafkaTool(run.project, produce);
  if (produced.code !== 0)
    throw new OperatorError(
      `could not produce to ${taskTopic} in ${run.project}: ${produced.err.split('\n').slice(-3).join(' ')}`,
    );
  await writeTasks(ctx, run, { rate: 50, seconds: 3, id: 'after-malformed' });
  const convergence = await converge(ctx, run);
  if (!convergence.converged)
    throw new OperatorError(`tasks written after a malformed event did not all arrive: ${JSON.stringify(convergence)}`);
  const deadLetters = Number((await processorHealth(ctx, run.project))?.deadLetters);
  const consume = `/opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic ${deadLetterTopic} --from-beginning --timeout-ms 10000 2>/dev/null | wc -l`;
  const onTopic = Number((await ctx.compose.kafkaTool(run.project, consume)).out);
  return { deadLetters, onTopic };
}

/**
 * Postgres frozen (docker pause): reads go on from the read model. The dashboard answers 200 and says
 * writes are unavailable, a projected task's page answers 200, and a submit gets 503 within 5 s.
 */
async function postgresPaused(ctx: Context, run: ComposeTarget): Promise<ReadAndWrite> {
  const hash = await submitTask(ctx, run.project, `read while Postgres is paused ${Date.now()}`);
  await poll(
    async () =>
      (await readTasks(ctx, run.project, [hash]))[hash] === 'PENDING_ANALYSIS'
        ? done(true)
        : notYet('not in the read model yet'),
    {
      what: `task ${hash} in the read model`,
      deadline: new Deadline(LIMIT_SECONDS * 1000),
      initialMs: 500,
      maxMs: 500,
    },
  );
  if ((await ctx.compose.pauseService(run.project, 'postgres')) !== 0)
    throw new OperatorError(`could not pause postgres in ${run.project}`);
  try {
    return await readAndWrite(ctx, run.project, hash);
  } finally {
    if ((await ctx.compose.unpauseService(run.project, 'postgres')) !== 0)
      say(`chaos: could not unpause postgres in ${run.project}; its teardown removes it`);
  }
}

/** How long Prometheus may take to fire ConnectorNotRunning: its rule's 1 minute, and scrapes and evaluations. */
const ALERT_LIMIT_SECONDS = 150;

/**
 * The connector stopped through Connect's REST API (as an operator could): Prometheus must fire
 * ConnectorNotRunning (deploy/monitoring). The connector is resumed after, and runs again.
 */
async function connectorStopped(ctx: Context, run: ComposeTarget): Promise<{ firingSeconds: number }> {
  const { connector } = cdcNames(ENVIRONMENTS.test.name);
  if ((await connectRest(ctx, run.project, 'PUT', `/connectors/${connector}/stop`)) >= 300)
    throw new OperatorError(`could not stop connector ${connector} in ${run.project}`);
  const since = Date.now();
  say(`chaos: connector ${connector} stopped; waiting for Prometheus to fire ConnectorNotRunning`);
  try {
    await poll(
      async () =>
        (await firingAlerts(ctx, run.project))?.includes('ConnectorNotRunning')
          ? done(true)
          : notYet('ConnectorNotRunning is not firing'),
      {
        what: 'the ConnectorNotRunning alert',
        deadline: new Deadline(ALERT_LIMIT_SECONDS * 1000),
        initialMs: 2000,
        maxMs: 2000,
      },
    );
    return { firingSeconds: (Date.now() - since) / 1000 };
  } finally {
    await connectRest(ctx, run.project, 'PUT', `/connectors/${connector}/resume`);
    const running = (s: Awaited<ReturnType<typeof readConnectorStatus>>) =>
      s?.connector.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING');
    await poll(
      async () =>
        running(await readConnectorStatus(ctx, run.project, cdcNames(ENVIRONMENTS.test.name)))
          ? done(true)
          : notYet('not RUNNING yet'),
      {
        what: `connector ${connector} RUNNING again`,
        deadline: new Deadline(LIMIT_SECONDS * 1000),
        initialMs: 1000,
        maxMs: 1000,
      },
    );
  }
}

/**
 * The last fault, outside the table: the publication the connector streams from is dropped (as its
 * owner could) and a task is written. Debezium cannot decode it and its task FAILs: Connect's
 * healthcheck must turn unhealthy, and `make status` must say which connector and why.
 */
async function connectorFailure(
  ctx: Context,
  run: ComposeTarget,
): Promise<{ unhealthySeconds: number; status: string }> {
  const { publication } = cdcNames(ENVIRONMENTS.test.name);
  if ((await ctx.compose.psql(run.project, ROLES.owner, `DROP PUBLICATION ${publication}`)).code !== 0)
    throw new OperatorError(`could not drop the publication ${publication} in ${run.project}`);
  const since = Date.now();
  say(`chaos: publication ${publication} dropped; writing, then waiting for Kafka Connect to turn unhealthy`);
  await writeTasks(ctx, run, { rate: 20, seconds: 3, id: 'connector-failure' });
  const unhealthy = await timeUntil(
    async () => {
      const connect = (await ctx.compose.services(run.project)).find((x) => x.Service === 'kafka-connect');
      return connect?.Health === 'unhealthy' ? done(true) : notYet(`kafka-connect is ${connect?.Health || 'gone'}`);
    },
    { what: 'Kafka Connect to turn unhealthy', limitMs: LIMIT_SECONDS * 1000, since },
  );
  if (unhealthy.ms !== null)
    return {
      unhealthySeconds: unhealthy.ms / 1000,
      status: await connectorLine(ctx, run.project, cdcNames(ENVIRONMENTS.test.name)),
    };
  throw new OperatorError(
    `Kafka Connect stayed healthy for ${LIMIT_SECONDS} s with its connector's publication gone: ${await connectorLine(ctx, run.project, cdcNames(ENVIRONMENTS.test.name))}`,
  );
}

/** Runs `faults` one at a time on `run`, and prints their table under `title`; throws when one did not recover. */
async function faultTable(
  ctx: Context,
  run: ComposeTarget,
  faults: Fault[],
  wanted: string[],
  title: string,
): Promise<void> {
  const results: FaultResult[] = [];
  for (const [i, fault] of faults.entries()) {
    const result = await one(ctx, run, fault, i, wanted);
    results.push(result);
    say(
      `chaos: ${fault.name}: ${passed(result) ? 'pass' : 'FAIL'}${result.examples.length ? ` (${result.examples.join(', ')})` : ''}`,
    );
  }
  const about = [
    `${RATE} writes/s (4 in 5 submit, 1 in 10 cancel, 1 in 10 delete);`,
    `each fault SIGKILLs ${BEFORE_FAULT_MS / 1000} s into a ${WRITE_SECONDS} s writer and starts it again ${DOWN_MS / 1000} s later.`,
    'Seconds count from that restart; the writer goes on for a few seconds after it (its own column).',
    `Limit ${LIMIT_SECONDS} s.`,
  ].join(' ');
  print(`\n${title}: ${about}\n${chaosTable(results)}\n(make chaos)\n\n`);
  const failed = results.filter((r) => !passed(r));
  if (failed.length > 0)
    throw new OperatorError(
      `${failed.length} fault(s) did not recover: ${failed.map((r) => r.fault).join('; ')}. The table says how; the services' output above says why`,
    );
}

export async function chaos(
  ctx: Context,
  { build, scale = false }: { build: boolean; scale?: boolean },
): Promise<void> {
  await (scale ? scaleChaos(ctx, build) : standardChaos(ctx, build));
}

/** The faults on one broker, one worker, one processor; then the rebuild, a malformed event, Postgres paused, the alert, a FAILED connector. */
async function standardChaos(ctx: Context, build: boolean): Promise<void> {
  await withRunProject(
    ctx,
    { purpose: 'chaos run', build, vars: { CHORUS_RESTART: 'unless-stopped' } },
    async (run, timings) => {
      const started = Date.now();
      await faultTable(ctx, run, FAULTS, longRunning(ctx, []), 'Chaos');
      timings.push(`faults ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const rebuilt = await rebuild(ctx, run);
      print(
        `\nRebuild (make rebuild-read-model-<env>): read model equal to Postgres again ${rebuilt.seconds.toFixed(1)} s after the command; Debezium's incremental snapshot read the table in ${rebuilt.windows} chunk(s)\n`,
      );
      const malformed = await malformedEvent(ctx, run);
      print(
        `Malformed event on the change topic: later tasks all arrived; dead-letter counter ${malformed.deadLetters}, records on the dead-letter topic ${malformed.onTopic}\n`,
      );
      if (malformed.deadLetters !== 1 || malformed.onTopic !== 1)
        throw new OperatorError(
          `one malformed event should make one dead letter, counted once; found counter ${malformed.deadLetters} and ${malformed.onTopic} record(s) on the topic`,
        );
      const paused = await postgresPaused(ctx, run);
      print(
        `Postgres paused: dashboard ${paused.dashboard}${paused.writesUnavailable ? ' saying writes are unavailable' : ''}, a projected task's page ${paused.task}, a submit ${paused.submit} after ${paused.submitMs} ms\n`,
      );
      if (
        paused.dashboard !== 200 ||
        !paused.writesUnavailable ||
        paused.task !== 200 ||
        paused.submit !== 503 ||
        paused.submitMs >= 5000
      ) {
        throw new OperatorError(
          'with Postgres paused, reads must go on from the read model (dashboard 200 saying writes are unavailable, a task page 200) and a submit must get 503 within 5 s; the line above says what happened',
        );
      }
      const stopped = await connectorStopped(ctx, run);
      print(
        `Connector stopped (PUT /connectors/…/stop): Prometheus fired ConnectorNotRunning after ${stopped.firingSeconds.toFixed(1)} s (its rule waits 1 minute); resumed, RUNNING again\n`,
      );
      const failure = await connectorFailure(ctx, run);
      print(
        `\nConnector FAILED (publication dropped): Kafka Connect unhealthy after ${failure.unhealthySeconds.toFixed(1)} s; make status says:\n${failure.status}\n\n`,
      );
      if (!/FAILED: .*\(caused by: .*[Pp]ublication/.test(failure.status))
        throw new OperatorError(
          `make status does not say why the connector FAILED (the missing publication): ${failure.status}`,
        );
    },
  );
}

/** The scale profile: a processor replica, the Connect worker running the task, and a partition's leader broker, each killed during writes. */
async function scaleChaos(ctx: Context, build: boolean): Promise<void> {
  await withRunProject(
    ctx,
    { purpose: 'chaos run (scale profile)', build, vars: { ...scaleVars(), CHORUS_RESTART: 'unless-stopped' } },
    async (run, timings) => {
      const started = Date.now();
      const layout = `${SCALE.brokers.length} brokers, replication factor ${SCALE.replicationFactor}, min.insync.replicas ${SCALE.minInsyncReplicas}, ${SCALE.connectWorkers.length} Connect workers, ${SCALE.partitions} partitions, ${SCALE.processorReplicas} processor replicas`;
      await faultTable(ctx, run, SCALE_FAULTS, longRunning(ctx, ['scale']), `Chaos on the scale profile (${layout})`);
      timings.push(`faults ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const scraped = await everyReplicaScraped(ctx, run);
      print(`Every processor replica answers and Prometheus scrapes each: ${scraped.join('; ')}\n`);
    },
  );
}

/** After the faults: each replica answers its health check, and Prometheus finds and scrapes each one (the processor job's DNS discovery). */
async function everyReplicaScraped(ctx: Context, run: ComposeTarget): Promise<string[]> {
  return poll(
    async () => {
      const replicas = await processorHealths(ctx, run.project);
      const lines = replicaLines(replicas);
      const up = ((await prometheusTargets(ctx, run.project)) ?? []).filter(
        (t) => t.labels.job === 'processor' && t.health === 'up',
      );
      if (replicas.length !== SCALE.processorReplicas || replicas.some((r) => !r.health))
        return notYet(`replicas: ${lines.join('; ') || 'none running'}`);
      if (up.length !== SCALE.processorReplicas)
        return notYet(`Prometheus scrapes ${up.length} of ${SCALE.processorReplicas} processor replicas`);
      return done([...lines.map((l) => l.trim()), `Prometheus: ${up.map((t) => t.labels.instance).join(', ')} up`]);
    },
    {
      what: `all ${SCALE.processorReplicas} processor replicas answering and scraped`,
      deadline: new Deadline(LIMIT_SECONDS * 1000),
      initialMs: 2000,
      maxMs: 2000,
    },
  );
}
