/** `make test`'s Docker half: a run of the test environment in its own project, always torn down. */
import { OperatorError } from '@chorus/errors';
import { TESTER_IMAGE } from '../app-images.ts';
import type { Context } from '../context.ts';
import { say, seconds } from '../output.ts';
import { withRunProject } from '../run-project.ts';

export async function test(ctx: Context, { build }: { build: boolean }) {
  await withRunProject(ctx, { purpose: 'test run', build }, async (run, timings) => {
    const journeyStarted = Date.now();
    const journey = await ctx.compose.runOnce(run, TESTER_IMAGE);
    timings.push(`journey ${seconds(Date.now() - journeyStarted)}`);
    if (journey !== 0) throw new OperatorError(`the end-to-end journey failed (exit ${journey}); its output is above`);
    // What the journey cannot see from inside: the app containers' own users.
    for (const service of ['chorus-web', 'chorus-stream-processor']) {
      const uid = await ctx.compose.execIn(run.project, service, ['id', '-u']);
      if (uid === undefined || uid === '0')
        throw new OperatorError(
          `${service} in the test environment runs as ${uid === '0' ? 'root' : 'an unknown user'}; app images must run as an unprivileged user (USER in its Dockerfile)`,
        );
    }
    say('app containers run as non-root users (id -u: not 0)');
  });
}
