/**
 * A static check of the three Compose files: what two environments must never share, and what each
 * environment must or must not do. Pure: it reads parsed files, so it runs without Docker.
 */
import type { EnvName } from './environments.ts';

export interface ComposeFile {
  name: string;
  services: Record<string, Service>;
  volumes?: Record<string, { name?: string } | null>;
  networks?: Record<string, { name?: string } | null>;
}

interface Service {
  image?: string;
  ports?: (string | { published?: string | number })[];
  volumes?: (string | { type?: string; source?: string })[];
  environment?: Record<string, string | number>;
  healthcheck?: unknown;
  depends_on?: Record<string, { condition?: string }>;
  profiles?: string[];
  container_name?: string;
}

/** What CDC names an environment uses: its setup-connector's slot, publication and topic prefix. */
export type CdcNames = { slot: string; publication: string; topicPrefix: string };

export function hostPorts(file: ComposeFile): number[] {
  return Object.values(file.services).flatMap((s) =>
    (s.ports ?? []).map((p) => Number(typeof p === 'string' ? p.split(':').slice(-2, -1)[0] : p.published)).filter((n) => !Number.isNaN(n)),
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

const bindMounts = (s: Service) =>
  (s.volumes ?? []).filter((v) => (typeof v === 'string' ? /^[./~]/.test(v.split(':')[0] ?? '') : v.type === 'bind'));

/** Services that run once and exit: dependencies with service_completed_successfully, or tools behind a profile. */
function oneShots(file: ComposeFile): Set<string> {
  const names = new Set<string>();
  for (const [name, s] of Object.entries(file.services)) {
    if (s.profiles?.length) names.add(name);
    for (const [dep, d] of Object.entries(s.depends_on ?? {})) if (d?.condition === 'service_completed_successfully') names.add(dep);
  }
  return names;
}

export function isolationProblems(files: Record<EnvName, ComposeFile>, cdc: Record<EnvName, CdcNames>): string[] {
  const problems: string[] = [];
  const envs = Object.keys(files) as EnvName[];

  const shared = (what: string, of: (e: EnvName) => string[]) => {
    const owner = new Map<string, EnvName>();
    for (const e of envs) {
      for (const value of new Set(of(e))) {
        const other = owner.get(value);
        if (other) problems.push(`${other} and ${e} share the ${what} ${value}`);
        else owner.set(value, e);
      }
    }
  };
  shared('host port', (e) => hostPorts(files[e]).map(String));
  shared('named volume', (e) => namedVolumes(files[e]));
  shared('network', (e) => networkNames(files[e]));
  shared('project name', (e) => [files[e].name]);
  shared('replication slot', (e) => [cdc[e].slot]);
  shared('publication', (e) => [cdc[e].publication]);
  shared('topic prefix', (e) => [cdc[e].topicPrefix]);

  for (const e of envs) {
    const file = files[e];
    if (file.name !== `chorus-${e}`) problems.push(`${e}: the project name is ${file.name}, not chorus-${e}`);
    const once = oneShots(file);
    for (const [name, s] of Object.entries(file.services)) {
      if (s.container_name) problems.push(`${e}: ${name} sets container_name, which breaks running environments side by side`);
      if (!once.has(name) && !s.healthcheck) problems.push(`${e}: long-running service ${name} has no healthcheck`);
      if (e === 'prod' && bindMounts(s).length > 0) problems.push(`prod: ${name} mounts source from the host`);
      if (e === 'test' && (s.ports ?? []).length > 0) problems.push(`test: ${name} publishes a port`);
      if (e === 'test' && (s.volumes ?? []).some((v) => typeof v === 'string' && /^[A-Za-z0-9][\w.-]*:/.test(v))) {
        problems.push(`test: ${name} uses a named volume`);
      }
    }
    if (e === 'test' && Object.keys(file.volumes ?? {}).length > 0) problems.push('test: declares named volumes');
  }
  return problems;
}
