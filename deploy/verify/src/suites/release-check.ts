/**
 * `make release-check`: releases as prod's users meet them, in a project of its own from this checkout's prod
 * file (named as a test run; its proxy alone published, on a free port of 127.0.0.1). Release A starts; then,
 * with a probe on /healthz, /login and GET /api/tasks every 0.25 s through HTTPS (trusting only the project's
 * own CA) and a writer posting 20 tasks a second through the proxy:
 *   1. release B changes the apps' images (each rebuilt with one more label; the proxy's and monitoring's as they were): the
 *      bring-up says it needs no stop, and replaces the apps with 0 failed probes and 0 failed writes, the
 *      proxy's container untouched;
 *   2. release C also changes the proxy's image, which needs a stop: the bring-up says so before it starts, and
 *      the failed probes and writes are counted, with how long they lasted.
 * Every task the writers got accepted must read back. Torn down, pass, fail or Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { OperatorError } from '@chorus/errors';
import { done, notYet, timeUntil } from '@chorus/wait';
import { freePort } from '@chorus/testing/ports';
import type { ApiWriterReport } from '@chorus/load-reports';
import { PROD_APP_IMAGES, removeAppImageTags } from 'env-cli/app-images.ts';
import { deploy } from 'env-cli/bring-up.ts';
import { CA_ROOT_IN_PROXY } from 'env-cli/certificates.ts';
import { PROXY_SERVICE } from 'env-cli/compose-file.ts';
import { docker, projectContainers } from 'env-cli/compose.ts';
import type { Context } from 'env-cli/context.ts';
import { ENVIRONMENTS, type Environment } from 'env-cli/environments.ts';
import { print, seconds } from 'env-cli/output.ts';
import { checkDocker } from 'env-cli/preflight.ts';
import { capture } from 'env-cli/processes.ts';
import { withTeardown } from 'env-cli/run-project.ts';
import { newRunProject } from 'env-cli/test-runs.ts';
import { readTasks, webToken } from 'env-cli/web-client.ts';
import { type ProbeResult, probe } from '../acceptance/probe.ts';
import { trustingFetch } from '../acceptance/https.ts';
import { startWriter } from '../writer-run.ts';

const say = (m: string) => print(`release-check: ${m}`);
const WRITER_RATE = 20;
/** The app images a release that changes only code leaves as they were (Postgres's: its base and pgBackRest). */
const UNCHANGED_BY_CODE = ['proxy', 'monitoring', 'postgres'];
const PROBE_EVERY_MS = 250;
/** How long every accepted task may take to read back once the release is done. */
const READ_BACK_MS = 60_000;

interface Step {
  release: string;
  ms: number;
  probes: ProbeResult[];
  writes: ApiWriterReport;
  proxyKept: boolean;
}

/** prod's file for this project: every port dropped but the proxy's, on 127.0.0.1:`port`. */
function projectFile(ctx: Context, port: number): string {
  const file = parse(readFileSync(join(ctx.root, ENVIRONMENTS.prod.file), 'utf8'), { merge: true }) as {
    services: Record<string, { ports?: unknown }>;
  };
  for (const [name, service] of Object.entries(file.services)) {
    delete service.ports;
    if (name === PROXY_SERVICE) service.ports = [`127.0.0.1:${port}:443`];
  }
  return stringify(file);
}

/** `chorus/<app>:<to>` made from `:<from>` with one more label: a new image, as a release that changed the app makes. */
function changedImage(app: string, from: string, to: string): void {
  const repository = `chorus/${app.replace(/^chorus-/, '')}`;
  const built = capture(
    'docker',
    ['build', '-q', '--label', `org.chorus.release-check=${to}`, '-t', `${repository}:${to}`, '-'],
    {
      input: `FROM ${repository}:${from}\n`,
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    },
  );
  if (!built.ok) throw new OperatorError(`building ${repository}:${to} failed: ${built.err}`);
}

const proxyContainer = (project: string) =>
  projectContainers(project, PROXY_SERVICE)
    .filter((c) => c.running)
    .map((c) => c.id)
    .join(' ');

export async function releaseCheck(ctx: Context): Promise<number> {
  checkDocker();
  const project = newRunProject();
  const work = mkdtempSync(join(tmpdir(), 'chorus-release-check-'));
  const port = await freePort();
  const e: Environment = {
    ...ENVIRONMENTS.prod,
    project,
    file: join(work, 'docker-compose.prod.yml'),
    envFile: join(work, '.env.prod'),
  };
  writeFileSync(e.file, projectFile(ctx, port));
  // The bring-up adds the secrets. The writer reaches the proxy by its service name, which every certificate names.
  writeFileSync(
    e.envFile,
    `CHORUS_ENV=prod\nPOSTGRES_USER=chorus\nPOSTGRES_DB=chorus\nPOSTGRES_PASSWORD=${randomBytes(24).toString('base64url')}\n`,
    { mode: 0o600 },
  );
  const tags = ['a', 'b', 'c'].map((x) => `${project}-${x}`) as [string, string, string];
  const teardown = async () => {
    say(`tearing down ${project} (volumes included)`);
    await ctx.compose.downShielded(project);
    for (const tag of tags) removeAppImageTags(tag);
    rmSync(work, { recursive: true, force: true });
  };
  return withTeardown(teardown, async () => {
    say(`release A (this checkout, tagged ${tags[0]}) starting as ${project}, its proxy on 127.0.0.1:${port}`);
    await deploy(ctx, e, { build: true, tag: tags[0] });
    const ca = await ctx.compose.execResult(project, PROXY_SERVICE, ['cat', CA_ROOT_IN_PROXY]);
    if (ca.code !== 0) throw new OperatorError(`the proxy holds no CA certificate: ${ca.err}`);
    const caFile = join(work, 'ca.crt');
    writeFileSync(caFile, `${ca.out.trim()}\n`);
    const token = await webToken(ctx, project, { name: 'release-check' });
    const https = trustingFetch(ca.out);
    const base = `https://localhost:${port}`;
    const fetchAs = (url: string, init: { signal: AbortSignal }) =>
      https(url, { ...init, headers: url.includes('/api/') ? { authorization: `Bearer ${token}` } : {} });

    const release = async (tag: string, what: string): Promise<Step> => {
      const proxyBefore = proxyContainer(project);
      const probes = probe([`${base}/healthz`, `${base}/login`, `${base}/api/tasks`], {
        intervalMs: PROBE_EVERY_MS,
        fetch: fetchAs,
      });
      const writer = await startWriter(ctx, project, {
        rate: WRITER_RATE,
        label: `release ${tag}`,
        image: `chorus/web:${tags[0]}`,
        viaProxy: { caFile },
      });
      say(`${what}: make run-prod's bring-up, with probes every ${PROBE_EVERY_MS} ms and a writer at ${WRITER_RATE}/s`);
      const started = Date.now();
      try {
        await deploy(ctx, e, { build: false, tag });
      } finally {
        // A second of traffic after it, on what the release left running.
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      const ms = Date.now() - started;
      const [results, writes] = await Promise.all([probes.stop(), writer.stop()]);
      return { release: tag, ms, probes: results, writes, proxyKept: proxyContainer(project) === proxyBefore };
    };

    // B: the apps' images changed; the proxy's and the monitoring image's (Prometheus's rules, the JMX agent)
    // as they were, as a release that changes code alone leaves them.
    for (const app of PROD_APP_IMAGES)
      if (UNCHANGED_BY_CODE.includes(app)) docker(['tag', `chorus/${app}:${tags[0]}`, `chorus/${app}:${tags[1]}`]);
      else changedImage(app, tags[0], tags[1]);
    const apps = await release(tags[1], 'release B changes the app images');
    // C: the proxy's image changed too: a stop.
    for (const app of PROD_APP_IMAGES) changedImage(app, tags[1], tags[2]);
    const stop = await release(tags[2], "release C changes the proxy's image");

    const problems: string[] = [];
    for (const step of [apps, stop]) report(step);
    const failedProbes = apps.probes.reduce((n, r) => n + r.failures, 0);
    if (failedProbes > 0)
      problems.push(
        `release B: ${failedProbes} probes failed (${apps.probes
          .map((r) => r.firstFailure)
          .filter(Boolean)
          .join('; ')})`,
      );
    const failedWrites = failed(apps.writes);
    if (failedWrites > 0) problems.push(`release B: ${failedWrites} writes failed`);
    if (!apps.proxyKept) problems.push("release B recreated the proxy's container, though its image did not change");
    if (stop.proxyKept) problems.push("release C kept the proxy's container, though its image changed");
    const webs = projectContainers(project, 'chorus-web').filter((c) => c.running);
    if (webs.length !== 2) problems.push(`${webs.length} web replicas run after the releases, not 2`);

    const accepted = [...apps.writes.accepted, ...stop.writes.accepted];
    const read = await timeUntil(
      async () => {
        const seen = await readTasks(ctx, project, accepted);
        const missing = accepted.filter((h) => seen[h] !== 'PENDING_ANALYSIS');
        return missing.length === 0 ? done(true) : notYet(`${missing.length} accepted tasks do not read back yet`);
      },
      { what: 'the accepted tasks', limitMs: READ_BACK_MS },
    );
    if (read.ms === null) problems.push(`not every accepted task read back within ${seconds(READ_BACK_MS)}`);
    else say(`all ${accepted.length} accepted tasks read back, ${seconds(read.ms)} after the last release`);

    for (const p of problems) say(`FAIL: ${p}`);
    say(problems.length === 0 ? 'passed' : `failed: ${problems.length} problem(s)`);
    return problems.length === 0 ? 0 : 1;
  });
}

const failed = (w: ApiWriterReport) =>
  w.refused.withRetryAfter +
  w.refused.withoutRetryAfter +
  w.noAnswer +
  Object.values(w.otherStatuses).reduce((a, b) => a + b, 0);

function report(step: Step): void {
  say(
    `release ${step.release}: make run-prod's bring-up took ${seconds(step.ms)}; the proxy's container ${step.proxyKept ? 'kept' : 'replaced'}`,
  );
  for (const r of step.probes) {
    const window =
      r.firstFailureAt !== undefined && r.lastFailureAt !== undefined
        ? `, failing for ${seconds(r.lastFailureAt - r.firstFailureAt + PROBE_EVERY_MS)}`
        : '';
    say(`  ${new URL(r.url).pathname}: ${r.probes} probes, ${r.failures} failed${window}, slowest ${r.worstMs} ms`);
  }
  const w = step.writes;
  say(
    `  writer: ${w.sent} sent, ${w.accepted.length} accepted, ${failed(w)} failed (503: ${w.refused.withRetryAfter + w.refused.withoutRetryAfter}, no answer: ${w.noAnswer}, other: ${JSON.stringify(w.otherStatuses)})`,
  );
}
