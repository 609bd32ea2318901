/**
 * dev from a workspace installed for another platform, as on a Mac: a clone of this repository is installed
 * with `npm ci --os=darwin --cpu=arm64` (so node_modules holds macOS builds of esbuild and every other
 * native package), then `env up dev` must bring dev up healthy on this Linux engine, and an edit to the
 * web app's source must show in the running UI (live reload). The tools that run on the host (the env CLI,
 * the app images) are built from a Linux install first, as a Mac's own install would provide them.
 *
 * It needs dev absent (dev is what it starts) and says so otherwise; it removes the dev it started and the clone.
 */
import { get } from 'node:http';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperatorError } from '@chorus/errors';
import { Deadline, done, notYet, poll } from '@chorus/wait';
import { docker } from 'env-cli/compose.ts';
import type { Context } from 'env-cli/context.ts';
import { capture } from 'env-cli/processes.ts';
import { type Checklist, checklist } from '../acceptance/checklist.ts';

/** A program's end, with both its streams (and why it failed) in one text, as a log reads. */
const run = (cwd: string, command: string, args: string[]) => {
  const r = capture(command, args, { cwd });
  return { ok: r.ok, out: [r.out, r.err].filter(Boolean).join('\n') };
};
const must = (what: string, r: { ok: boolean; out: string }) => {
  if (!r.ok) throw new OperatorError(`${what} failed:\n${r.out.split('\n').slice(-30).join('\n')}`);
  return r.out;
};

/**
 * A page's body, or '' when it does not answer within 5 s. node:http, not fetch: a fetch to an app that was
 * restarting under it stayed pending with nothing holding the event loop, and the process ended silently.
 */
function bodyOf(url: string): Promise<string> {
  return new Promise((resolve) => {
    const request = get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
      res.on('error', () => resolve(''));
    });
    request.setTimeout(5000, () => request.destroy());
    request.on('error', () => resolve(''));
  });
}

export const platformCheck = (ctx: Context): Promise<number> => checklist('platform-check', (list) => main(ctx, list));

async function main({ root }: Context, { say, check }: Checklist): Promise<number | void> {
  if (docker(['ps', '-aq', '--filter', 'label=com.docker.compose.project=chorus-dev']).out) {
    say(
      'a dev environment exists on this host; this check starts dev itself: run it where dev is absent (`make clean-dev` removes it)',
    );
    return 1;
  }
  const clone = mkdtempSync(join(tmpdir(), 'chorus-platform-'));
  // dev's app containers run as the source's owner, or as 1000 when that is root: the clone must be readable.
  chmodSync(clone, 0o755);
  const env = (dir: string) => ['node', join(dir, 'deploy/env-cli/dist/env.cjs')] as const;
  try {
    must('git clone', run(root, 'git', ['clone', '-q', root, clone]));
    must('npm ci (Linux)', run(clone, 'npm', ['ci', '--no-audit', '--no-fund']));
    must('building the env CLI', run(clone, 'npx', ['nx', 'run', 'env-cli:build', '--output-style=static']));
    // The app images, built once from the Linux install, as the Mac's own tooling would build them.
    const [node, cli] = env(clone);
    must('building the app images (env up dev)', run(clone, node, [cli, 'up', 'dev']));
    must('env down dev', run(clone, node, [cli, 'down', 'dev']));

    must(
      'npm ci --os=darwin --cpu=arm64',
      run(clone, 'npm', ['ci', '--no-audit', '--no-fund', '--os=darwin', '--cpu=arm64', '--ignore-scripts']),
    );
    const esbuild = join(clone, 'node_modules/tsx/node_modules/@esbuild');
    const linuxBuild = (dir: string) => existsSync(join(dir, 'linux-x64')) || existsSync(join(dir, 'linux-arm64'));
    check(
      !linuxBuild(esbuild) && !linuxBuild(join(clone, 'node_modules/@esbuild')),
      'the workspace holds no Linux build of esbuild',
    );
    check(existsSync(join(clone, 'node_modules/@esbuild/darwin-arm64')), 'it holds the macOS arm64 build');

    const started = Date.now();
    const up = run(clone, node, [cli, 'up', 'dev', '--no-build']);
    say(`env up dev exited ${up.ok ? 0 : 'non-zero'} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const line of up.out.split('\n').filter((l) => /^env: (this workspace|dev ready)/.test(l))) say(`  ${line}`);
    check(up.ok, 'dev came up healthy from the macOS-installed workspace');
    if (!up.ok) say(up.out.split('\n').slice(-30).join('\n'));

    // Live reload, twice: each edit of a message in the web app's source reaches the running UI.
    const routes = join(clone, 'apps/chorus-web/src/api-routes.ts');
    for (const edit of [1, 2]) {
      const marker = `reloaded ${edit} ${Date.now()}`;
      writeFileSync(
        routes,
        readFileSync(routes, 'utf8').replace(/'no such endpoint[^']*'/, `'no such endpoint (${marker})'`),
      );
      const edited = Date.now();
      const seen = await poll(
        async () =>
          (await bodyOf('http://127.0.0.1:5002/api/no-such-endpoint')).includes(marker) ? done(true) : notYet(''),
        { what: `edit ${edit} in the UI`, deadline: new Deadline(60_000), initialMs: 500, maxMs: 500 },
      ).catch(() => false);
      check(
        seen,
        `edit ${edit} to apps/chorus-web/src reached the UI (live reload) ${seen ? `in ${((Date.now() - edited) / 1000).toFixed(1)} s` : 'within 60 s'}`,
      );
    }
  } finally {
    const [node, cli] = env(clone);
    if (existsSync(cli)) run(clone, node, [cli, 'clean', 'dev', '--yes']);
    rmSync(clone, { recursive: true, force: true });
  }
}
