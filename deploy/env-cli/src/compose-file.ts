/** A Compose file as the env CLI reads it, and what it publishes, mounts and joins. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Environment } from './environments.ts';

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
  volumes?: (string | { type?: string; source?: string })[];
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
  return parse(readFileSync(join(root, e.file), 'utf8'), { merge: true }) as ComposeFile;
}

/** The host port of one `ports:` entry: "5001:3000", "127.0.0.1:5001:3000" or the long form. */
export function publishedPort(entry: string | { published?: string | number }): number | undefined {
  const published = typeof entry === 'string' ? entry.split(':').slice(-2, -1)[0] : entry.published;
  const port = Number(published);
  return published === undefined || published === '' || Number.isNaN(port) ? undefined : port;
}

export function hostPorts(file: ComposeFile): number[] {
  return Object.values(file.services).flatMap((s) => (s.ports ?? []).map(publishedPort).filter((p): p is number => p !== undefined));
}

/** Named volumes as Docker will name them: `<project>_<volume>` unless the file gives a name. */
export function namedVolumes(file: ComposeFile): string[] {
  return Object.entries(file.volumes ?? {}).map(([key, v]) => v?.name ?? `${file.name}_${key}`);
}

export function networkNames(file: ComposeFile): string[] {
  const declared = Object.entries(file.networks ?? {}).map(([key, n]) => n?.name ?? `${file.name}_${key}`);
  return declared.length > 0 ? declared : [`${file.name}_default`];
}
