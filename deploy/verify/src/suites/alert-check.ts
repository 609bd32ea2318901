/**
 * `make alert-check`: an alert reaches a person, by mail and by webhook, when it fires and when it resolves.
 * In projects of its own:
 *   1. a mail server (Mailpit, infrastructure/mailpit) and a small HTTP receiver that logs each webhook
 *      stand in for the operator's, on a network of their own that only Alertmanager joins;
 *   2. this checkout's prod starts with ALERT_* naming them (and a short group interval, so that the
 *      resolution is sent within a minute);
 *   3. Kafka Connect is stopped: KafkaConnectDown must reach both, as firing, and `make alerts-prod` must
 *      list it. A silent Connect reports no connector, so Prometheus cannot fire ConnectorNotRunning, its
 *      consequence; the check hands that alert to Alertmanager itself (amtool, in its container) and it
 *      must be held back by the inhibition and reach neither;
 *   4. Connect starts again: both must get the resolution.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { OperatorError } from '@chorus/errors';
import { sleep } from '@chorus/wait';
import { managedAlerts } from 'env-cli/alerts.ts';
import { removeAppImageTags } from 'env-cli/app-images.ts';
import { deploy, images } from 'env-cli/bring-up.ts';
import { docker, projectContainers } from 'env-cli/compose.ts';
import type { Context } from 'env-cli/context.ts';
import { ensureProdEnvFile, readEnvFile } from 'env-cli/env-file.ts';
import { ENVIRONMENTS, type Environment } from 'env-cli/environments.ts';
import { print, say, seconds, table } from 'env-cli/output.ts';
import { checkDocker } from 'env-cli/preflight.ts';
import { capture } from 'env-cli/processes.ts';
import { withTeardown } from 'env-cli/run-project.ts';
import { newRunProject } from 'env-cli/test-runs.ts';
import { rewriteProdFile } from '../earlier-release.ts';

const ALERT = 'KafkaConnectDown';
const CONSEQUENCE = 'ConnectorNotRunning';
const [TO, FROM] = ['ops@chorus.test', 'alerts@chorus.test'];
/** The rule's minute, a scrape and an evaluation, the group's 30 s wait, and room for a busy host. */
const FIRING_LIMIT_MS = 240_000;
/** A resolution is sent at the group's next interval (30 s here), after Prometheus sees Connect again. */
const RESOLVED_LIMIT_MS = 180_000;

/** The receivers' program (deploy/verify/alert-receivers), as the verify build bundles it. */
const RECEIVERS = 'deploy/verify/dist/alert-receivers.cjs';

const webhookBody = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  alerts: z.array(z.looseObject({ status: z.string(), labels: z.record(z.string(), z.string()) })),
});
const mailList = z.object({
  messages: z.array(z.object({ Subject: z.string(), To: z.array(z.object({ Address: z.string() })) })),
});

/** The mail server and the webhook receiver, on a network that only they and Alertmanager join. */
function startReceivers(ctx: Context, project: string, image: string) {
  const built = capture('bash', [join(ctx.root, 'infrastructure/mailpit/build.sh')]);
  if (!built.ok) throw new OperatorError(`building the mail server failed: ${built.err}`);
  const program = join(ctx.root, RECEIVERS);
  if (!existsSync(program))
    throw new OperatorError(`${RECEIVERS} is missing: build it with \`npx nx run verify:build\``);
  const mounted = ['-v', `${program}:/receivers.cjs:ro`];
  const [network, mail, hook] = [`${project}-receivers`, `${project}-mail`, `${project}-receiver`];
  if (!docker(['network', 'create', '--internal', network]).ok)
    throw new OperatorError(`could not create network ${network}`);
  const run = (name: string, alias: string, args: string[]) => {
    const r = docker(['run', '-d', '--name', name, '--network', network, '--network-alias', alias, ...args]);
    if (!r.ok) throw new OperatorError(`${alias} did not start: ${r.err}`);
  };
  run(mail, 'mail', [
    ...mounted,
    '-v',
    `${built.out.trim()}:/mailpit:ro`,
    '--entrypoint',
    '/mailpit/mailpit',
    image,
    '--smtp',
    '0.0.0.0:1025',
    '--listen',
    '0.0.0.0:8025',
  ]);
  run(hook, 'receiver', [...mounted, '--entrypoint', 'node', image, '/receivers.cjs', 'webhook']);
  return {
    network,
    /** The webhook bodies received so far. */
    webhooks: () =>
      docker(['logs', hook])
        .out.split('\n')
        .filter(Boolean)
        .flatMap((line) => {
          const body = webhookBody.safeParse(JSON.parse((JSON.parse(line) as { body: string }).body));
          return body.success ? [body.data] : [];
        }),
    /** The subjects of the mail received so far, with their recipients. */
    mails: () => {
      const out = docker(['exec', mail, 'node', '/receivers.cjs', 'mails']).out;
      const parsed = mailList.safeParse(out ? JSON.parse(out) : undefined);
      return parsed.success ? parsed.data.messages : [];
    },
    remove: () => {
      docker(['rm', '-f', mail, hook]);
      docker(['network', 'rm', network]);
    },
  };
}

/** prod's file for the check: Alertmanager also on the receivers' network. */
function checkFile(ctx: Context, project: string, network: string): string {
  const file = parse(rewriteProdFile(join(ctx.root, ENVIRONMENTS.prod.file), project)) as {
    services: Record<string, { networks?: string[] }>;
    networks: Record<string, unknown>;
  };
  file.services.alertmanager!.networks!.push('receivers');
  file.networks.receivers = { external: true, name: network };
  return stringify(file);
}

/** Polls until `seen` is true or the limit passes; resolves to how long it took. */
async function until(what: string, limitMs: number, seen: () => boolean | Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await seen())) {
    if (Date.now() - started > limitMs) throw new OperatorError(`${what} did not happen within ${limitMs / 1000} s`);
    await sleep(2000);
  }
  return Date.now() - started;
}

export async function alertCheck(ctx: Context): Promise<void> {
  checkDocker();
  const project = newRunProject();
  const work = mkdtempSync(join(tmpdir(), 'chorus-alert-check-'));
  const e: Environment = {
    ...ENVIRONMENTS.prod,
    project,
    file: join(work, 'docker-compose.prod.yml'),
    envFile: join(work, '.env.prod'),
  };
  let receivers: ReturnType<typeof startReceivers> | undefined;
  const teardown = async () => {
    say(`tearing down ${project} and its receivers (volumes included)`);
    await ctx.compose.downShielded(project);
    receivers?.remove();
    removeAppImageTags(project);
    rmSync(work, { recursive: true, force: true });
  };
  await withTeardown(teardown, async () => {
    ensureProdEnvFile(ctx.root, e);
    writeFileSync(
      e.envFile,
      [
        `ALERT_WEBHOOK_URL=http://receiver:8080/alerts`,
        `ALERT_EMAIL_TO=${TO}`,
        `ALERT_EMAIL_FROM=${FROM}`,
        'ALERT_SMTP_HOST=mail:1025',
        'ALERT_SMTP_REQUIRE_TLS=false',
        'ALERT_GROUP_INTERVAL=30s',
        '',
      ].join('\n'),
      { flag: 'a' },
    );
    // Any image with Node runs the receivers: the Node image, whichever path resolved it.
    const { NODE_IMAGE } = await images(ctx, { envFile: readEnvFile(ctx.root, e), vars: {} });
    receivers = startReceivers(ctx, project, NODE_IMAGE!);
    writeFileSync(e.file, checkFile(ctx, project, receivers.network));
    say(`alert check: starting this checkout's prod as ${project}, its alerts sent to a mail server and a webhook`);
    await deploy(ctx, e, { build: true, tag: project });

    const connect = projectContainers(project, 'kafka-connect').find((c) => c.running);
    if (!connect) throw new OperatorError(`${project} has no running Kafka Connect to stop`);
    say(`alert check: stopping Kafka Connect (${connect.name}); ${ALERT} should reach the mail server and the webhook`);
    const stoppedAt = Date.now();
    if (!docker(['stop', connect.name]).ok) throw new OperatorError(`could not stop ${connect.name}`);
    const hooked = (status: 'firing' | 'resolved') => () =>
      receivers!.webhooks().some((w) => w.status === status && w.alerts.some((a) => a.labels.alertname === ALERT));
    const mailed = (tag: string) => () =>
      receivers!.mails().some((m) => m.Subject.includes(tag) && m.Subject.includes(ALERT) && m.To[0]?.Address === TO);
    const firingHook = await until(`${ALERT} firing at the webhook`, FIRING_LIMIT_MS, hooked('firing'));
    const firingMail = await until(`${ALERT} firing in the mail`, 60_000, mailed('FIRING'));
    const listed = (await managedAlerts(ctx, project)) ?? [];
    const problems: string[] = [];
    const firing = listed.find((a) => a.labels.alertname === ALERT);
    if (!firing) problems.push(`make alerts-prod's source (Alertmanager's API) did not list ${ALERT} while it fired`);

    say(`alert check: handing ${CONSEQUENCE} to Alertmanager; ${ALERT} should hold it back`);
    const amtool = (args: string[]) =>
      ctx.compose.execIn(project, 'alertmanager', ['amtool', '--alertmanager.url=http://127.0.0.1:9093', ...args]);
    const consequence = [`alertname=${CONSEQUENCE}`, `environment=${firing?.labels.environment ?? 'prod'}`];
    if ((await amtool(['alert', 'add', ...consequence])) === undefined)
      throw new OperatorError(`amtool in ${project}'s Alertmanager could not add ${CONSEQUENCE}`);
    // Past the group's 30 s wait, so that a consequence let through would have been sent.
    await sleep(45_000);
    const held = ((await managedAlerts(ctx, project)) ?? []).find((a) => a.labels.alertname === CONSEQUENCE);
    if (!held || held.status.inhibitedBy.length === 0)
      problems.push(`${CONSEQUENCE} was not held back by ${ALERT}: ${JSON.stringify(held?.status ?? 'not listed')}`);
    // Ended before Connect returns, so that it is never let through once the cause resolves.
    await amtool(['alert', 'add', ...consequence, `--end=${new Date().toISOString()}`]);

    say('alert check: starting Kafka Connect again; the resolution should reach both');
    const startedAt = Date.now();
    if (!docker(['start', connect.name]).ok) throw new OperatorError(`could not start ${connect.name}`);
    const resolvedHook = await until(`${ALERT} resolved at the webhook`, RESOLVED_LIMIT_MS, hooked('resolved'));
    const resolvedMail = await until(`${ALERT} resolved in the mail`, 60_000, mailed('RESOLVED'));
    const sentConsequence = [
      ...receivers.webhooks().flatMap((w) => w.alerts.map((a) => a.labels.alertname)),
      ...receivers.mails().map((m) => m.Subject),
    ].filter((name) => name?.includes(CONSEQUENCE));
    if (sentConsequence.length > 0)
      problems.push(`${CONSEQUENCE}, a consequence of ${ALERT}, was sent: ${sentConsequence.join('; ')}`);

    print(
      `\nAlert delivery (make alert-check): Kafka Connect stopped in ${project}; ${ALERT} to webhook and mail (${TO}).`,
    );
    print(
      table(
        ['event', 'webhook after', 'mail after'],
        [
          ['firing (from the stop)', seconds(firingHook), seconds(firingHook + firingMail)],
          ['resolved (from the start)', seconds(resolvedHook), seconds(resolvedHook + resolvedMail)],
        ],
      ),
    );
    const mail = receivers.mails().find((m) => m.Subject.includes('FIRING'));
    const hook = receivers.webhooks().find((w) => w.status === 'firing');
    print(`\nThe firing mail's subject: ${mail?.Subject}`);
    print(`The firing webhook's body:\n${JSON.stringify(hook, null, 2)}`);
    say(
      `alert check: webhooks ${receivers.webhooks().length}, mails ${receivers.mails().length}; stopped at ${new Date(stoppedAt).toISOString()}, started at ${new Date(startedAt).toISOString()}`,
    );
    if (problems.length > 0) throw new OperatorError(`alert check failed:\n  ${problems.join('\n  ')}`);
    say('alert check: pass');
  });
}
