/**
 * What a look-alike really writes: the image is started with a service's environment, and once its start
 * script has handed over to the JVM (PID 1 is the broker or the worker) the configuration file is read back.
 * The container reaches nothing and is removed at once.
 */
import { OperatorError } from '@chorus/errors';
import type { Env } from '@chorus/image-rules';
import { Deadline, done, notYet, poll } from '@chorus/wait';
import { docker } from 'env-cli/compose.ts';

export interface Capture {
  text: string;
  /** PID 1's arguments: the JVM's command line. */
  args: string[];
  /** The container's own address, which Connect's entrypoint writes into the worker file. */
  address: string;
}

/**
 * The JVM's own options: KAFKA_OPTS loads the JMX exporter agent from a volume this check does not mount.
 * They write no configuration file (upstream's rules skip them too), so the container starts without them.
 */
const JVM_OPTIONS = new Set(['KAFKA_OPTS']);

/** `mounts`: host directory to container path, read-only (the SSL case's stores and credentials). */
export async function capture(
  image: string,
  env: Env,
  mainClass: string,
  file: string,
  mounts: Record<string, string> = {},
): Promise<Capture> {
  const name = `chorus-parity-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const settings = Object.entries(env).filter(([k]) => !JVM_OPTIONS.has(k));
  const started = docker([
    'run',
    '-d',
    '--name',
    name,
    '--network',
    'bridge',
    ...settings.flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    ...Object.entries(mounts).flatMap(([from, to]) => ['-v', `${from}:${to}:ro`]),
    image,
  ]);
  if (!started.ok) throw new OperatorError(`starting ${image} failed: ${started.err}`);
  try {
    return await poll(
      async () => {
        const cmdline = docker(['exec', name, 'cat', '/proc/1/cmdline']);
        if (cmdline.ok && cmdline.out.includes(mainClass)) {
          const text = docker(['exec', name, 'cat', file]);
          if (!text.ok) throw new OperatorError(`${image} started ${mainClass} without ${file}`);
          const networks = docker([
            'inspect',
            '--format',
            '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}',
            name,
          ]);
          const args = cmdline.out.split('\0').filter(Boolean);
          return done({ text: text.out, args, address: networks.out.split(' ')[0] ?? '' });
        }
        if (docker(['inspect', '--format', '{{.State.Running}}', name]).out !== 'true') {
          const logs = docker(['logs', '--tail', '20', name]).err;
          throw new OperatorError(`${image} stopped before starting ${mainClass}; it said:\n${logs}`);
        }
        return notYet(`PID 1 is not ${mainClass} yet`);
      },
      { what: `${image} to start ${mainClass}`, deadline: new Deadline(60_000), initialMs: 250, maxMs: 250 },
    );
  } finally {
    docker(['rm', '-f', '-v', name]);
  }
}
