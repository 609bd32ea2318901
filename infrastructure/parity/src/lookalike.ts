/**
 * What a look-alike really writes: the image is started with a service's environment, and once its start
 * script has handed over to the JVM (PID 1 is the broker or the worker) the configuration file is read back.
 * The container reaches nothing and is removed at once.
 */
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Env } from '@chorus/image-rules';

const docker = (...args: string[]) => {
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? '').trim() };
};

export interface Capture {
  text: string;
  /** The container's own address, which Connect's entrypoint writes into the worker file. */
  address: string;
}

/**
 * The JVM's own options: KAFKA_OPTS loads the JMX exporter agent from a volume this check does not mount.
 * They write no configuration file (upstream's rules skip them too), so the container starts without them.
 */
const JVM_OPTIONS = new Set(['KAFKA_OPTS']);

export async function capture(image: string, env: Env, mainClass: string, file: string): Promise<Capture> {
  const name = `chorus-parity-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const settings = Object.entries(env).filter(([k]) => !JVM_OPTIONS.has(k));
  const started = docker(
    'run',
    '-d',
    '--name',
    name,
    '--network',
    'bridge',
    ...settings.flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    image,
  );
  if (!started.ok) throw new Error(`starting ${image} failed: ${started.err}`);
  try {
    for (let i = 0; i < 240; i++) {
      const cmdline = docker('exec', name, 'cat', '/proc/1/cmdline');
      if (cmdline.ok && cmdline.out.includes(mainClass)) {
        const text = docker('exec', name, 'cat', file);
        if (!text.ok) throw new Error(`${image} started ${mainClass} without ${file}`);
        const address =
          docker('inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', name).out.split(
            ' ',
          )[0] ?? '';
        return { text: text.out, address };
      }
      if (docker('inspect', '--format', '{{.State.Running}}', name).out !== 'true') {
        throw new Error(
          `${image} stopped before starting ${mainClass}; it said:\n${docker('logs', '--tail', '20', name).err}`,
        );
      }
      await sleep(250);
    }
    throw new Error(`${image} did not start ${mainClass} within 60 s`);
  } finally {
    docker('rm', '-f', '-v', name);
  }
}
