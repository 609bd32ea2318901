import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import { Command, InvalidArgumentError } from 'commander';
import { cdcNames } from '@chorus/cdc-names';
import { OperatorError, runMain } from '@chorus/errors';
import { composeAttached, docker, services } from './compose.ts';
import { ENVIRONMENTS, ENV_NAMES, type EnvName, type Environment, repoRoot } from './environments.ts';
import { ensureProdEnvFile, readEnvFile } from './env-file.ts';
import { checkDocker, checkPorts } from './preflight.ts';

const root = repoRoot();
const say = (message: string) => process.stdout.write(`env: ${message}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function envArg(value: string): Environment {
  if (!ENV_NAMES.includes(value as EnvName)) throw new InvalidArgumentError(`choose one of ${ENV_NAMES.join(', ')}`);
  return ENVIRONMENTS[value as EnvName];
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function buildImages(projects: string[]): Promise<number> {
  const started = Date.now();
  const code = await run('npx', ['nx', 'run-many', '-t', 'image', '-p', ...projects, '--output-style=static']);
  if (code !== 0) throw new OperatorError(`building the images failed (nx run-many -t image exited ${code})`);
  return Date.now() - started;
}

function prepare(e: Environment) {
  if (e.name === 'prod') {
    const volume = `${e.project}_postgres_data_prod`;
    const existing = docker(['volume', 'inspect', volume]).ok ? volume : undefined;
    if (ensureProdEnvFile(root, e, process.env.POSTGRES_PASSWORD, existing) === 'created') {
      say(`created ${e.envFile} with a ${process.env.POSTGRES_PASSWORD ? 'supplied' : 'generated'} database password (not shown)`);
    }
  }
  readEnvFile(root, e);
}

/** Shows why an environment did not come up: the state of every service, and the logs of those that failed. */
async function explainFailure(e: Environment) {
  const list = services(e);
  const failed = list.filter((s) => (s.State === 'exited' && s.ExitCode !== 0) || s.Health === 'unhealthy');
  for (const s of list) process.stderr.write(`  ${s.Service.padEnd(26)} ${s.State === 'exited' ? `exited (${s.ExitCode})` : s.State} ${s.Health}\n`);
  for (const s of failed) {
    process.stderr.write(`--- last lines of ${s.Service} ---\n`);
    await composeAttached(root, e, ['logs', '--no-log-prefix', '--tail', '15', s.Service]);
  }
  return failed.map((s) => s.Service);
}

/** When setup-connector finished, and its summary line. */
function connectorOutcome(e: Environment): { finishedAt?: number; summary?: string } {
  const id = docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${e.project}`, '--filter', 'label=com.docker.compose.service=setup-connector']).out.split('\n')[0];
  if (!id) return {};
  const finished = docker(['inspect', '--format', '{{.State.FinishedAt}}', id]).out;
  const logs = docker(['logs', '--tail', '20', id]);
  const summary = `${logs.out}\n${logs.err}`.split('\n').reverse().find((l) => l.includes('RUNNING ('));
  return { finishedAt: Date.parse(finished), summary: summary?.replace(/^\[[^\]]+\]\s*\w+:\s*/, '') };
}

async function up(e: Environment, { build }: { build: boolean }) {
  const started = Date.now();
  checkDocker();
  await checkPorts(root, e);
  prepare(e);
  const buildMs = build ? await buildImages(['chorus-web', 'chorus-stream-processor', 'setup-connector']) : 0;
  const composeStarted = Date.now();
  say(`starting ${e.name} (${e.file})`);
  const code = await composeAttached(root, e, ['up', '--detach', '--wait', '--remove-orphans']);
  if (code !== 0) {
    const failed = await explainFailure(e);
    throw new OperatorError(`${e.name} did not become healthy${failed.length ? `: ${failed.join(', ')} failed (logs above)` : ''}; see \`make logs-${e.name}\``);
  }
  const ready = Date.now();
  const connector = connectorOutcome(e);
  const connectorMs = connector.finishedAt && connector.finishedAt > composeStarted ? connector.finishedAt - composeStarted : undefined;
  if (connector.summary) say(connector.summary);
  say(
    `${e.name} ready in ${seconds(ready - started)}: images ${seconds(buildMs)}, ` +
      `${connectorMs !== undefined ? `connector RUNNING after ${seconds(connectorMs)}, ` : ''}all services healthy after ${seconds(ready - composeStarted)}`,
  );
  if (e.url) say(`${e.name} UI: ${e.url}`);
}

async function test({ build }: { build: boolean }) {
  const e = ENVIRONMENTS.test;
  const started = Date.now();
  checkDocker();
  prepare(e);
  const buildMs = build ? await buildImages(['chorus-web', 'chorus-stream-processor', 'setup-connector', 'chorus-tester']) : 0;
  let tornDown: Promise<void> | undefined;
  const teardown = () =>
    (tornDown ??= (async () => {
      say('tearing down the test environment (volumes included)');
      await composeAttached(root, e, ['--profile', 'tester', 'down', '--volumes', '--remove-orphans', '--timeout', '5'], { shielded: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal}: stopping`);
    void teardown().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const upStarted = Date.now();
    const code = await composeAttached(root, e, ['up', '--detach', '--wait', '--remove-orphans']);
    if (code !== 0) {
      const failed = await explainFailure(e);
      throw new OperatorError(`the test environment did not become healthy${failed.length ? `: ${failed.join(', ')} failed (logs above)` : ''}`);
    }
    const upMs = Date.now() - upStarted;
    const testStarted = Date.now();
    const testCode = await composeAttached(root, e, ['run', '--rm', '--no-deps', 'chorus-tester']);
    say(`test cycle: images ${seconds(buildMs)}, environment healthy in ${seconds(upMs)}, journey ${seconds(Date.now() - testStarted)}`);
    if (testCode !== 0) throw new OperatorError(`the end-to-end journey failed (exit ${testCode})`);
  } finally {
    await teardown();
    say(`make test cycle: ${seconds(Date.now() - started)} in all`);
  }
}

async function status() {
  checkDocker();
  for (const e of Object.values(ENVIRONMENTS)) {
    const list = services(e);
    if (list.length === 0) {
      say(`${e.name}: not running`);
      continue;
    }
    say(`${e.name} (${e.project})${e.url ? ` — ${e.url}` : ''}`);
    for (const s of list) {
      const ports = [...new Set((s.Publishers ?? []).filter((p) => p.PublishedPort).map((p) => `${p.PublishedPort}->${p.TargetPort}`))].join(', ');
      const state = s.State === 'exited' ? `exited (${s.ExitCode})` : s.State;
      process.stdout.write(`  ${s.Service.padEnd(26)} ${state.padEnd(12)} ${(s.Health || '-').padEnd(10)} ${ports}\n`);
    }
    const { connector } = cdcNames(e.name);
    const result = docker(['compose', '-p', e.project, 'exec', '-T', 'kafka-connect', 'curl', '-fsS', `http://localhost:8083/connectors/${connector}/status`]);
    if (result.ok && result.out) {
      const s = JSON.parse(result.out) as { connector: { state: string }; tasks: { state: string }[] };
      process.stdout.write(`  connector ${connector}: ${s.connector.state}, tasks ${s.tasks.map((t) => t.state).join(', ') || 'none'}\n`);
    } else {
      process.stdout.write(`  connector ${connector}: not registered or Connect not reachable\n`);
    }
    const probe = "fetch('http://127.0.0.1:8080/healthz').then((r) => r.text()).then((t) => console.log(t))";
    const health = docker(['compose', '-p', e.project, 'exec', '-T', 'chorus-stream-processor', 'node', '-e', probe]);
    if (health.ok && health.out) {
      const h = JSON.parse(health.out) as { status: string; lag: number | null; lastEventAt: string | null };
      process.stdout.write(`  stream processor: ${h.status}, lag ${h.lag ?? 'unknown'}, last event ${h.lastEventAt ?? 'none yet'}\n`);
    }
  }
}

async function clean(e: Environment, { yes }: { yes: boolean }) {
  checkDocker();
  if (!yes) {
    if (!process.stdin.isTTY) throw new OperatorError(`refusing to delete ${e.name}'s volumes without a terminal to ask; pass --yes`);
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question(`Delete ${e.name}'s containers AND volumes (all its data)? Type "${e.name}" to confirm: `);
    rl.close();
    if (answer.trim() !== e.name) {
      say('nothing deleted');
      return;
    }
  }
  await composeAttached(root, e, ['down', '--volumes', '--remove-orphans']);
  say(`${e.name}: containers and volumes removed`);
}

const program = new Command().name('env').description('Runs the CHORUS environments (prod, dev, test), one Compose file each.');
program
  .command('up')
  .argument('<env>', 'prod or dev', envArg)
  .option('--no-build', 'use the app images as they are')
  .description('build the app images, then start the environment and wait until it is healthy (idempotent)')
  .action((e: Environment, o: { build: boolean }) => up(e, o));
program.command('down').argument('<env>', 'prod, dev or test', envArg).description('stop the environment, keeping its volumes').action(async (e: Environment) => {
  checkDocker();
  await composeAttached(root, e, ['down', '--remove-orphans']);
});
program.command('test').option('--no-build', 'use the images as they are').description('bring up the test environment, run chorus-tester, always tear down').action((o: { build: boolean }) => test(o));
program.command('status').description('every environment: services, health, ports, connector state').action(status);
program.command('logs').argument('<env>', 'prod, dev or test', envArg).description('follow the logs').action(async (e: Environment) => {
  process.exitCode = await composeAttached(root, e, ['logs', '--follow', '--tail', '100']);
});
program
  .command('clean')
  .argument('<env>', 'prod, dev or test', envArg)
  .option('-y, --yes', 'do not ask')
  .description('stop the environment and delete its volumes, after asking')
  .action((e: Environment, o: { yes?: boolean }) => clean(e, { yes: Boolean(o.yes) }));

runMain('env', async () => {
  await program.parseAsync();
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
});
