/**
 * A release that changes the apps replaces them without a stop. Before the bring-up, each app service whose
 * configuration changed (its image is the release's) gets new replicas beside the running ones, made after the
 * one-shots they wait on have run again (migrations only expand the schema, so the old replicas work on it); once
 * the new ones are healthy and the proxy has looked them up (deploy/proxy/Caddyfile), the old ones drain
 * (apps/chorus-web/src/drain.ts) and are removed. The processors hand the change topic's partitions over in their
 * consumer group. The bring-up that follows finds the apps as they should be and leaves them alone.
 *
 * What cannot be replaced this way (Postgres, Valkey, Kafka, the proxy itself) is restarted by the bring-up:
 * `stopsAhead` says which, and what users meet meanwhile, before anything changes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { OperatorError } from '@chorus/errors';
import { type ComposeFile, PROXY_SERVICE } from './compose-file.ts';
import { type ComposeTarget, cleanEnv, docker, projectContainers } from './compose.ts';
import { finished } from './processes.ts';
import type { Context } from './context.ts';
import { say } from './output.ts';

/** The services a release replaces replica by replica: behind the proxy, or in a consumer group. */
export const ROLLED_SERVICES = ['chorus-web', 'chorus-stream-processor'];

/** Twice the proxy's `refresh` of its upstreams: new replicas are in its list before an old one stops. */
const PROXY_LOOKUP_MS = 2_000;

/**
 * What users meet while a service is restarted, and about how long: the proxy's, Kafka's and Connect's as
 * `make release-check` measured them (docs/operating.md); Postgres's and Valkey's estimated from their starts.
 */
// What users met when each restarted alone in a release of prod on one host, probed every 0.25 s (docs/operating.md).
const STOPS: Record<string, string> = {
  proxy: 'prod does not answer for about a second',
  postgres: 'writes are refused (503, try again) for up to about 3 s; pages and reads go on',
  redis: 'a page or a read may fail for about a second; writes go on',
  kafka: 'new tasks reach the read model late, for about 30 s (nothing fails)',
  'kafka-connect': 'new tasks reach the read model late, for about 60 s (nothing fails)',
};

/** The one-shots that `services` wait on, directly or through other one-shots: they run again before new replicas start. */
export function oneShotsBefore(file: ComposeFile, services: string[]): string[] {
  const found = new Set<string>();
  const visit = (service: string) => {
    for (const [dependency, { condition } = {}] of Object.entries(file.services[service]?.depends_on ?? {})) {
      if (condition !== 'service_completed_successfully' || found.has(dependency)) continue;
      found.add(dependency);
      visit(dependency);
    }
  };
  services.forEach(visit);
  return [...found].sort();
}

/** The long-running services but the proxy: what a release brings up before it replaces the proxy. */
export function behindProxy(file: ComposeFile): string[] {
  const oneShots = new Set(
    Object.values(file.services).flatMap((s) =>
      Object.entries(s.depends_on ?? {})
        .filter(([, d]) => d?.condition === 'service_completed_successfully')
        .map(([name]) => name),
    ),
  );
  return Object.entries(file.services)
    .filter(([name, s]) => name !== PROXY_SERVICE && !oneShots.has(name) && !s.profiles)
    .map(([name]) => name)
    .sort();
}

/**
 * Says, before anything changes, which running services this release restarts and what users meet meanwhile;
 * resolves to the app services to replace replica by replica (none when prod's proxy is not running yet: the
 * UI moves onto it, which is itself a stop) and the services the bring-up restarts.
 */
export async function stopsAhead(
  ctx: Context,
  target: ComposeTarget,
): Promise<{ rolled: string[]; restarted: string[] }> {
  const none = { rolled: [], restarted: [] };
  const running = projectContainers(target.project).filter((c) => c.running);
  if (running.length === 0) return none;
  if (!running.some((c) => c.service === PROXY_SERVICE)) {
    // An earlier release's UI, served without the proxy, moves onto it. Without a UI (a prod being built on a
    // new host, a restore's Postgres alone) nothing answers yet, so nothing stops.
    if (running.some((c) => c.service === 'chorus-web'))
      say(
        'this release needs a stop: the UI moves onto the HTTPS proxy, and prod does not answer while its apps are replaced (about 30 s)',
      );
    return none;
  }
  const recreated = await ctx.compose.wouldRecreate(target);
  if (!recreated) {
    say(
      'could not tell which services this release restarts (docker compose --dry-run create failed): prod may stop while they are replaced',
    );
    return none;
  }
  const changes = [...new Set(running.filter((c) => recreated.includes(c.name)).map((c) => c.service))].sort();
  const restarted = changes.filter((s) => !ROLLED_SERVICES.includes(s));
  const stops = restarted.filter((s) => STOPS[s]).map((s) => `${s} restarts: ${STOPS[s]}`);
  if (stops.length > 0) say(`this release needs a stop:\n  ${stops.join('\n  ')}`);
  else if (changes.length > 0) say(`this release needs no stop: ${changes.join(', ')} are replaced while prod answers`);
  return { rolled: changes.filter((s) => ROLLED_SERVICES.includes(s)), restarted };
}

/** Replaces `services` replica by replica (see the top of this file); resolves once the old replicas are gone. */
export async function rollApps(ctx: Context, target: ComposeTarget, file: ComposeFile, services: string[]) {
  if (services.length === 0) return;
  const started = Date.now();
  const old = projectContainers(target.project).filter((c) => services.includes(c.service));
  const count = new Map(services.map((s) => [s, 2 * old.filter((c) => c.service === s && c.running).length]));
  say(`replacing ${services.join(' and ')}: new replicas beside the ${old.length} running, then those drain`);
  const oneShots = oneShotsBefore(file, services);
  if ((await ctx.compose.removeStopped(target, oneShots)) !== 0)
    throw new OperatorError(`could not remove ${oneShots.join(', ')} to run them again; nothing else was changed`);
  if ((await ctx.compose.addReplicas(target, count)) !== 0) {
    const added = projectContainers(target.project).filter(
      (c) => services.includes(c.service) && !old.some((o) => o.name === c.name),
    );
    for (const c of added) docker(['rm', '-f', c.name]);
    throw new OperatorError(
      `the new replicas of ${services.join(' and ')} did not become healthy, so they were removed and the old ones still serve (the logs above say why); fix it and run the command again`,
    );
  }
  await sleep(PROXY_LOOKUP_MS);
  // One docker stop for all, so that they drain at the same time, each within its stop_grace_period; not
  // holding the CLI up meanwhile (a program driving it, as make release-check, goes on probing).
  const names = old.map((c) => c.name);
  if (!(await finished('docker', ['stop', ...names], { env: cleanEnv() })).ok || !docker(['rm', ...names]).ok)
    throw new OperatorError(
      `the old replicas of ${services.join(' and ')} could not all be removed (docker stop ${old.map((c) => c.name).join(' ')}); the new ones serve`,
    );
  say(`${services.join(' and ')} replaced in ${((Date.now() - started) / 1000).toFixed(1)} s, without a stop`);
}
