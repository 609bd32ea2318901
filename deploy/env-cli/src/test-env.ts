/** `make test`'s Docker half: a run of the test environment in its own project, always torn down. */
import { OperatorError } from '@chorus/errors';
import { down, execIn, projects, runOnce, services } from './compose.ts';
import { say, seconds } from './output.ts';
import { appImageTags, removeAppImageTags } from './app-images.ts';
import { checkDocker } from './preflight.ts';
import { withRunProject } from './run-project.ts';
import { isRunProject, runState } from './test-runs.ts';
import { reapOrphans } from '@chorus/testing/container';

export async function testRun(root: string, { build }: { build: boolean }) {
  await withRunProject(root, { purpose: 'test run', build }, async (run, timings) => {
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
  });
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
  // App images a run tagged for itself, left behind when it was killed before its teardown.
  const staleTags = appImageTags().filter((tag) => isRunProject(tag) && runState(tag) === 'stale');
  for (const tag of staleTags) {
    if (removeAppImageTags(tag)) say(`${tag}: its app images untagged`);
    else failed++;
  }
  // Redis and browser containers of host tests whose process was killed.
  const orphans = reapOrphans();
  if (orphans.length > 0) say(`${orphans.length} container(s) of killed host tests removed: ${orphans.join(', ')}`);
  if (stale.length === 0 && staleTags.length === 0 && orphans.length === 0) say('no stale test runs');
  if (failed > 0) throw new OperatorError(`${failed} stale test run(s) or their image tags could not be removed; the lines above say why`);
}
