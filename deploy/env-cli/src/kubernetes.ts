/**
 * The test cluster of `make k8s-check` and the tools that drive it: infrastructure/kubernetes/cluster.sh
 * (two nodes in containers), the kubectl it built, and helm (tools/helm/install.sh).
 */
import { join } from 'node:path';
import { OperatorError } from '@chorus/errors';
import { docker } from './compose.ts';
import type { Context } from './context.ts';
import { attached, capture, reporting } from './processes.ts';

/**
 * Every container, volume and network of a test cluster carries this label, valued with the cluster's
 * name: a test run's name (test-runs.ts), so that `make clean-test` removes a cluster whose owner is gone.
 */
export const CLUSTER_LABEL = 'org.chorus.k8s-check';

/** The names of the test clusters on this machine, from their containers. */
export function clusterNames(): string[] {
  const out = docker([
    'ps',
    '-a',
    '--filter',
    `label=${CLUSTER_LABEL}`,
    '--format',
    `{{.Label "${CLUSTER_LABEL}"}}`,
  ]).out;
  return [...new Set(out.split('\n').filter(Boolean))];
}

export interface Cluster {
  name: string;
  kubeconfig: string;
  nodes: [string, string];
  kubectl: string;
  helm: string;
}

const script = (ctx: Pick<Context, 'root'>) => join(ctx.root, 'infrastructure/kubernetes/cluster.sh');

/** Builds what is missing (cached outside the clone) and starts the two nodes; its progress shows. */
export async function clusterUp(ctx: Context, name: string): Promise<Cluster> {
  const { code, out } = await reporting('bash', [script(ctx), 'up', name], { cwd: ctx.root, env: ctx.env });
  if (code !== 0)
    throw new OperatorError(
      `the test cluster ${name} did not start (cluster.sh up exited ${code}); the lines above say why`,
    );
  const bin = capture('bash', [join(ctx.root, 'infrastructure/kubernetes/install.sh')], { env: ctx.env });
  const helm = capture('bash', [join(ctx.root, 'tools/helm/install.sh')], { env: ctx.env });
  if (!bin.ok || !helm.ok) throw new OperatorError(`kubectl or helm is missing: ${bin.err || helm.err}`);
  return {
    name,
    kubeconfig: out.trim().split('\n').at(-1)!,
    nodes: [`${name}-node-1`, `${name}-node-2`],
    kubectl: join(bin.out, 'kubectl'),
    helm: helm.out.split('\n').at(-1)!,
  };
}

/** Copies images from this Docker engine into both nodes. */
export async function loadImages(ctx: Context, name: string, images: string[]): Promise<void> {
  const code = await attached('bash', [script(ctx), 'load', name, ...images], { cwd: ctx.root, env: ctx.env });
  if (code !== 0)
    throw new OperatorError(`loading the images into ${name} failed (exit ${code}); the lines above say why`);
}

/** Removes the cluster's containers, volumes and network, in a process group of its own so that Ctrl-C cannot cut it short. */
export async function clusterDown(ctx: Context, name: string): Promise<boolean> {
  return (await attached('bash', [script(ctx), 'down', name], { cwd: ctx.root, env: ctx.env, detached: true })) === 0;
}

/** kubectl against the cluster; throws with its error unless `allowFailure`. */
export function kubectl(
  c: Cluster,
  args: string[],
  { input, allowFailure = false }: { input?: string; allowFailure?: boolean } = {},
): { ok: boolean; out: string; err: string } {
  const r = capture(c.kubectl, ['--kubeconfig', c.kubeconfig, ...args], { input });
  if (!r.ok && !allowFailure) throw new OperatorError(`kubectl ${args.join(' ')} failed: ${r.err || r.out}`);
  return r;
}

/** helm against the cluster, printing as it goes; resolves to its exit code. */
export const helm = (c: Cluster, args: string[], env: NodeJS.ProcessEnv) =>
  attached(c.helm, [...args, '--kubeconfig', c.kubeconfig], { env });
