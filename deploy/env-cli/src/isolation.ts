/**
 * A static check of the three Compose files: what two environments must never share, and what each
 * environment must or must not do. Pure: it reads parsed files, so it runs without Docker.
 */
import { CDC_NAME_VARIABLES, type CdcNames, cdcNameOverrides, cdcNames } from '@chorus/cdc-names';
import { type ComposeFile, type Service, hostPorts, namedVolumes, networkNames } from './compose-file.ts';
import type { EnvName } from './environments.ts';

/** The services that read the CDC names: each must pass every override on from the env file. */
export const CDC_NAME_READERS = ['migrate', 'setup-connector', 'chorus-stream-processor', 'backup'] as const;

/** Readers that do not pass an override on as `${VARIABLE:-}`, as `service: VARIABLE`. */
function overridesDropped(file: ComposeFile): string[] {
  return CDC_NAME_READERS.filter((name) => file.services[name]).flatMap((name) => {
    const declared = file.services[name]!.environment ?? {};
    return Object.values(CDC_NAME_VARIABLES)
      .filter((variable) => declared[variable] !== `\${${variable}:-}`)
      .map((variable) => `${name}: ${variable}`);
  });
}

/** Host paths mounted in; a lone container path (`- /jmx`) is an anonymous volume, not one of them. */
const bindMounts = (s: Service) =>
  (s.volumes ?? []).filter((v) =>
    typeof v === 'string' ? v.includes(':') && /^[./~]/.test(v.split(':')[0] ?? '') : v.type === 'bind',
  );

/** A lone container path (`- /jmx`): a volume with no name, which a stop (down, keeping volumes) orphans. */
const anonymousVolumes = (s: Service) =>
  (s.volumes ?? []).filter((v) => (typeof v === 'string' ? !v.includes(':') : v.type === 'volume' && !v.source));

/** Paths the app images declare as VOLUME: a container of them without a mount there gets an anonymous volume. */
const IMAGE_VOLUMES: Record<string, string[]> = { 'chorus/monitoring': ['/prometheus'] };

/** Services that run once and exit: dependencies with service_completed_successfully, or tools behind a profile. */
function oneShots(file: ComposeFile): Set<string> {
  const names = new Set<string>();
  for (const [name, s] of Object.entries(file.services)) {
    if (s.profiles?.length) names.add(name);
    for (const [dep, d] of Object.entries(s.depends_on ?? {}))
      if (d?.condition === 'service_completed_successfully') names.add(dep);
  }
  return names;
}

/**
 * `envFiles`: each environment's file as far as it is known (prod's is made on its first start), for the
 * CDC names it overrides.
 */
export function isolationProblems(
  files: Record<EnvName, ComposeFile>,
  envFiles: Partial<Record<EnvName, Record<string, string>>> = {},
): string[] {
  const problems: string[] = [];
  const envs = Object.keys(files) as EnvName[];
  const cdc = Object.fromEntries(envs.map((e) => [e, cdcNames(e, cdcNameOverrides(envFiles[e] ?? {}))])) as Record<
    EnvName,
    CdcNames
  >;

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
    for (const dropped of overridesDropped(file))
      problems.push(`${e}: ${dropped} is not passed on from the env file (add <<: *cdc-names to its environment)`);
    if (file.name !== `chorus-${e}`) problems.push(`${e}: the project name is ${file.name}, not chorus-${e}`);
    const once = oneShots(file);
    for (const [name, s] of Object.entries(file.services)) {
      if (s.container_name)
        problems.push(`${e}: ${name} sets container_name, which breaks running environments side by side`);
      if (!once.has(name) && !s.healthcheck) problems.push(`${e}: long-running service ${name} has no healthcheck`);
      if (e === 'prod' && bindMounts(s).length > 0) problems.push(`prod: ${name} mounts source from the host`);
      if (e !== 'test' && anonymousVolumes(s).length > 0)
        problems.push(`${e}: ${name} has an anonymous volume, which make stop-${e} leaves behind: name it`);
      const mounted = [
        ...(s.volumes ?? []).map((v) => (typeof v === 'string' ? (v.split(':')[1] ?? v) : v.target)),
        ...(s.tmpfs ?? []).map((t) => t.split(':')[0]),
      ];
      const declared = e === 'test' ? [] : (IMAGE_VOLUMES[(s.image ?? '').split(':')[0]!] ?? []);
      for (const path of declared.filter((p) => !mounted.includes(p)))
        problems.push(`${e}: ${name}'s image declares VOLUME ${path}: mount a named volume or a tmpfs there`);
      if (e === 'test' && (s.ports ?? []).length > 0) problems.push(`test: ${name} publishes a port`);
      if (e === 'test' && (s.volumes ?? []).some((v) => typeof v === 'string' && /^[A-Za-z0-9][\w.-]*:/.test(v))) {
        problems.push(`test: ${name} uses a named volume`);
      }
    }
    if (e === 'test' && Object.keys(file.volumes ?? {}).length > 0) problems.push('test: declares named volumes');
  }
  return problems;
}
