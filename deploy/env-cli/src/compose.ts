/**
 * The env CLI's Compose layer, over the `docker-compose` npm package, and its plain `docker` calls.
 * Every Compose call names its project; calls that start something also name exactly one file and one
 * env file. A Compose is made once per CLI run, for one repository (the context's).
 */
import * as compose from 'docker-compose';
import type { IDockerComposeOptions, IDockerComposeResult } from 'docker-compose';
import { KAFKA_TOOL_ENV } from '@chorus/image-rules';
import { relay } from './output.ts';
import { sleep } from '@chorus/wait';
import { type Finished, attached, capture, creatingStopped, finished } from './processes.ts';

/** A Compose project, with its file and env file when the call needs them (`up`, `run`), or by name alone. */
export interface ComposeTarget {
  project: string;
  file?: string;
  envFile?: string;
  /** Extra variables for the file's interpolation. */
  vars?: Record<string, string>;
}

export interface ServiceState {
  /** The container's name: <project>-<service>-<replica>. */
  Name: string;
  Service: string;
  Image: string;
  State: string;
  Health: string;
  ExitCode: number;
  CreatedAt?: string;
  Publishers: { URL: string; TargetPort: number; PublishedPort: number }[] | null;
}

/**
 * Only what Docker itself needs: the host's other variables must not leak into the Compose file's
 * interpolation, which would otherwise prefer them to the environment's own file.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const keep = [
    'PATH',
    'HOME',
    'DOCKER_HOST',
    'DOCKER_CONFIG',
    'DOCKER_CONTEXT',
    'DOCKER_CERT_PATH',
    'DOCKER_TLS_VERIFY',
    'XDG_RUNTIME_DIR',
  ];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

/** Plain docker CLI calls: engine info, images, volumes, and containers by label. */
export const docker = (args: string[]): Finished => capture('docker', args, { env: cleanEnv() });

/** SIGKILLs one container (one replica of a service), as a crash would; startContainer starts it again. */
export const killContainer = (name: string) => docker(['kill', '-s', 'KILL', name]);
export const startContainer = (name: string) => docker(['start', name]);

/** One container of a Compose project, as its labels name it. */
export interface ProjectContainer {
  /** Docker's id: a container recreated under the same name has a new one. */
  id: string;
  name: string;
  service: string;
  /** Its replica number: <project>-<service>-<number>. */
  number: number;
  /** The hash of the service's configuration it was made from: `docker compose config --hash` of that service. */
  configHash: string;
  running: boolean;
}

/** A project's containers (stopped ones too), of one service or all. */
export function projectContainers(project: string, service?: string): ProjectContainer[] {
  const filters = ['--filter', `label=com.docker.compose.project=${project}`];
  if (service) filters.push('--filter', `label=com.docker.compose.service=${service}`);
  const format = [
    '{{.ID}}',
    '{{.Names}}',
    '{{.Label "com.docker.compose.service"}}',
    '{{.Label "com.docker.compose.container-number"}}',
    '{{.Label "com.docker.compose.config-hash"}}',
    '{{.State}}',
  ].join('\t');
  return docker(['ps', '-a', ...filters, '--format', format])
    .out.split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', name = '', svc = '', number = '0', configHash = '', state = ''] = line.split('\t');
      return { id, name, service: svc, number: Number(number), configHash, running: state === 'running' };
    });
}

/** Compose projects that exist (any container, running or not), by name. */
export function projects(): string[] {
  const out = docker(['ps', '-a', '--format', '{{.Label "com.docker.compose.project"}}']).out;
  return [...new Set(out.split('\n').filter(Boolean))];
}

function globalArgs(t: ComposeTarget): string[] {
  return [
    '--ansi',
    'never',
    '-p',
    t.project,
    ...(t.envFile ? ['--env-file', t.envFile] : []),
    ...(t.file ? ['-f', t.file] : []),
  ];
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

export class Compose {
  /** `root`: the repository, where the files named in targets are. */
  constructor(private readonly root: string) {}

  private options(t: ComposeTarget, { stream = true } = {}): IDockerComposeOptions {
    return {
      cwd: this.root,
      composeOptions: globalArgs(t),
      env: { ...cleanEnv(), ...t.vars },
      // Stream what Compose prints as it comes; keep no copy of long output.
      ...(stream
        ? {
            callback: (chunk: Buffer, source?: string) => relay(chunk, source === 'stderr' ? 'stderr' : 'stdout'),
            maxOutputLength: 64 * 1024,
          }
        : {}),
    };
  }

  /**
   * Brings a project up (or only `services`, with what they wait on) and waits until healthy; refused (130) once
   * the run is being stopped.
   */
  up = async (t: ComposeTarget, services?: string[]) => {
    if (creatingStopped()) return 130;
    const options = { ...this.options(t), commandOptions: ['--detach', '--wait', '--remove-orphans'] };
    return code(await settle(services ? compose.upMany(services, options) : compose.upAll(options)));
  };

  /** Runs a one-off service (the tester) and resolves to its exit code. */
  runOnce = async (t: ComposeTarget, service: string) =>
    creatingStopped()
      ? 130
      : code(await settle(compose.run(service, [], { ...this.options(t), commandOptions: ['--rm', '--no-deps'] })));

  /**
   * Runs a one-shot service alone to its end and resolves to its exit code. Its container is kept, unlike
   * runOnce's, so that a service started after it can take its volumes (`volumes_from`).
   */
  complete = async (t: ComposeTarget, service: string) =>
    creatingStopped()
      ? 130
      : code(
          await settle(
            compose.upOne(service, {
              ...this.options(t, { stream: false }),
              commandOptions: ['--no-deps', '--exit-code-from', service],
            }),
          ),
        );

  /**
   * The containers `up` would recreate, as Compose itself decides (`--dry-run`: a changed configuration, or a
   * container whose volumes it takes being recreated); by name. Undefined when the dry run fails. `create`, not
   * `up`: a dry `up` waits for a new one-shot to complete, which a dry run never does (it hung for good).
   */
  async wouldRecreate(t: ComposeTarget): Promise<string[] | undefined> {
    const r = await finished('docker', ['compose', ...globalArgs(t), '--dry-run', 'create', '--remove-orphans'], {
      cwd: this.root,
      env: { ...cleanEnv(), ...t.vars },
    });
    if (!r.ok) return undefined;
    return [...`${r.out}\n${r.err}`.matchAll(/Container (\S+)\s+Recreate$/gm)].map((m) => m[1]!);
  }

  /**
   * Adds replicas made from the target's configuration beside those running (`--no-recreate`: the running ones
   * stay as they are), `count` of each service, and waits until all are healthy. What the services wait on runs
   * first, as in `up`.
   */
  addReplicas = async (t: ComposeTarget, count: Map<string, number>) =>
    code(
      await settle(
        compose.upMany([...count.keys()], {
          ...this.options(t),
          commandOptions: [
            '--detach',
            '--wait',
            '--no-recreate',
            ...[...count].flatMap(([service, n]) => ['--scale', `${service}=${n}`]),
          ],
        }),
      ),
    );

  /** Removes the containers of stopped services (one-shots that have run), so that the next `up` makes them anew. */
  removeStopped = async (t: ComposeTarget, services: string[]) =>
    services.length === 0
      ? 0
      : code(
          await settle(compose.rm({ ...this.options(t, { stream: false }), commandOptions: ['--stop'] }, ...services)),
        );

  /**
   * Runs a one-off service with a command, streaming its stderr (progress) and resolving to its exit code
   * and stdout (results).
   */
  async runCapture(
    t: ComposeTarget,
    service: string,
    command: string[],
    { env, entrypoint, user }: { env?: Record<string, string>; entrypoint?: string; user?: string } = {},
  ): Promise<{ code: number; out: string }> {
    // As execResult: `env` by name, its values through Compose's own environment.
    const byName = Object.keys(env ?? {}).flatMap((name) => ['-e', name]);
    const as = [...(entrypoint ? ['--entrypoint', entrypoint] : []), ...(user ? ['--user', user] : [])];
    const result = await settle(
      compose.run(service, command, {
        ...this.options({ ...t, vars: { ...t.vars, ...env } }, { stream: false }),
        callback: (chunk: Buffer, source?: string) => void (source === 'stderr' && relay(chunk, 'stderr')),
        commandOptions: ['--rm', '--no-deps', ...as, ...byName],
      }),
    );
    return { code: code(result), out: result.out };
  }

  /** SIGKILLs a service's container, as a crash would; its restart policy does not act on a kill. */
  killService = async (project: string, service: string) =>
    code(
      await settle(
        compose.kill({ ...this.options({ project }, { stream: false }), commandOptions: [['-s', 'SIGKILL'], service] }),
      ),
    );

  /** Brings one service of the target up alone (not what it depends on) and waits until it is healthy. */
  upService = async (t: ComposeTarget, service: string) =>
    code(
      await settle(
        compose.upOne(service, {
          ...this.options(t, { stream: false }),
          commandOptions: ['--detach', '--wait', '--no-deps'],
        }),
      ),
    );

  /** Starts a stopped service's container again, as it was. */
  startService = async (project: string, service: string) =>
    code(await settle(compose.execCompose('start', [service], this.options({ project }, { stream: false }))));

  /** Freezes one service's processes (SIGSTOP, as a hung server would be), and thaws them. */
  pauseService = async (project: string, service: string) =>
    code(await settle(compose.pauseOne(service, this.options({ project }, { stream: false }))));
  unpauseService = async (project: string, service: string) =>
    code(await settle(compose.unpauseOne(service, this.options({ project }, { stream: false }))));

  /** Stops one service's container, keeping it (startService starts it again). */
  stopService = async (project: string, service: string) =>
    code(await settle(compose.stopOne(service, this.options({ project }, { stream: false }))));

  /** Stops a project by name; `volumes` deletes its volumes too. Works without the file or the env file. */
  down = async (project: string, { volumes = false } = {}) =>
    code(
      await settle(
        compose.down({
          ...this.options({ project }),
          commandOptions: [...(volumes ? ['--volumes'] : []), '--remove-orphans', ['--timeout', '5']],
        }),
      ),
    );

  logs = async (
    project: string,
    { follow = false, tail = 100, service }: { follow?: boolean; tail?: number; service?: string } = {},
  ) =>
    code(
      await settle(
        compose.logs(service ? [service] : [], {
          ...this.options({ project }),
          follow,
          commandOptions: ['--no-log-prefix', ['--tail', String(tail)]],
        }),
      ),
    );

  /** The services of a project as Docker sees them, stopped ones included; needs no file. */
  async services(project: string): Promise<ServiceState[]> {
    const result = await settle(
      compose.ps({ ...this.options({ project }, { stream: false }), commandOptions: ['--all', ['--format', 'json']] }),
    );
    const text = result.out.trim();
    if (result.exitCode !== 0 || !text) return [];
    // Compose prints one JSON object a line (or, in older versions, one array).
    return text.startsWith('[')
      ? (JSON.parse(text) as ServiceState[])
      : text.split('\n').map((l) => JSON.parse(l) as ServiceState);
  }

  /**
   * Runs a command in a project's running service; resolves to its exit code, output and errors. `env` is
   * passed by name (`-e NAME`), its values through Compose's own environment: never on a command line.
   */
  async execResult(
    project: string,
    service: string,
    command: string[],
    { env, replica }: { env?: Record<string, string>; replica?: number } = {},
  ): Promise<{ code: number; out: string; err: string }> {
    const byName = Object.keys(env ?? {}).map((name) => ['-e', name]);
    const commandOptions = [...byName, ...(replica ? [['--index', String(replica)]] : [])];
    const result = await settle(
      compose.exec(service, command, { ...this.options({ project, vars: env }, { stream: false }), commandOptions }),
    );
    return { code: code(result), out: result.out.trim(), err: result.err.trim() };
  }

  /**
   * As execResult, with `input` on the command's stdin (a program for `node -`). The package cannot write
   * to an exec's stdin, so this call is made without it.
   */
  async execWithInput(
    project: string,
    service: string,
    command: string[],
    { env, input }: { env?: Record<string, string>; input: string },
  ): Promise<{ code: number; out: string; err: string }> {
    const byName = Object.keys(env ?? {}).flatMap((name) => ['-e', name]);
    const r = await finished(
      'docker',
      ['compose', ...globalArgs({ project }), 'exec', '-T', ...byName, service, ...command],
      {
        cwd: this.root,
        env: { ...cleanEnv(), ...env },
        input,
      },
    );
    return { code: r.ok ? 0 : 1, out: r.out, err: r.err };
  }

  /** Runs a command in a project's running service; resolves to its output, or undefined when it failed. */
  async execIn(project: string, service: string, command: string[], replica?: number): Promise<string | undefined> {
    const result = await this.execResult(project, service, command, { replica });
    return result.code === 0 ? result.out : undefined;
  }

  /** GET of a URL from inside a project's running service (its wget, 5 s), for a port not published; undefined when it fails. */
  httpGetIn = (project: string, service: string, url: string) =>
    this.execIn(project, service, ['wget', '-q', '-T', '5', '-O', '-', url]);

  /** Runs a shell script of Kafka's tools in a project's broker container (without the broker's JVM agent). */
  kafkaTool = (project: string, script: string) =>
    this.execResult(project, 'kafka', [...KAFKA_TOOL_ENV, 'sh', '-c', script]);

  /**
   * Runs one SQL statement in a project's Postgres as `role`, over the container's local socket (trusted
   * there), in the environment's database; unaligned, tuples only. The SQL travels as an argument, never
   * through the shell's quoting.
   */
  psql = (project: string, role: string, sql: string) =>
    this.execResult(project, 'postgres', [
      'sh',
      '-c',
      `exec psql -v ON_ERROR_STOP=1 -tA -U "$1" -d "$POSTGRES_DB" -c "$2"`,
      'psql',
      role,
      sql,
    ]);

  /**
   * Tears a project down in its own process group, so the Ctrl-C that stops a run cannot interrupt its
   * cleanup. The one call made without the package: it cannot start a detached process group.
   */
  async downShielded(project: string): Promise<number> {
    let exit = 1;
    // Once more while containers of it remain: a bring-up stopped by the same Ctrl-C may still be making some.
    for (let round = 0; round < 10; round++) {
      if (round > 0) await sleep(2000);
      exit = await attached(
        'docker',
        ['compose', ...globalArgs({ project }), 'down', '--volumes', '--remove-orphans', '--timeout', '5'],
        { cwd: this.root, env: cleanEnv(), detached: true },
      );
      if (!docker(['ps', '--all', '--quiet', '--filter', `label=com.docker.compose.project=${project}`]).out) break;
    }
    return exit;
  }
}
