/**
 * The pull path, for real, with no outside registry: a distribution registry on 127.0.0.1 serves every
 * third-party image (this host's look-alikes, pushed under mirror references of the upstream names), and
 * a test run with CHORUS_IMAGES=auto (`make test-env`: a Compose project of its own, so prod and dev are
 * never touched and need not be absent) must pull each one, build none, and pass its journey. Then the
 * pulled images themselves must hold the pinned releases. It removes the pulled references and the registry.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperatorError } from '@chorus/errors';
import { freePort } from '@chorus/testing/ports';
import { parseReference, thirdPartyImages } from '@chorus/versions';
import { Deadline, done, notYet, poll } from '@chorus/wait';
import { docker } from 'env-cli/compose.ts';
import type { Context } from 'env-cli/context.ts';
import { type Background, background, reporting, teed } from 'env-cli/processes.ts';
import { type Checklist, checklist } from '../acceptance/checklist.ts';

function waitForRegistry(address: string, registry: Background): Promise<void> {
  return poll(
    async () => {
      if (registry.exitCode() !== null) throw new OperatorError(`the registry on ${address} exited`);
      const up = await fetch(`http://${address}/v2/`).then(
        (r) => r.ok,
        () => false,
      );
      return up ? done(undefined) : notYet('no answer');
    },
    { what: `the registry on ${address}`, deadline: new Deadline(10_000), initialMs: 100, maxMs: 100 },
  );
}

export const pullCheck = (ctx: Context): Promise<number> => checklist('pull-check', (list) => main(ctx, list));

async function main(ctx: Context, { say, check }: Checklist): Promise<number | void> {
  const { root } = ctx;
  const versions = ctx.versions();
  const images = thirdPartyImages(versions);
  const missing = images.filter((i) => !docker(['image', 'inspect', i.local]).ok);
  if (missing.length > 0) {
    say(
      `the look-alikes to serve are not built: ${missing.map((i) => i.local).join(', ')}; run \`CHORUS_IMAGES=local make images\` first`,
    );
    return 1;
  }

  const binary = await reporting('bash', [join(root, 'infrastructure/registry/install.sh')]);
  if (binary.code !== 0) return 1;
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const storage = mkdtempSync(join(tmpdir(), 'chorus-registry-'));
  const config = join(storage, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${storage}/data\nhttp:\n  addr: ${address}\n`,
  );
  // Registry 3 exports traces to localhost:4318 unless told not to; nothing listens there.
  const registry = background(binary.out.trim(), ['serve', config], {
    env: { ...ctx.env, OTEL_TRACES_EXPORTER: 'none' },
  });
  // Mirror references: the upstream path and tag, on the local registry.
  const mirror = new Map(
    images.map((i) => {
      const r = parseReference(i.upstream);
      return [i.key, `${address}/${r.path}:${r.tag}`];
    }),
  );

  try {
    await waitForRegistry(address, registry);
    say(`registry ${address} up; pushing ${images.length} images under mirror references`);
    for (const image of images) {
      const ref = mirror.get(image.key)!;
      if (!docker(['tag', image.local, ref]).ok || !docker(['push', '--quiet', ref]).ok)
        throw new OperatorError(`pushing ${ref} failed`);
      docker(['image', 'rm', ref]); // so that run-dev finds it absent and must pull it
      check(!docker(['image', 'inspect', ref]).ok, `${ref} is served by the registry and absent locally`);
    }

    const env = { ...ctx.env, CHORUS_IMAGES: 'auto', ...Object.fromEntries(mirror) };
    say('make test-env, CHORUS_IMAGES=auto, images pointed at the registry');
    const started = Date.now();
    const run = await teed('make', ['test-env'], { env, cwd: root });
    say(`make test-env exited ${run.code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    check(run.code === 0, 'a test run on the pulled images passed its journey');
    for (const [key, ref] of mirror) check(run.output.includes(`env: pulled ${ref} `), `${key}: pulled ${ref}`);
    check(!/^images: /m.test(run.output), 'no third-party image was built (no `images:` line from the offline build)');
    // The releases the platform pins, as the pulled images hold them.
    const inImage = (ref: string, script: string) =>
      docker(['run', '--rm', '--entrypoint', 'bash', ref, '-c', script]).out;
    const node = inImage(mirror.get('NODE_IMAGE')!, 'node --version');
    check(node === `v${versions.NODE_VERSION}`, `the Node image runs Node ${node || '(no answer)'}`);
    const kafka = inImage(
      mirror.get('KAFKA_IMAGE')!,
      '/opt/kafka/bin/kafka-topics.sh --version 2>/dev/null | head -n1',
    );
    check(kafka.startsWith(versions.KAFKA_VERSION), `the Kafka image runs Kafka ${kafka || '(no answer)'}`);
    const postgres = inImage(mirror.get('POSTGRES_IMAGE')!, 'postgres --version');
    check(
      new RegExp(`\\) ${versions.POSTGRES_MAJOR}\\.`).test(postgres),
      `the Postgres image runs ${postgres || '(no answer)'}`,
    );
    const valkey = inImage(mirror.get('REDIS_IMAGE')!, 'valkey-server --version');
    check(valkey.includes(` v=${versions.VALKEY_MINOR}.`), `the redis service's image runs ${valkey || '(no answer)'}`);
    for (const key of ['POSTGRES_IMAGE', 'REDIS_IMAGE', 'NODE_IMAGE'] as const) {
      const release = inImage(mirror.get(key)!, '. /etc/os-release && echo "$VERSION_CODENAME"');
      check(release === versions.DEBIAN_SUITE, `${key} stands on Debian ${release || '(unknown)'}`);
    }
    const jar = (name: string) => `find / -xdev -name '${name}-*.jar' 2>/dev/null | head -n1 | xargs -r basename`;
    const clients = inImage(mirror.get('CONNECT_IMAGE')!, jar('kafka-clients'));
    check(
      clients === `kafka-clients-${versions.CONNECT_KAFKA_VERSION}.jar`,
      `the Connect image runs Kafka ${clients || '(no kafka-clients jar)'}`,
    );
    const debezium = inImage(mirror.get('CONNECT_IMAGE')!, jar('debezium-connector-postgres'));
    check(
      debezium === `debezium-connector-postgres-${versions.DEBEZIUM_VERSION}.jar`,
      `the Connect image's PostgreSQL connector is ${debezium || '(none)'}`,
    );
  } finally {
    for (const ref of mirror.values()) docker(['image', 'rm', ref]);
    registry.stop();
    rmSync(storage, { recursive: true, force: true });
  }
}
