/**
 * The env CLI's Compose layer, over the `docker-compose` npm package. Every call names its project;
 * calls that start something also name exactly one file and one env file.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as compose from 'docker-compose';
import type { IDockerComposeOptions, IDockerComposeResult } from 'docker-compose';

/** A Compose project, with its file and env file when the call needs them (`up`, `run`), or by name alone. */
export interface ComposeTarget {
  project: string;
  file?: string;
  envFile?: string;
  /** Extra variables for the file's interpolation. */
  vars?: Record<string, string>;
}

/**
 * Only what Docker itself needs: the host's other variables must not leak into the Compose file's
 * interpolation, which would otherwise prefer them to the environment's own file.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'DOCKER_HOST', 'DOCKER_CONFIG', 'DOCKER_CONTEXT', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'XDG_RUNTIME_DIR'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

function globalArgs(t: ComposeTarget): string[] {
  return ['--ansi', 'never', '-p', t.project, ...(t.envFile ? ['--env-file', t.envFile] : []), ...(t.file ? ['-f', t.file] : [])];
}

function options(root: string, t: ComposeTarget, { stream = true } = {}): IDockerComposeOptions {
  return {
    cwd: root,
    composeOptions: globalArgs(t),
    env: { ...cleanEnv(), ...t.vars },
    // Stream what Compose prints as it comes; keep no copy of long output.
    ...(stream ? { callback: (chunk: Buffer, source?: string) => void (source === 'stderr' ? process.stderr : process.stdout).write(chunk), maxOutputLength: 64 * 1024 } : {}),
  };
}

/** The package rejects with its result on a non-zero exit; callers check `exitCode` themselves. */
async function settle(call: Promise<IDockerComposeResult>): Promise<IDockerComposeResult> {
  try {
    return await call;
  } catch (error) {
    if (error && typeof error === 'object' && 'exitCode' in error) return error as IDockerComposeResult;
    throw error;
  }
}

const code = (r: IDockerComposeResult) => r.exitCode ?? 1;

export const up = async (root: string, t: ComposeTarget) =>
  code(await settle(compose.upAll({ ...options(root, t), commandOptions: ['--detach', '--wait', '--remove-orphans'] })));

/** Runs a one-off service (the tester) and resolves to its exit code. */
export const runOnce = async (root: string, t: ComposeTarget, service: string) =>
  code(await settle(compose.run(service, [], { ...options(root, t), commandOptions: ['--rm', '--no-deps'] })));

/** Stops a project by name; `volumes` deletes its volumes too. Works without the file or the env file. */
/**
 * Runs a one-off service with a command, streaming its stderr (progress) and resolving to its exit code
 * and stdout (results).
 */
export async function runCapture(root: string, t: ComposeTarget, service: string, command: string[]): Promise<{ code: number; out: string }> {
  const result = await settle(
    compose.run(service, command, {
      ...options(root, t, { stream: false }),
      callback: (chunk: Buffer, source?: string) => void (source === 'stderr' && process.stderr.write(chunk)),
      commandOptions: ['--rm', '--no-deps'],
    }),
  );
  return { code: code(result), out: result.out };
}

/** SIGKILLs a service's container, as a crash would; its restart policy does not act on a kill. */
export const killService = async (root: string, project: string, service: string) =>
  code(await settle(compose.kill({ ...options(root, { project }, { stream: false }), commandOptions: [['-s', 'SIGKILL'], service] })));

/** Starts a stopped service's container again, as it was. */
export const startService = async (root: string, project: string, service: string) =>
  code(await settle(compose.execCompose('start', [service], options(root, { project }, { stream: false }))));

export const down = async (root: string, project: string, { volumes = false } = {}) =>
  code(await settle(compose.down({ ...options(root, { project }), commandOptions: [...(volumes ? ['--volumes'] : []), '--remove-orphans', ['--timeout', '5']] })));

export const logs = async (root: string, project: string, { follow = false, tail = 100, service }: { follow?: boolean; tail?: number; service?: string } = {}) =>
  code(await settle(compose.logs(service ? [service] : [], { ...options(root, { project }), follow, commandOptions: ['--no-log-prefix', ['--tail', String(tail)]] })));

export interface ServiceState {
  Service: string;
  Image: string;
  State: string;
  Health: string;
  ExitCode: number;
  CreatedAt?: string;
  Publishers: { URL: string; TargetPort: number; PublishedPort: number }[] | null;
}

/** The services of a project as Docker sees them, stopped ones included; needs no file. */
export async function services(root: string, project: string): Promise<ServiceState[]> {
  const result = await settle(compose.ps({ ...options(root, { project }, { stream: false }), commandOptions: ['--all', ['--format', 'json']] }));
  const text = result.out.trim();
  if (result.exitCode !== 0 || !text) return [];
  // Compose prints one JSON object a line (or, in older versions, one array).
  return text.startsWith('[') ? (JSON.parse(text) as ServiceState[]) : text.split('\n').map((l) => JSON.parse(l) as ServiceState);
}

/** Runs a command in a project's running service; resolves to its exit code, output and errors. */
export async function execResult(root: string, project: string, service: string, command: string[]): Promise<{ code: number; out: string; err: string }> {
  const result = await settle(compose.exec(service, command, { ...options(root, { project }, { stream: false }) }));
  return { code: code(result), out: result.out.trim(), err: result.err.trim() };
}

/**
 * Runs one SQL statement in a project's Postgres as `role`, over the container's local socket (trusted
 * there), in the environment's database; unaligned, tuples only. The SQL travels as an argument, never
 * through the shell's quoting.
 */
export const psql = (root: string, project: string, role: string, sql: string) =>
  execResult(root, project, 'postgres', ['sh', '-c', `exec psql -v ON_ERROR_STOP=1 -tA -U "$1" -d "$POSTGRES_DB" -c "$2"`, 'psql', role, sql]);

/** Runs a command in a project's running service; resolves to its output, or undefined when it failed. */
export async function execIn(root: string, project: string, service: string, command: string[]): Promise<string | undefined> {
  const result = await execResult(root, project, service, command);
  return result.code === 0 ? result.out : undefined;
}

/**
 * Tears a project down in its own process group, so the Ctrl-C that stops a run cannot interrupt its
 * cleanup. The one call made without the package: it cannot start a detached process group.
 */
export function downShielded(root: string, project: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('docker', ['compose', ...globalArgs({ project }), 'down', '--volumes', '--remove-orphans', '--timeout', '5'], {
      cwd: root,
      env: cleanEnv(),
      stdio: 'inherit',
      detached: true,
    });
    child.on('exit', (exit, signal) => resolve(exit ?? (signal ? 128 : 1)));
  });
}

/** Compose projects that exist (any container, running or not), by name. */
export function projects(): string[] {
  const out = docker(['ps', '-a', '--format', '{{.Label "com.docker.compose.project"}}']).out;
  return [...new Set(out.split('\n').filter(Boolean))];
}

/** Plain docker CLI calls: engine info, images, volumes, and containers by label. */
export function docker(args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('docker', args, { encoding: 'utf8', env: cleanEnv() });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? r.error?.message ?? '').trim() };
}
