/**
 * `make k8s-check`: the Helm chart on a real two-node Kubernetes cluster on this machine
 * (infrastructure/kubernetes/cluster.sh), never touching prod, dev or another run:
 *   1. the images: the environments' third-party ones and this checkout's apps, tagged with the run's name;
 *   2. the cluster: built once and cached outside the clone, two nodes Ready, the images loaded;
 *   3. the chart's manifests through the API server's own validation (a server-side dry run), and the
 *      `operators` mode's against Strimzi's and CloudNativePG's CRDs;
 *   4. `helm install --wait` (bundled mode, two processor replicas spread over the nodes), `helm upgrade`
 *      to a second revision (the setup Job again, the secrets kept), then `helm test`: the journey through
 *      the web Service;
 *   5. node 2, which runs a processor replica, killed during writes: the replica must be rescheduled and
 *      the read model must match Postgres task by task (0 lost, stale or resurrected);
 *   6. the timings, and the teardown, after which nothing of the run may be left.
 */
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { OperatorError } from '@chorus/errors';
import {
  type Convergence,
  type WriterReport,
  convergence as convergenceReport,
  readReports,
  writerReport,
} from '@chorus/load-reports';
import { Deadline, done, notYet, poll, sleep } from '@chorus/wait';
import { TESTER_IMAGE, removeAppImageTags } from 'env-cli/app-images.ts';
import { images } from 'env-cli/bring-up.ts';
import { docker } from 'env-cli/compose.ts';
import type { Context } from 'env-cli/context.ts';
import { readEnvFile } from 'env-cli/env-file.ts';
import { ENVIRONMENTS } from 'env-cli/environments.ts';
import { CLUSTER_LABEL, type Cluster, clusterDown, clusterUp, helm, kubectl, loadImages } from 'env-cli/kubernetes.ts';
import { print, say, seconds, table } from 'env-cli/output.ts';
import { checkDocker } from 'env-cli/preflight.ts';
import { withTeardown } from 'env-cli/run-project.ts';
import { capture } from 'env-cli/processes.ts';
import { newRunProject } from 'env-cli/test-runs.ts';

const NAMESPACE = 'chorus';
const RELEASE = 'chorus';
const APPS = ['chorus-web', 'chorus-stream-processor', 'setup-connector', TESTER_IMAGE];
/** Writes a second during the node loss, and for how long: the node dies WRITE_BEFORE_KILL_S in. */
const WRITE_RATE = 40;
const WRITE_SECONDS = 60;
const WRITE_BEFORE_KILL_S = 10;
const CONVERGE_SECONDS = 180;
const STORAGE_CLASS = 'chorus-check';

/** The chart's values for this run: the resolved images, two processor replicas, volumes on node 1. */
function chartValues(vars: Record<string, string>, tag: string): string[] {
  const set = {
    environment: 'k8s',
    'images.pullPolicy': 'Never',
    'images.apps.tag': tag,
    'images.postgres': vars.POSTGRES_IMAGE,
    'images.redis': vars.REDIS_IMAGE,
    'images.kafka': vars.KAFKA_IMAGE,
    'images.connect': vars.CONNECT_IMAGE,
    'web.replicas': '1',
    'processor.replicas': '2',
    'stream.partitions': '2',
    'bundled.storageClass': STORAGE_CLASS,
  };
  return Object.entries(set).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
}

/**
 * The `operators` mode, validated by the API server against the operators' own CRDs (no operator runs: their
 * images come from registries this machine does not reach). The CRDs are installed, the mode's manifests must
 * be accepted by a server-side dry run, and a KafkaNodePool with a role Strimzi does not know must be refused,
 * so that the acceptance means the schemas were applied.
 */
function operatorsDryRun(ctx: Context, c: Cluster, chart: string, values: string[]): string {
  const crds = capture('bash', [join(ctx.root, 'infrastructure/kubernetes/operator-crds.sh')]);
  if (!crds.ok)
    throw new OperatorError(`the operators' CRDs could not be made: ${crds.err.split('\n').slice(-5).join(' ')}`);
  const dir = crds.out.split('\n').at(-1)!;
  // Server-side: CloudNativePG's Cluster CRD is too large for the annotation a client-side apply writes.
  kubectl(c, ['apply', '--server-side', '-f', join(dir, 'strimzi'), '-f', join(dir, 'cnpg')]);
  kubectl(c, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/kafkas.kafka.strimzi.io',
    'crd/kafkanodepools.kafka.strimzi.io',
    'crd/kafkaconnects.kafka.strimzi.io',
    'crd/kafkaconnectors.kafka.strimzi.io',
    'crd/clusters.postgresql.cnpg.io',
  ]);
  const { rendered, accepted } = dryRun(ctx, c, chart, [
    ...values,
    '--set',
    'mode=operators',
    '--set',
    'operators.connect.image=registry.example/chorus/connect:1',
  ]);
  const kinds = parseAllDocuments(rendered)
    .map((d) => (d.toJS() as { kind?: string } | null)?.kind)
    .filter((k) => k && /^(Kafka|Cluster)/.test(k));
  const broken = kubectl(c, ['apply', '--dry-run=server', '-n', NAMESPACE, '-f', '-'], {
    input: rendered.replace('roles: [controller, broker]', 'roles: [controller, keeper]'),
    allowFailure: true,
  });
  if (broken.ok || !/roles/.test(broken.err))
    throw new OperatorError(
      `a KafkaNodePool with an unknown role was not refused by Strimzi's CRD: ${broken.err || broken.out}`,
    );
  const versions = ctx.versions();
  return `${accepted} resources accepted (${kinds.join(', ')}; Strimzi ${versions.STRIMZI_VERSION}, CloudNativePG ${versions.CNPG_VERSION}); an unknown node role refused: ${broken.err
    .split('\n')
    .find((l) => /roles/.test(l))
    ?.trim()
    .slice(0, 160)}`;
}

/** The chart rendered with these values and sent through the API server's validation (a server-side dry run). */
function dryRun(ctx: Context, c: Cluster, chart: string, values: string[]): { rendered: string; accepted: number } {
  const rendered = capture(c.helm, [
    'template',
    RELEASE,
    chart,
    '-n',
    NAMESPACE,
    '--kube-version',
    ctx.versions().KUBERNETES_VERSION,
    ...values,
  ]);
  if (!rendered.ok) throw new OperatorError(`helm template ${values.join(' ')} failed: ${rendered.err}`);
  const dry = kubectl(c, ['apply', '--dry-run=server', '-n', NAMESPACE, '-f', '-'], { input: rendered.out });
  return { rendered: rendered.out, accepted: dry.out.split('\n').length };
}

/** One hostPath volume per bundled StatefulSet, all on node 1: node 2 is the one the check kills. */
function volumes(c: Cluster): string {
  const items = ['postgres', 'kafka', 'redis'].map((what) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `${c.name}-${what}`, labels: { [CLUSTER_LABEL]: c.name } },
    spec: {
      capacity: { storage: '2Gi' },
      accessModes: ['ReadWriteOnce'],
      storageClassName: STORAGE_CLASS,
      persistentVolumeReclaimPolicy: 'Retain',
      hostPath: { path: `/var/lib/kubelet/chorus-volumes/${what}`, type: 'Directory' },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [c.nodes[0]] }] },
          ],
        },
      },
    },
  }));
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

/**
 * The chart's own `helm test` pod (its image, environment and security, as the installed release has it),
 * renamed, pinned to `node` (never the one that dies) and running the tester with `args`.
 */
function testerPod(c: Cluster, name: string, args: string[], node: string): string {
  const hooks = capture(c.helm, ['get', 'hooks', RELEASE, '-n', NAMESPACE, '--kubeconfig', c.kubeconfig]);
  const pod = parseAllDocuments(hooks.out)
    .map(
      (d) =>
        d.toJS() as {
          kind?: string;
          metadata?: { name?: string; labels?: object };
          spec?: { nodeName?: string; containers?: { args?: string[] }[] };
        } | null,
    )
    .find((d) => d?.kind === 'Pod' && d.metadata?.name === `${RELEASE}-journey`);
  const container = pod?.spec?.containers?.[0];
  if (!pod?.spec || !container)
    throw new OperatorError(
      `the release ${RELEASE} has no ${RELEASE}-journey test pod to run the tester from: ${hooks.err || 'helm get hooks printed none'}`,
    );
  pod.metadata = { name, labels: pod.metadata?.labels };
  pod.spec.nodeName = node;
  container.args = ['node', '/app/main.cjs', ...args];
  return JSON.stringify({ ...pod, metadata: { ...pod.metadata, namespace: NAMESPACE } });
}

/** Runs a tester pod to its end; resolves to what it printed on stdout (its report). */
async function runTester(c: Cluster, name: string, args: string[], timeoutS: number): Promise<string> {
  kubectl(c, ['apply', '-f', '-'], { input: testerPod(c, name, args, c.nodes[0]) });
  const phase = await poll(
    async () => {
      const p = kubectl(c, ['-n', NAMESPACE, 'get', 'pod', name, '-o', 'jsonpath={.status.phase}'], {
        allowFailure: true,
      }).out;
      return p === 'Succeeded' || p === 'Failed' ? done(p) : notYet(`pod ${name} is ${p || 'not there'}`);
    },
    { what: `the tester pod ${name}`, deadline: new Deadline(timeoutS * 1000), initialMs: 1000, maxMs: 2000 },
  );
  const logs = kubectl(c, ['-n', NAMESPACE, 'logs', name], { allowFailure: true });
  if (phase !== 'Succeeded') throw new OperatorError(`the tester pod ${name} failed:\n${logs.out}\n${logs.err}`);
  return logs.out;
}

/** The processor pods and the node each runs on; only those Ready when `ready`. */
function processors(c: Cluster, { ready = false } = {}): Array<{ pod: string; node: string }> {
  const jsonpath =
    '{range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase} {.metadata.deletionTimestamp} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}';
  const out = kubectl(c, [
    '-n',
    NAMESPACE,
    'get',
    'pods',
    '-l',
    'app.kubernetes.io/component=processor',
    '-o',
    `jsonpath=${jsonpath}`,
  ]).out;
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(/\s+/))
    .filter(([, , phase, ...rest]) => !ready || (phase === 'Running' && rest.length === 1 && rest[0] === 'True'))
    .map(([pod, node]) => ({ pod: pod!, node: node! }));
}

/** What of the run is still on this machine after the teardown; empty when nothing. */
function leftovers(name: string): string[] {
  const found: string[] = [];
  const containers = docker(['ps', '-aq', '--filter', `label=${CLUSTER_LABEL}=${name}`]).out;
  if (containers) found.push(`containers ${containers.split('\n').join(' ')}`);
  const volumes = docker(['volume', 'ls', '-q', '--filter', `label=${CLUSTER_LABEL}=${name}`]).out;
  if (volumes) found.push(`volumes ${volumes.split('\n').join(' ')}`);
  if (docker(['network', 'inspect', name]).ok) found.push(`network ${name}`);
  const processes = capture('pgrep', ['-af', name])
    .out.split('\n')
    .filter((l) => l && !l.includes('pgrep'));
  if (processes.length) found.push(`processes ${processes.join('; ')}`);
  return found;
}

export async function k8sCheck(ctx: Context): Promise<void> {
  checkDocker();
  const started = Date.now();
  // Named as a test run is, so that `make clean-test` knows it once its owner is gone.
  const name = newRunProject();
  const tag = name;
  const steps: string[][] = [];
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    say(`k8s-check: ${step}`);
    const value = await fn();
    steps.push([step, seconds(Date.now() - t)]);
    return value;
  };
  const teardown = async () => {
    const t = Date.now();
    say(`k8s-check: removing the cluster ${name} and the run's app images`);
    if (!(await clusterDown(ctx, name)))
      say(`removing ${name} failed: run bash infrastructure/kubernetes/cluster.sh down ${name}`);
    if (!removeAppImageTags(tag))
      say(`could not untag the run's app images (chorus/*:${tag}); \`make clean-test\` removes them`);
    steps.push(['teardown', seconds(Date.now() - t)]);
  };
  const results: string[][] = [];
  let failure: unknown;
  try {
    await withTeardown(teardown, async () => {
      const vars = await timed('images: resolved and built', () =>
        images(ctx, {
          envFile: readEnvFile(ctx.root, ENVIRONMENTS.test),
          build: { apps: APPS, tag },
          vars: { CHORUS_APP_TAG: tag },
        }),
      );
      const c = await timed('cluster: built or cached, two nodes Ready, DNS', () => clusterUp(ctx, name));
      const appImages = ['web', 'stream-processor', 'setup-connector', 'tester'].map((app) => `chorus/${app}:${tag}`);
      await timed('images loaded into both nodes', () =>
        loadImages(ctx, name, [
          vars.POSTGRES_IMAGE!,
          vars.REDIS_IMAGE!,
          vars.KAFKA_IMAGE!,
          vars.CONNECT_IMAGE!,
          ...appImages,
        ]),
      );

      const chart = join(ctx.root, 'deploy/helm/chorus');
      const values = chartValues(vars, tag);
      await timed('server-side dry run of the rendered chart', async () => {
        kubectl(c, ['create', 'namespace', NAMESPACE]);
        results.push(['server-side dry run', `${dryRun(ctx, c, chart, values).accepted} resources accepted`]);
      });
      await timed(
        "the operators mode's manifests through the API server, against Strimzi's and CloudNativePG's CRDs",
        async () => {
          results.push(['operators mode, server-side dry run', operatorsDryRun(ctx, c, chart, values)]);
        },
      );
      for (const what of ['postgres', 'kafka', 'redis'])
        docker(['exec', c.nodes[0], 'mkdir', '-m', '0777', '-p', `/var/lib/kubelet/chorus-volumes/${what}`]);
      kubectl(c, ['apply', '-f', '-'], { input: volumes(c) });
      await timed('helm install --wait (setup Job done, every pod Ready)', async () => {
        const code = await helm(
          c,
          ['install', RELEASE, chart, '-n', NAMESPACE, '--wait', '--wait-for-jobs', '--timeout', '15m', ...values],
          ctx.env,
        );
        if (code !== 0) {
          print(kubectl(c, ['-n', NAMESPACE, 'get', 'pods,jobs,pvc', '-o', 'wide'], { allowFailure: true }).out);
          throw new OperatorError(
            `helm install failed (exit ${code}); the pods are above: kubectl -n ${NAMESPACE} describe pods shows why`,
          );
        }
      });
      await timed('helm upgrade --wait (a second revision: the setup Job again, the web app scaled to 2)', async () => {
        const secret = () =>
          kubectl(c, ['-n', NAMESPACE, 'get', 'secret', `${RELEASE}-secrets`, '-o', 'jsonpath={.data}']).out;
        const before = secret();
        const code = await helm(
          c,
          [
            'upgrade',
            RELEASE,
            chart,
            '-n',
            NAMESPACE,
            '--wait',
            '--wait-for-jobs',
            '--timeout',
            '10m',
            ...values,
            '--set',
            'web.replicas=2',
          ],
          ctx.env,
        );
        if (code !== 0) throw new OperatorError(`helm upgrade failed (exit ${code}); the lines above say why`);
        if (secret() !== before)
          throw new OperatorError(
            'helm upgrade changed the generated secrets: the databases would no longer accept them',
          );
        const job = kubectl(c, [
          '-n',
          NAMESPACE,
          'get',
          'job',
          `${RELEASE}-setup-2`,
          '-o',
          'jsonpath={.status.succeeded}',
        ]).out;
        if (job !== '1')
          throw new OperatorError(`the second revision's setup Job did not succeed (succeeded: ${job || 0})`);
        results.push(['helm upgrade', 'setup Job of revision 2 succeeded; generated secrets kept; web at 2 replicas']);
      });
      const spread = processors(c, { ready: true });
      results.push(['processor replicas', spread.map((p) => `${p.pod} on ${p.node}`).join(', ')]);
      if (new Set(spread.map((p) => p.node)).size !== 2)
        throw new OperatorError(`the two processor replicas are not on both nodes: ${JSON.stringify(spread)}`);
      await timed('helm test: the journey through the web Service', async () => {
        const code = await helm(c, ['test', RELEASE, '-n', NAMESPACE, '--logs', '--timeout', '5m'], ctx.env);
        if (code !== 0) throw new OperatorError(`the journey failed (helm test exited ${code}); its log is above`);
        results.push(['journey (helm test)', 'passed']);
      });

      const victim = spread.find((p) => p.node === c.nodes[1])!;
      await timed(`node loss: ${c.nodes[1]} killed during writes`, async () => {
        const writer = runTester(
          c,
          'writer',
          ['chaos-write', '--rate', String(WRITE_RATE), '--seconds', String(WRITE_SECONDS), '--run', 'k8s'],
          WRITE_SECONDS + 120,
        );
        // Awaited below; until then a failure must not end the process before the teardown.
        writer.catch(() => undefined);
        await poll(
          async () =>
            kubectl(c, ['-n', NAMESPACE, 'get', 'pod', 'writer', '-o', 'jsonpath={.status.phase}'], {
              allowFailure: true,
            }).out === 'Running'
              ? done(true)
              : notYet('writer not running'),
          {
            what: 'the writer pod to start',
            deadline: new Deadline(60_000),
          },
        );
        await sleep(WRITE_BEFORE_KILL_S * 1000);
        const killedAt = Date.now();
        docker(['kill', c.nodes[1]]);
        say(`k8s-check: killed ${c.nodes[1]} (it ran ${victim.pod})`);
        const rescheduled = await poll(
          async () => {
            const ready = processors(c, { ready: true }).filter((p) => p.node !== c.nodes[1]);
            return ready.length >= 2
              ? done((Date.now() - killedAt) / 1000)
              : notYet(`${ready.length} processor replica(s) Ready on ${c.nodes[0]}`);
          },
          {
            what: `a processor replica rescheduled onto ${c.nodes[0]}`,
            deadline: new Deadline(180_000),
            initialMs: 1000,
            maxMs: 2000,
          },
        );
        results.push(['processor replica rescheduled', `${rescheduled.toFixed(0)} s after the node died`]);
        const written: WriterReport | undefined = readReports(writerReport, await writer)[0];
        if (!written) throw new OperatorError('the writer printed no report');
        results.push([
          'written during the node loss',
          `${written.submitted} submitted, ${written.cancelled} cancelled, ${written.deleted} deleted, ${written.failed} failed`,
        ]);
        const checked: Convergence | undefined = readReports(
          convergenceReport,
          await runTester(c, 'converge', ['converge', '--timeout', String(CONVERGE_SECONDS)], CONVERGE_SECONDS + 60),
        )[0];
        if (!checked) throw new OperatorError('the convergence check printed no report');
        results.push([
          'read model against Postgres',
          `${checked.tasks} tasks: ${checked.lost} lost, ${checked.stale} stale, ${checked.resurrected} resurrected; ${checked.converged ? `matched ${checked.seconds.toFixed(0)} s after the writes` : 'did NOT match'}`,
        ]);
        if (!checked.converged || checked.lost + checked.stale + checked.resurrected > 0)
          throw new OperatorError(
            `after the node loss the read model does not match Postgres: ${checked.lost} lost, ${checked.stale} stale, ${checked.resurrected} resurrected (e.g. ${checked.examples.join(', ')})`,
          );
      });
    });
  } catch (error) {
    failure = error;
  }
  const left = leftovers(name);
  results.push([
    'left behind after the teardown',
    left.length ? left.join('; ') : 'nothing (containers, volumes, network, processes)',
  ]);
  print(table(['check', 'result'], results));
  print(table(['step', 'took'], [...steps, ['in all', seconds(Date.now() - started)]]));
  if (failure) throw failure;
  if (left.length)
    throw new OperatorError(
      `the run left ${left.join('; ')} behind: bash infrastructure/kubernetes/cluster.sh down ${name}`,
    );
  say('k8s-check: passed');
}
