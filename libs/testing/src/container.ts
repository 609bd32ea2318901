/**
 * Containers that host tests start for a real service (Redis, a browser), on this machine's Docker engine.
 * Each carries its owner's PID (OWNER_LABEL): removed when the owner stops it or exits, and, after a kill
 * that left no chance to clean up, by the next start here or by `make clean-test` (reapOrphans). That is the
 * reaper, with no image to pull; Testcontainers' own (Ryuk) comes from a registry.
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';

export const OWNER_LABEL = 'org.chorus.test-owner';

const docker = (args: string[]) => {
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  if (r.error)
    throw new Error(
      'docker is not installed or not on PATH: the host tests run Redis and a browser in containers; install Docker (make setup on Debian)',
    );
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? '').trim() };
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes the test containers on this host whose owner process is gone; returns their names. */
export function reapOrphans(): string[] {
  const listed = docker([
    'ps',
    '-a',
    '--filter',
    `label=${OWNER_LABEL}`,
    '--format',
    `{{.Names}} {{.Label "${OWNER_LABEL}"}}`,
  ]);
  const orphans = listed.out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ') as [string, string])
    .filter(([, owner]) => {
      const [host, pid] = owner.split('/');
      return host === hostname() && !alive(Number(pid));
    })
    .map(([name]) => name);
  if (orphans.length > 0) docker(['rm', '-f', '-v', ...orphans]);
  return orphans;
}

export interface TestContainer {
  name: string;
  /** The host port (on 127.0.0.1) that the container's `port` is published on, if one was asked for. */
  hostPort?: number;
  /** The container's address on Docker's default bridge: reached without the published port's proxy. */
  bridgeAddress(): string;
  pause(): void;
  resume(): void;
  stop(): void;
}

const started = new Set<string>();
process.once('exit', () => {
  if (started.size > 0) spawnSync('docker', ['rm', '-f', '-v', ...started], { stdio: 'ignore' });
});

/** Starts `image` detached, owned by this process; `port` is published on a free port of 127.0.0.1. */
export function startContainer(o: {
  image: string;
  purpose: string;
  port?: number;
  args?: string[];
  dockerArgs?: string[];
}): TestContainer {
  reapOrphans();
  if (!docker(['version', '--format', '{{.Server.Version}}']).ok) {
    throw new Error(
      `the Docker engine does not answer; the host tests need it for ${o.purpose} (start Docker, or run make setup on Debian)`,
    );
  }
  if (!docker(['image', 'inspect', o.image]).ok)
    throw new Error(
      `${o.purpose}: the image ${o.image} is not on this machine; run \`make test-images\` (make test does it first)`,
    );
  const name = `chorus-hosttest-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const run = docker([
    'run',
    '-d',
    '--name',
    name,
    '--label',
    `${OWNER_LABEL}=${hostname()}/${process.pid}`,
    ...(o.port ? ['-p', `127.0.0.1::${o.port}`] : []),
    ...(o.dockerArgs ?? []),
    o.image,
    ...(o.args ?? []),
  ]);
  if (!run.ok) throw new Error(`${o.purpose}: starting ${o.image} failed: ${run.err}`);
  started.add(name);
  let hostPort: number | undefined;
  if (o.port) {
    const published = docker(['port', name, `${o.port}/tcp`]).out.split('\n')[0] ?? '';
    hostPort = Number(published.slice(published.lastIndexOf(':') + 1));
  }
  return {
    name,
    hostPort,
    bridgeAddress: () => docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', name]).out,
    pause: () => void docker(['pause', name]),
    resume: () => void docker(['unpause', name]),
    stop: () => {
      docker(['rm', '-f', '-v', name]);
      started.delete(name);
    },
  };
}
