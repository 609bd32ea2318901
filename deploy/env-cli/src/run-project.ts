/**
 * A project of its own from the test file, as `make test`, `make chaos` and `make bench` use one:
 * brought up by the one bring-up (bring-up.ts), and always torn down with its volumes, on Ctrl-C too.
 * Named like every test run (test-runs.ts), so `make status` and `make clean-test` know it.
 */
import { OperatorError } from '@chorus/errors';
import {
  APP_IMAGES,
  DEV_TAG,
  TESTER_CA_SERVICE,
  TESTER_IMAGE,
  appImagesPresent,
  removeAppImageTags,
} from './app-images.ts';
import { images, upHealthy } from './bring-up.ts';
import type { ComposeTarget } from './compose.ts';
import type { Context } from './context.ts';
import { readEnvFile } from './env-file.ts';
import { ENVIRONMENTS } from './environments.ts';
import { say, seconds } from './output.ts';
import { checkDocker } from './preflight.ts';
import { stopCreating } from './processes.ts';
import { newRunProject } from './test-runs.ts';

export interface RunOptions {
  /** What the project is for, in messages: "test run", "chaos run", "bench run". */
  purpose: string;
  build: boolean;
  /** Variables for the file's interpolation, beside the images (CHORUS_RESTART, CDC_PROFILE). */
  vars?: Record<string, string>;
}

/** Brings a project up, runs `body` against it, and tears it down whatever happens; prints the timings. */
export async function withRunProject(
  ctx: Context,
  o: RunOptions,
  body: (run: ComposeTarget, timings: string[]) => Promise<void>,
): Promise<void> {
  const e = ENVIRONMENTS.test;
  const started = Date.now();
  checkDocker();
  const project = newRunProject();
  // A run builds and runs app images tagged with its own name, so that a run in another checkout cannot
  // swap them; without a build it runs the shared ones.
  const tag = o.build ? project : DEV_TAG;
  // Absent, Compose would try to pull them from Docker Hub, where they are not.
  const missing = o.build ? [] : [...APP_IMAGES, TESTER_IMAGE].filter((app) => !appImagesPresent([app], DEV_TAG));
  if (missing.length > 0) {
    throw new OperatorError(
      `--no-build runs the app images dev uses (chorus/*:${DEV_TAG}), and ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not on this machine: run it without --no-build, which builds its own`,
      { exitCode: 2 },
    );
  }
  const vars = await images(ctx, {
    envFile: readEnvFile(ctx.root, e),
    build: o.build ? { apps: [...APP_IMAGES, TESTER_IMAGE], tag } : undefined,
    vars: { ...o.vars, CHORUS_APP_TAG: tag },
  });
  const run: ComposeTarget = { project, file: e.file, envFile: e.envFile, vars };
  const timings: string[] = [`images ${seconds(Date.now() - started)}`];

  const teardown = async () => {
    const t = Date.now();
    say(`tearing down ${run.project} (volumes included)`);
    const code = await ctx.compose.downShielded(run.project);
    if (code !== 0) say(`teardown of ${run.project} failed (exit ${code}); \`make clean-test\` removes it`);
    else if (!removeAppImageTags(tag))
      say(`could not untag ${run.project}'s app images (chorus/*:${tag}); \`make clean-test\` removes them`);
    timings.push(`teardown ${seconds(Date.now() - t)}`);
  };
  const extra = Object.entries(o.vars ?? {}).map(([k, v]) => `${k}=${v}`);
  say(`${o.purpose} ${run.project} (${e.file}${extra.length ? `, ${extra.join(' ')}` : ''})`);
  try {
    await withTeardown(teardown, async () => {
      const upStarted = Date.now();
      await upHealthy(ctx, run, { what: `the ${o.purpose}'s environment` });
      timings.push(`environment healthy ${seconds(Date.now() - upStarted)}`);
      // The tester runs without its dependencies (they are up): the CA it trusts is copied out first.
      const ca = await ctx.compose.complete(run, TESTER_CA_SERVICE);
      if (ca !== 0)
        throw new OperatorError(
          `copying the ${o.purpose}'s CA certificate out of its proxy failed (${TESTER_CA_SERVICE}, exit ${ca}); its output is above`,
        );
      await body(run, timings);
    });
  } finally {
    say(`${o.purpose}: ${timings.join(', ')}; ${seconds(Date.now() - started)} in all`);
  }
}

/**
 * Runs `body`, then `teardown` once, whatever happens: when it returns or throws, and on Ctrl-C or SIGTERM,
 * after which the process exits 130. Every command that makes a project or a cluster of its own uses it, so
 * that nothing it made is left behind.
 */
export async function withTeardown<T>(teardown: () => Promise<void>, body: () => Promise<T>): Promise<T> {
  let tornDown: Promise<void> | undefined;
  const once = () => (tornDown ??= teardown());
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal}: stopping`);
    stopCreating();
    void once().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await body();
  } finally {
    await once();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
