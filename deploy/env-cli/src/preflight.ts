import { createServer } from 'node:net';
import { OperatorError } from '@chorus/errors';
import { docker } from './compose.ts';
import type { Context } from './context.ts';
import { hostPorts, readComposeFile } from './compose-file.ts';
import type { Environment } from './environments.ts';
import { capture } from './processes.ts';

/** Docker or the host is not ready for an environment; the message names the fix. */
export class PreflightError extends OperatorError {}

export function checkDocker(): void {
  const info = docker(['info', '--format', '{{.ServerVersion}}']);
  if (!info.ok) {
    const reason = info.err.split('\n').find((l) => l.trim()) ?? 'no answer';
    throw new PreflightError(
      `Docker is not running (${reason}). Start it, or run \`make setup\` to install and start Debian's docker.io.`,
    );
  }
  if (!docker(['compose', 'version']).ok) {
    throw new PreflightError(
      "the Docker Compose v2 plugin is missing (`docker compose version` failed). Install Docker's docker-compose-plugin package (Docker Desktop includes it), or run `make setup`, which builds it with Go.",
    );
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** Who holds a port: a container (by name and project), or a process as `ss` reports it. */
export function portHolder(port: number): string {
  const containers = docker(['ps', '--format', '{{.Names}}\t{{.Ports}}']);
  for (const line of containers.out.split('\n')) {
    const [name, ports] = line.split('\t');
    if (ports && new RegExp(`:${port}->`).test(ports)) return `container ${name}`;
  }
  const ss = capture('ss', ['-Hltnp', `sport = :${port}`]);
  const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(ss.out);
  if (match) return `process ${match[1]} (pid ${match[2]})`;
  return 'another process (the OS did not say which)';
}

/** Fails, naming the port and its holder, if a port the environment publishes is taken by anything but itself. */
export async function checkPorts(ctx: Pick<Context, 'root'>, e: Environment): Promise<void> {
  const own = docker(['ps', '--filter', `label=com.docker.compose.project=${e.project}`, '--format', '{{.Ports}}']).out;
  const problems: string[] = [];
  for (const port of hostPorts(readComposeFile(ctx.root, e))) {
    if (new RegExp(`:${port}->`).test(own)) continue; // already ours: running `up` again is fine
    if (!(await portFree(port))) problems.push(`port ${port} is taken by ${portHolder(port)}`);
  }
  if (problems.length > 0) {
    throw new PreflightError(
      `${e.name} cannot start: ${problems.join('; ')}. Free the port(s), or stop what holds them.`,
    );
  }
}
