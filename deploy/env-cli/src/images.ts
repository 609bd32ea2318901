/**
 * Which image each third-party service runs, in this order: one already here with the expected
 * identity, else one pulled from its registry, else the offline look-alike built here, else an error
 * that names the fix. CHORUS_IMAGES forces a path: `pull` (registry only) or `local` (look-alikes only).
 */
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { z } from 'zod';
import { OperatorError } from '@chorus/errors';
import {
  IMAGE_KEYS,
  type ImageKey,
  LEGACY_LABEL,
  LOOKALIKE_LABEL,
  type ThirdPartyImage,
  type Versions,
  mirrors,
  parseReference,
  registryHost,
  thirdPartyImages,
} from '@chorus/versions';
import { docker } from './compose.ts';
import type { Context } from './context.ts';
import { say, seconds } from './output.ts';
import { attached } from './processes.ts';

export const IMAGE_MODES = ['auto', 'pull', 'local'] as const;
export type ImageMode = (typeof IMAGE_MODES)[number];

/** How long one registry may take to answer before the whole lot is judged unreachable. */
export const REGISTRY_PROBE_MS = 5_000;
/** A pull that has not finished in this time has stalled. */
export const PULL_TIMEOUT_MS = 15 * 60_000;

/** No image could be had for some service; the message says what was tried and the fix. */
export class ImagesUnavailableError extends OperatorError {}

export interface ResolvedImage {
  key: ImageKey;
  ref: string;
  how: 'present' | 'pulled' | 'look-alike';
}

export function imageMode(value: string | undefined): ImageMode {
  const parsed = z.enum(IMAGE_MODES).safeParse(value || 'auto');
  if (!parsed.success) {
    throw new OperatorError(`CHORUS_IMAGES=${value} is not a choice: use auto (the default), pull or local`, {
      exitCode: 2,
    });
  }
  return parsed.data;
}

interface Inspected {
  labels: Record<string, string>;
}

function inspect(ref: string): Inspected | undefined {
  const r = docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', ref]);
  if (!r.ok) return undefined;
  return { labels: (JSON.parse(r.out || 'null') as Record<string, string> | null) ?? {} };
}

/** A CHORUS build: an offline look-alike, or an older release's image with its build label. */
const isChorusBuild = (found: Inspected) => LEGACY_LABEL in found.labels || LOOKALIKE_LABEL in found.labels;

/**
 * An image under an upstream name that an older CHORUS build made: it shadows the real one. Its tag is
 * removed so that the real image can be pulled. While a container still runs it the tag stays, and the
 * caller moves that service onto the resolved image; the tag goes after that start (dropLegacyImpostors).
 */
function dropImpostor(ref: string): void {
  const found = inspect(ref);
  if (!found || !isChorusBuild(found)) return;
  const removed = docker(['image', 'rm', ref]);
  say(
    removed.ok
      ? `${ref} on this machine was a CHORUS look-alike under the upstream name; its tag is removed`
      : `${ref} on this machine is a CHORUS look-alike under the upstream name, still run by a container: this start moves that service off it, and then removes the tag`,
  );
}

/** The image under `ref` is the upstream one: here, and not a CHORUS build under its name. */
function genuine(ref: string): boolean {
  const found = inspect(ref);
  return found !== undefined && !isChorusBuild(found);
}

/** One registry's answer to GET /v2/: undefined when it answered (any HTTP status), else why not. */
function probe(host: string, timeoutMs: number): Promise<string | undefined> {
  // Docker itself talks plain HTTP to a registry on the loopback address.
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);
  const url = `${loopback ? 'http' : 'https'}://${host}/v2/`;
  return new Promise((resolve) => {
    // node:http, not fetch: fetch refuses some ports (6000, 6666, …) that a registry may use.
    const request = (loopback ? httpGet : httpsGet)(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(undefined);
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'TIMEOUT' ? `no answer in ${timeoutMs / 1000} s` : (error.code ?? error.message)),
    );
  });
}

/**
 * Old CHORUS look-alikes that an earlier build tagged with upstream names (any version): their tags are
 * removed, so that no upstream name on this machine means a CHORUS build.
 */
export function dropLegacyImpostors(): void {
  const tagged = docker([
    'image',
    'ls',
    '--filter',
    `label=${LEGACY_LABEL}`,
    '--format',
    '{{.Repository}}:{{.Tag}}',
  ]).out;
  for (const ref of tagged.split('\n').filter((r) => r && !r.startsWith('chorus') && !r.includes('<none>')))
    dropImpostor(ref);
}

/** Each registry's answer to GET /v2/ (any HTTP status means it is there), all at once, bounded. */
export async function probeRegistries(
  hosts: string[],
  timeoutMs = REGISTRY_PROBE_MS,
): Promise<Map<string, string | undefined>> {
  return new Map(await Promise.all(hosts.map(async (host) => [host, await probe(host, timeoutMs)] as const)));
}

const lookalikeOk = (image: ThirdPartyImage) => inspect(image.local)?.labels[LOOKALIKE_LABEL] === image.upstream;

/**
 * Resolves every third-party image to a reference that is on this machine, pulling or building as the
 * mode allows. `wanted` may point an image at a mirror; the look-alike stands in only for the pinned
 * upstream image or a mirror of it.
 */
export async function resolveImages(
  ctx: Pick<Context, 'root' | 'env' | 'versions'>,
  { mode = imageMode(ctx.env.CHORUS_IMAGES), wanted = {} as Partial<Record<ImageKey, string>> } = {},
): Promise<ResolvedImage[]> {
  const versions = ctx.versions();
  const images = thirdPartyImages(localNames(versions, ctx.env));
  const resolved = new Map<ImageKey, ResolvedImage>();
  const refOf = (i: ThirdPartyImage) => wanted[i.key] ?? i.upstream;
  const problems = new Map<ImageKey, string[]>();
  const note = (i: ThirdPartyImage, what: string) => problems.set(i.key, [...(problems.get(i.key) ?? []), what]);

  dropLegacyImpostors();
  if (mode !== 'local') {
    for (const image of images) {
      dropImpostor(refOf(image));
      if (mode === 'auto' && genuine(refOf(image)))
        resolved.set(image.key, { key: image.key, ref: refOf(image), how: 'present' });
    }
    const missing = images.filter((i) => !resolved.has(i.key));
    const hosts = [...new Set(missing.map((i) => registryHost(parseReference(refOf(i)))))];
    const started = Date.now();
    const unreachable = hosts.length > 0 ? await probeRegistries(hosts) : new Map<string, string | undefined>();
    const down = [...unreachable].filter(([, reason]) => reason);
    if (down.length > 0)
      say(
        `registries not answering (${seconds(Date.now() - started)}): ${down.map(([h, r]) => `${h} (${r})`).join(', ')}`,
      );
    for (const image of missing) {
      const ref = refOf(image);
      const reason = unreachable.get(registryHost(parseReference(ref)));
      if (reason) {
        note(image, `pulling ${ref}: ${registryHost(parseReference(ref))} did not answer (${reason})`);
        continue;
      }
      say(`pulling ${ref}`);
      const pullStarted = Date.now();
      const code = await attached('docker', ['pull', '--quiet', ref], { env: ctx.env, timeoutMs: PULL_TIMEOUT_MS });
      if (code === 0 && inspect(ref)) {
        say(`pulled ${ref} in ${seconds(Date.now() - pullStarted)}`);
        resolved.set(image.key, { key: image.key, ref, how: 'pulled' });
      } else {
        note(image, `docker pull ${ref} failed (exit ${code}; its message is above)`);
      }
    }
  }

  if (mode !== 'pull') {
    const standIns = images.filter((i) => !resolved.has(i.key) && mirrors(refOf(i), i.upstream));
    for (const image of images.filter((i) => !resolved.has(i.key) && !standIns.includes(i))) {
      note(
        image,
        `${refOf(image)} is not ${image.upstream} or a mirror of it, so the offline look-alike cannot stand in for it`,
      );
    }
    if (standIns.length > 0) {
      const code = await attached(
        'bash',
        [`${ctx.root}/infrastructure/images/build.sh`, ...standIns.map((i) => i.name)],
        { env: { ...ctx.env, ...localEnv(versions, ctx.env) } },
      );
      for (const image of standIns) {
        if (code === 0 && lookalikeOk(image))
          resolved.set(image.key, { key: image.key, ref: image.local, how: 'look-alike' });
        else note(image, `building the offline look-alike ${image.local} failed (the lines above say why)`);
      }
    }
  }

  const failed = images.filter((i) => !resolved.has(i.key));
  if (failed.length > 0) throw new ImagesUnavailableError(unavailableMessage(mode, failed, problems));
  return images.map((i) => resolved.get(i.key)!);
}

function unavailableMessage(mode: ImageMode, failed: ThirdPartyImage[], problems: Map<ImageKey, string[]>): string {
  const lines = failed.map(
    (i) => `  - ${i.key}: ${(problems.get(i.key) ?? ['no way to get it in this mode']).join('; ')}`,
  );
  const fix =
    mode === 'pull'
      ? 'Fix: reach the registry (check the network, a proxy or `docker login`), or let make build the offline look-alikes (CHORUS_IMAGES=auto or local).'
      : mode === 'local'
        ? 'Fix: run the image step once as root on a Debian host (sudo make images), or let make pull the upstream images from a registry (CHORUS_IMAGES=auto or pull).'
        : 'Fix: reach a registry so that make can pull the images, or run the image step once as root on a Debian host (sudo make images) to build the offline look-alikes.';
  return `no image for ${failed.map((i) => i.name).join(', ')} (CHORUS_IMAGES=${mode}):\n${lines.join('\n')}\n${fix}`;
}

const LOCAL_KEYS = [
  'DEBIAN_LOCAL',
  'POSTGRES_LOCAL',
  'REDIS_LOCAL',
  'KAFKA_LOCAL',
  'CONNECT_LOCAL',
  'NODE_LOCAL',
  'PROMETHEUS_LOCAL',
  'ALERTMANAGER_LOCAL',
  'CADDY_LOCAL',
] as const;

/** The look-alikes' names: versions.env's, or the caller's own from its environment (CI uses other names to test a machine without them). */
export function localNames(versions: Versions, env: NodeJS.ProcessEnv): Versions {
  return { ...versions, ...Object.fromEntries(LOCAL_KEYS.filter((k) => env[k]).map((k) => [k, env[k]!])) };
}

const localEnv = (versions: Versions, env: NodeJS.ProcessEnv) =>
  Object.fromEntries(LOCAL_KEYS.map((k) => [k, localNames(versions, env)[k]]));

/**
 * The references an environment asks for: its env file's *_IMAGE lines, and the caller's environment
 * above them, as Compose itself ranks the two.
 */
export function wantedImages(
  envFile: Record<string, string>,
  env: NodeJS.ProcessEnv,
): Partial<Record<ImageKey, string>> {
  return Object.fromEntries(IMAGE_KEYS.flatMap((k) => ((env[k] ?? envFile[k]) ? [[k, (env[k] ?? envFile[k])!]] : [])));
}

/** The Compose variables that point each service at its resolved image. */
export const imageVars = (resolved: ResolvedImage[]): Record<string, string> =>
  Object.fromEntries(resolved.map((r) => [r.key, r.ref]));

/** Prints where each image came from; `make images` and `make status` show the same words. */
export function describeImages(resolved: ResolvedImage[]): void {
  for (const r of resolved)
    say(`${r.key.padEnd(14)} ${r.ref} (${r.how === 'look-alike' ? 'offline look-alike' : r.how})`);
}
