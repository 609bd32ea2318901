/** A Compose file as the env CLI reads it, and what it publishes, mounts and joins. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { PROXY_NAME } from '@chorus/pki';
import type { Environment } from './environments.ts';

/** The service that takes prod's backups (apps/chorus-backup); dev has none. */
export const BACKUP_SERVICE = 'backup';
/** The service that serves prod's UI over HTTPS (deploy/compose/proxy). */
export const PROXY_SERVICE = PROXY_NAME;

export interface ComposeFile {
  name: string;
  services: Record<string, Service>;
  volumes?: Record<string, { name?: string } | null>;
  networks?: Record<string, { name?: string } | null>;
  [key: `x-${string}`]: unknown;
}

export interface Service {
  image?: string;
  command?: string[] | string;
  ports?: (string | { published?: string | number; host_ip?: string })[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  tmpfs?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: unknown;
  depends_on?: Record<string, { condition?: string }>;
  profiles?: string[];
  restart?: string;
  container_name?: string;
  [key: string]: unknown;
}

/** Reads an environment's file as YAML (anchors and merge keys resolved); variables stay as written. */
export function readComposeFile(root: string, e: Pick<Environment, 'file'>): ComposeFile {
  return parse(readFileSync(resolve(root, e.file), 'utf8'), { merge: true }) as ComposeFile;
}

/** The host port of one `ports:` entry: "5001:3000", "127.0.0.1:5001:3000" or the long form. */
export function publishedPort(entry: string | { published?: string | number }): number | undefined {
  const published = typeof entry === 'string' ? entry.split(':').slice(-2, -1)[0] : entry.published;
  const port = Number(published);
  return published === undefined || published === '' || Number.isNaN(port) ? undefined : port;
}

/** The host address one `ports:` entry binds ("" for every interface, as Docker reads a bare "5001:3000"). */
export function bindAddress(entry: string | { host_ip?: string }): string {
  if (typeof entry !== 'string') return entry.host_ip ?? '';
  const container = entry.lastIndexOf(':');
  const host = entry.lastIndexOf(':', container - 1);
  return host === -1 ? '' : entry.slice(0, host);
}

/** Every published port of a file with the address it binds, as `service address:port`. */
export function bindings(file: ComposeFile): string[] {
  return Object.entries(file.services).flatMap(([name, s]) =>
    (s.ports ?? []).map((p) => `${name} ${bindAddress(p) || '*'}:${publishedPort(p)}`),
  );
}

export function hostPorts(file: ComposeFile): number[] {
  return Object.values(file.services).flatMap((s) =>
    (s.ports ?? []).map(publishedPort).filter((p): p is number => p !== undefined),
  );
}

/** Named volumes as Docker will name them: `<project>_<volume>` unless the file gives a name. */
export function namedVolumes(file: ComposeFile): string[] {
  return Object.entries(file.volumes ?? {}).map(([key, v]) => v?.name ?? `${file.name}_${key}`);
}

export function networkNames(file: ComposeFile): string[] {
  const declared = Object.entries(file.networks ?? {}).map(([key, n]) => n?.name ?? `${file.name}_${key}`);
  return declared.length > 0 ? declared : [`${file.name}_default`];
}

/** The host port a service publishes first, as its file says. */
export const servicePort = (file: ComposeFile, service: string): number | undefined =>
  (file.services[service]?.ports ?? []).map(publishedPort).find((p) => p !== undefined);
