import { spawn, spawnSync } from 'node:child_process';
import type { Environment } from './environments.ts';

/**
 * Only what Docker itself needs: the host's other variables must not leak into the Compose file's
 * interpolation, which would otherwise prefer them to the environment's own file.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'DOCKER_HOST', 'DOCKER_CONFIG', 'DOCKER_CONTEXT', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'XDG_RUNTIME_DIR'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

/**
 * Runs `docker compose <args>` for one environment with the terminal attached; resolves to the exit code.
 * `shielded` runs it in its own process group, so a Ctrl-C at the terminal cannot interrupt it (teardown).
 */
export function composeAttached(root: string, e: Environment, args: string[], { shielded = false } = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('docker', ['compose', '--ansi', 'never', '--env-file', e.envFile, '-f', e.file, ...args], {
      cwd: root,
      env: cleanEnv(),
      stdio: 'inherit',
      detached: shielded,
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export interface ServiceState {
  Service: string;
  State: string;
  Health: string;
  ExitCode: number;
  Publishers: { URL: string; TargetPort: number; PublishedPort: number }[] | null;
}

/** The services of a Compose project as Docker sees them; needs no file, so it works for any state. */
export function services(e: Environment): ServiceState[] {
  const text = docker(['compose', '-p', e.project, 'ps', '--all', '--format', 'json']).out;
  if (!text) return [];
  // Compose prints one JSON object a line (or, in older versions, one array).
  return text.startsWith('[') ? (JSON.parse(text) as ServiceState[]) : text.split('\n').map((l) => JSON.parse(l) as ServiceState);
}

export function docker(args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('docker', args, { encoding: 'utf8', env: cleanEnv() });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? r.error?.message ?? '').trim() };
}

