import type { Versions } from './file.ts';

/** The third-party images the environments run, by the Compose variable that names each. */
export const IMAGE_KEYS = [
  'POSTGRES_IMAGE',
  'REDIS_IMAGE',
  'KAFKA_IMAGE',
  'CONNECT_IMAGE',
  'NODE_IMAGE',
  'PROMETHEUS_IMAGE',
  'ALERTMANAGER_IMAGE',
  'CADDY_IMAGE',
] as const;
export type ImageKey = (typeof IMAGE_KEYS)[number];

export interface ThirdPartyImage {
  key: ImageKey;
  /** What infrastructure/images/build.sh calls its offline build. */
  name: 'postgres' | 'redis' | 'kafka' | 'connect' | 'node' | 'prometheus' | 'alertmanager' | 'caddy';
  /** The upstream reference pinned in versions.env. */
  upstream: string;
  /** The offline look-alike's own local name. */
  local: string;
}

export function thirdPartyImages(v: Versions): ThirdPartyImage[] {
  return [
    { key: 'POSTGRES_IMAGE', name: 'postgres', upstream: v.POSTGRES_IMAGE, local: v.POSTGRES_LOCAL },
    { key: 'REDIS_IMAGE', name: 'redis', upstream: v.REDIS_IMAGE, local: v.REDIS_LOCAL },
    { key: 'KAFKA_IMAGE', name: 'kafka', upstream: v.KAFKA_IMAGE, local: v.KAFKA_LOCAL },
    { key: 'CONNECT_IMAGE', name: 'connect', upstream: v.CONNECT_IMAGE, local: v.CONNECT_LOCAL },
    { key: 'NODE_IMAGE', name: 'node', upstream: v.NODE_IMAGE, local: v.NODE_LOCAL },
    { key: 'PROMETHEUS_IMAGE', name: 'prometheus', upstream: v.PROMETHEUS_IMAGE, local: v.PROMETHEUS_LOCAL },
    {
      key: 'ALERTMANAGER_IMAGE',
      name: 'alertmanager',
      upstream: v.ALERTMANAGER_IMAGE,
      local: v.ALERTMANAGER_LOCAL,
    },
    { key: 'CADDY_IMAGE', name: 'caddy', upstream: v.CADDY_IMAGE, local: v.CADDY_LOCAL },
  ];
}

/** The label every offline look-alike carries: the upstream reference it stands in for. */
export const LOOKALIKE_LABEL = 'org.chorus.lookalike-of';
/** The label on every app image: the Node image it was built on (tools/app-image.sh sets it). */
export const NODE_IMAGE_LABEL = 'org.chorus.node-image';
/** The label an old build put on look-alikes it tagged with upstream names. */
export const LEGACY_LABEL = 'chorus.inputs';

/** A reference split as Docker reads it: registry host, repository path, tag. */
export interface Reference {
  registry: string;
  path: string;
  tag: string;
}

/** Docker's rule: the first part is a registry host if it has a dot or a port, or is localhost. */
export function parseReference(ref: string): Reference {
  const slash = ref.indexOf('/');
  const first = slash === -1 ? '' : ref.slice(0, slash);
  const hasHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasHost ? first : 'docker.io';
  let rest = hasHost ? ref.slice(slash + 1) : ref;
  const colon = rest.lastIndexOf(':');
  const tag = colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : 'latest';
  if (colon > rest.lastIndexOf('/')) rest = rest.slice(0, colon);
  const path = registry === 'docker.io' && !rest.includes('/') ? `library/${rest}` : rest;
  return { registry, path, tag };
}

/** The host that answers a registry's API: Docker Hub's images are served by registry-1.docker.io. */
export const registryHost = (r: Reference) => (r.registry === 'docker.io' ? 'registry-1.docker.io' : r.registry);

/**
 * Whether `ref` names the upstream image or a mirror of it: the same repository path and tag on any
 * registry (docker.io's `library/` optional). Only then may the offline look-alike stand in for it.
 */
export function mirrors(ref: string, upstream: string): boolean {
  const a = parseReference(ref);
  const b = parseReference(upstream);
  const bare = (p: string) => p.replace(/^library\//, '');
  return a.tag === b.tag && (a.path === b.path || bare(a.path) === bare(b.path));
}
