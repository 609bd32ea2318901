/**
 * What running environments cost while nobody uses them: each container's CPU time over a window (read from
 * the engine's stats, its cgroup's counters, at the start and the end) as a share of one core, and its memory
 * without the page cache. `make idle-cost` prints it; CI records it for prod and dev.
 */
import { request } from 'node:http';
import { OperatorError } from '@chorus/errors';

/** The engine's stats reply, the fields read here (cgroup v1 and v2). */
interface EngineStats {
  cpu_stats: { cpu_usage: { total_usage: number } };
  memory_stats: { usage?: number; stats?: Record<string, number> };
}

export interface Sample {
  cpuNs: number;
  /** Memory in use without the page cache (file pages the kernel drops under pressure). */
  memoryBytes: number;
}

export function sampleOf(s: EngineStats): Sample {
  const stats = s.memory_stats.stats ?? {};
  // v1 names it total_cache; v2 file.
  const cache = stats.total_cache ?? stats.file ?? 0;
  return { cpuNs: s.cpu_stats.cpu_usage.total_usage, memoryBytes: Math.max(0, (s.memory_stats.usage ?? 0) - cache) };
}

/** The engine's socket: DOCKER_HOST when it names a unix socket, else the default one. */
function socketPath(env: NodeJS.ProcessEnv): string {
  const host = env.DOCKER_HOST;
  if (!host) return '/var/run/docker.sock';
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  throw new OperatorError(
    `make idle-cost reads the engine's stats over its unix socket, and DOCKER_HOST is ${host}: run it on the engine's host`,
  );
}

/** One container's stats now (the engine's API, one-shot). */
export function containerSample(id: string, env: NodeJS.ProcessEnv = process.env): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: socketPath(env), path: `/containers/${id}/stats?stream=false&one-shot=true`, timeout: 10_000 },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          try {
            resolve(sampleOf(JSON.parse(body) as EngineStats));
          } catch {
            reject(new OperatorError(`the engine's stats of container ${id} could not be read: ${body.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('error', (error) =>
      reject(new OperatorError(`the Docker engine's socket did not answer (${error.message}): is it running?`)),
    );
    req.end();
  });
}

export interface ContainerCost {
  project: string;
  service: string;
  /** CPU time over the window, as a share of one core (0.1 = 10 %). */
  cpu: number;
  memoryBytes: number;
}

export function costOf(before: Sample, after: Sample, windowMs: number): Pick<ContainerCost, 'cpu' | 'memoryBytes'> {
  return { cpu: Math.max(0, after.cpuNs - before.cpuNs) / 1e6 / windowMs, memoryBytes: after.memoryBytes };
}

/** Each environment's total, with its largest contributors first. */
export function summarize(
  costs: ContainerCost[],
): { project: string; cpu: number; memoryBytes: number; top: ContainerCost[] }[] {
  const byProject = new Map<string, ContainerCost[]>();
  for (const c of costs) byProject.set(c.project, [...(byProject.get(c.project) ?? []), c]);
  return [...byProject].map(([project, list]) => ({
    project,
    cpu: list.reduce((sum, c) => sum + c.cpu, 0),
    memoryBytes: list.reduce((sum, c) => sum + c.memoryBytes, 0),
    top: [...list].sort((a, b) => b.cpu - a.cpu),
  }));
}
