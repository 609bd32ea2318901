/** `make clean-test`: removes what killed test runs left behind; live runs are left to their owners. */
import { OperatorError } from '@chorus/errors';
import { reapOrphans } from '@chorus/testing/container';
import { appImageTags, removeAppImageTags } from '../app-images.ts';
import type { Context } from '../context.ts';
import { clusterDown, clusterNames } from '../kubernetes.ts';
import { say } from '../output.ts';
import { checkDocker } from '../preflight.ts';
import { testRuns } from '../system.ts';
import { isRunProject, runState } from '../test-runs.ts';

export async function cleanTest(ctx: Context) {
  checkDocker();
  const runs = await testRuns(ctx);
  const stale = runs.filter((r) => r.state === 'stale');
  for (const r of runs.filter((r) => r.state === 'live'))
    say(`${r.project}: live (its owner is still running); left alone`);
  let failed = 0;
  for (const r of stale) {
    const code = await ctx.compose.down(r.project, { volumes: true });
    if (code === 0) say(`${r.project}: stale run removed`);
    else failed++;
  }
  // App images a run tagged for itself, left behind when it was killed before its teardown.
  // A run's own tag, or the earlier release's an upgrade check built beside it (<run>-from).
  const runOf = (tag: string) => tag.replace(/-from$/, '');
  const staleTags = appImageTags().filter((tag) => isRunProject(runOf(tag)) && runState(runOf(tag)) === 'stale');
  for (const tag of staleTags) {
    if (removeAppImageTags(tag)) say(`${tag}: its app images untagged`);
    else failed++;
  }
  // Test clusters of make k8s-check runs that were killed before their teardown.
  const staleClusters = clusterNames().filter((name) => !isRunProject(name) || runState(name) === 'stale');
  for (const name of staleClusters) {
    if (await clusterDown(ctx, name)) say(`${name}: stale test cluster removed`);
    else failed++;
  }
  // Redis and browser containers of host tests whose process was killed.
  const orphans = reapOrphans();
  if (orphans.length > 0) say(`${orphans.length} container(s) of killed host tests removed: ${orphans.join(', ')}`);
  if (stale.length === 0 && staleTags.length === 0 && staleClusters.length === 0 && orphans.length === 0)
    say('no stale test runs');
  if (failed > 0)
    throw new OperatorError(
      `${failed} stale test run(s) or their image tags could not be removed; the lines above say why`,
    );
}
