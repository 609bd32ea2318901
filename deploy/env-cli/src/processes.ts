/**
 * The one door to other programs, for the env CLI and the verification suites: every process they start
 * (docker, npx nx, npm, bash, ss, tar, make) starts here. Compose calls go through the docker-compose
 * package, over compose.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { relay } from './output.ts';

let stopping = false;
/** Once a run is being stopped (Ctrl-C), nothing may create containers any more: its teardown owns the project. */
export function stopCreating(): void {
  stopping = true;
}
export const creatingStopped = (): boolean => stopping;

export interface Finished {
  ok: boolean;
  out: string;
  err: string;
}

/** Runs a program to its end (given `input` on stdin) and keeps what it printed (trimmed); `ok` when it exited 0. */
export function capture(
  command: string,
  args: string[],
  { env = process.env, cwd, input }: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Finished {
  const r = spawnSync(command, args, { encoding: 'utf8', env, cwd, input, maxBuffer: 64 * 1024 * 1024 });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? r.error?.message ?? '').trim() };
}

/** As capture, without holding the CLI up while the program runs: `input` is written to its stdin. */
export function finished(
  command: string,
  args: string[],
  { env = process.env, cwd, input }: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env, cwd });
    let [out, err] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => void (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (err += chunk.toString()));
    child.on('error', (error) => resolve({ ok: false, out: out.trim(), err: error.message }));
    child.on('close', (code) => resolve({ ok: code === 0, out: out.trim(), err: err.trim() }));
    child.stdin.on('error', () => undefined); // a program that exits without reading: its exit code says why
    child.stdin.end(input ?? '');
  });
}

export interface Attached {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The program reads nothing (the default) or the CLI's own terminal. */
  stdin?: 'ignore' | 'inherit';
  /** SIGTERM after this long. */
  timeoutMs?: number;
  /** In a process group of its own, so that the Ctrl-C that stops the CLI does not stop it. */
  detached?: boolean;
}

/** Runs a program that prints straight to the CLI's terminal; resolves to its exit code (127: not found). */
export function attached(
  command: string,
  args: string[],
  { env = process.env, cwd, stdin = 'ignore', timeoutMs, detached = false }: Attached = {},
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: [stdin, 'inherit', 'inherit'], env, cwd, detached });
    const timer = timeoutMs ? setTimeout(() => child.kill('SIGTERM'), timeoutMs) : undefined;
    child.on('error', () => resolve(127));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** As attached, but keeps what the program prints on stdout (its report) while its stderr (progress) shows. */
export function reporting(
  command: string,
  args: string[],
  { env = process.env, cwd, timeoutMs }: Omit<Attached, 'stdin' | 'detached'> = {},
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env, cwd });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => void (out += chunk.toString()));
    const timer = timeoutMs ? setTimeout(() => child.kill('SIGTERM'), timeoutMs) : undefined;
    child.on('error', () => resolve({ code: 127, out }));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), out });
    });
  });
}

/** As attached, but keeps a copy of everything the program prints (both streams) while it shows. */
export function teed(
  command: string,
  args: string[],
  { env = process.env, cwd }: Pick<Attached, 'env' | 'cwd'> = {},
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env, cwd });
    let output = '';
    const keep = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      output += chunk.toString();
      relay(chunk, stream);
    };
    child.stdout.on('data', keep('stdout'));
    child.stderr.on('data', keep('stderr'));
    child.on('error', () => resolve({ code: 127, output }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

export interface Background {
  /** The exit code once it has ended; null while it runs. */
  exitCode(): number | null;
  stop(): void;
}

/** A server for the length of a run (its stderr shows); the caller stops it. */
export function background(
  command: string,
  args: string[],
  { env = process.env }: Pick<Attached, 'env'> = {},
): Background {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env });
  let ended: number | null = null;
  child.on('error', () => (ended = 127));
  child.on('exit', (code) => (ended = code ?? 1));
  return { exitCode: () => ended, stop: () => void child.kill() };
}
