/** `make test`'s Docker half: a run of the test environment in its own project, always torn down. */
import { OperatorError } from '@chorus/errors';
import { type ComposeTarget, down, downShielded, execIn, projects, runOnce, services, up } from './compose.ts';
import { readEnvFile } from './env-file.ts';
import { ENVIRONMENTS } from './environments.ts';
import { explainFailure } from './explain.ts';
import { buildAppImages } from './app-images.ts';
import { describeImages, imageVars, resolveImages, wantedImages } from './images.ts';
import { APP_IMAGES } from './lifecycle.ts';
import { say, seconds } from './output.ts';
import { checkDocker } from './preflight.ts';
import { isRunProject, newRunProject, runState } from './test-runs.ts';

export async function testRun(root: string, { build }: { build: boolean }) {
  const e = ENVIRONMENTS.test;
  const started = Date.now();
  checkDocker();
  const imagesStarted = Date.now();
  const images = await resolveImages(root, { wanted: wantedImages(readEnvFile(root, e)) });
  describeImages(images);
  const vars = imageVars(images);
  const run: ComposeTarget = { project: newRunProject(), file: e.file, envFile: e.envFile, vars };
  if (build) await buildAppImages(root, [...APP_IMAGES, 'chorus-tester'], vars.NODE_IMAGE!);
  const buildMs = Date.now() - imagesStarted;
  const timings: string[] = [`images ${seconds(buildMs)}`];

  let tornDown: Promise<void> | undefined;
  const teardown = () =>
    (tornDown ??= (async () => {
      const t = Date.now();
      say(`tearing down ${run.project} (volumes included)`);
      const code = await downShielded(root, run.project);
      if (code !== 0) say(`teardown of ${run.project} failed (exit ${code}); \`make clean-test\` removes it`);
      timings.push(`teardown ${seconds(Date.now() - t)}`);
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal}: stopping`);
    void teardown().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  say(`test run ${run.project} (${e.file})`);
  try {
    const upStarted = Date.now();
    if ((await up(root, run)) !== 0) {
      const failed = await explainFailure(root, run.project);
      throw new OperatorError(`the test environment did not become healthy${failed.length ? `: ${failed.join(', ')} failed (logs above)` : ''}`);
    }
    timings.push(`environment healthy ${seconds(Date.now() - upStarted)}`);
    const journeyStarted = Date.now();
    const journey = await runOnce(root, run, 'chorus-tester');
    timings.push(`journey ${seconds(Date.now() - journeyStarted)}`);
    if (journey !== 0) throw new OperatorError(`the end-to-end journey failed (exit ${journey}); its output is above`);
    // What the journey cannot see from inside: the app containers' own users.
    for (const service of ['chorus-web', 'chorus-stream-processor']) {
      const uid = await execIn(root, run.project, service, ['id', '-u']);
      if (uid === undefined || uid === '0') throw new OperatorError(`${service} in the test environment runs as ${uid === '0' ? 'root' : 'an unknown user'}; app images must run as an unprivileged user (USER in its Dockerfile)`);
    }
    say('app containers run as non-root users (id -u: not 0)');
  } finally {
    await teardown();
    say(`test run: ${timings.join(', ')}; ${seconds(Date.now() - started)} in all`);
  }
}

export interface TestRun {
  project: string;
  state: 'live' | 'stale';
  services: number;
}

export async function testRuns(root: string): Promise<TestRun[]> {
  const found = projects().filter(isRunProject);
  return Promise.all(found.map(async (project) => ({ project, state: runState(project), services: (await services(root, project)).length })));
}

/** Removes stale test runs (whose owner is gone); live ones are left to their owners. */
export async function cleanTestRuns(root: string) {
  checkDocker();
  const runs = await testRuns(root);
  const stale = runs.filter((r) => r.state === 'stale');
  for (const r of runs.filter((r) => r.state === 'live')) say(`${r.project}: live (its owner is still running); left alone`);
  let failed = 0;
  for (const r of stale) {
    const code = await down(root, r.project, { volumes: true });
    if (code === 0) say(`${r.project}: stale run removed`);
    else failed++;
  }
  if (stale.length === 0) say('no stale test runs');
  if (failed > 0) throw new OperatorError(`${failed} stale test run(s) could not be removed; the lines above say why`);
}
