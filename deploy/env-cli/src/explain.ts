/** What to make of a `docker compose up --wait` that failed: a start that healed itself, or why it did not. */
import { sleep } from '@chorus/wait';
import { type ComposeTarget, docker } from './compose.ts';
import type { Context } from './context.ts';
import { report, say } from './output.ts';

/** One container of a project, from `docker inspect`. */
export interface ContainerFacts {
  service: string;
  id: string;
  status: string;
  exitCode: number;
  /** '' when the image has no healthcheck. */
  health: string;
  restartPolicy: string;
  restartCount: number;
  startedAt: string;
  /** The healthcheck's last probes (Docker keeps five), oldest first. */
  probes: { at: string; ok: boolean; output: string }[];
}

interface Inspected {
  Id: string;
  RestartCount: number;
  Config: { Labels: Record<string, string> };
  HostConfig: { RestartPolicy?: { Name?: string } };
  State: {
    Status: string;
    ExitCode: number;
    StartedAt: string;
    Health?: { Status: string; Log?: { Start: string; ExitCode: number; Output: string }[] };
  };
}

export function containers(project: string): ContainerFacts[] {
  const ids = docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])
    .out.split('\n')
    .filter(Boolean);
  const inspected = ids.length ? docker(['inspect', ...ids]) : undefined;
  if (!inspected?.ok) return [];
  return (JSON.parse(inspected.out) as Inspected[])
    .map((c) => ({
      service: c.Config.Labels['com.docker.compose.service'] ?? c.Id.slice(0, 12),
      id: c.Id,
      status: c.State.Status,
      exitCode: c.State.ExitCode,
      health: c.State.Health?.Status ?? '',
      restartPolicy: c.HostConfig.RestartPolicy?.Name || 'no',
      restartCount: c.RestartCount,
      startedAt: c.State.StartedAt,
      probes: (c.State.Health?.Log ?? []).map((p) => ({ at: p.Start, ok: p.ExitCode === 0, output: p.Output.trim() })),
    }))
    .sort((a, b) => a.service.localeCompare(b.service));
}

/** How long a restarting container may take to run again before `up` is tried once more. */
const RESTART_LIMIT_MS = 60_000;

const restarts = (c: ContainerFacts) => c.restartPolicy !== 'no';
/** Started again by its restart policy since `since` (ms). */
const restartedSince = (c: ContainerFacts, since: number) =>
  restarts(c) && c.restartCount > 0 && Date.parse(c.startedAt) >= since;
/** Failed for good: nothing will bring it back by itself. */
export const failedForGood = (c: ContainerFacts) =>
  c.health === 'unhealthy' || (c.status === 'exited' && c.exitCode !== 0 && !restarts(c));

/**
 * Why a failed `up --wait` may be worth one more try, as lines for the operator; undefined when it is not.
 * Compose's `--wait` gives up at the first exit or failed healthcheck it sees, even when the restart
 * policy or the next probe has already put it right (docker/compose#11030, #12424). So when nothing has
 * failed for good, this names what happened since `since` (ms): restarts, and failed probes.
 */
export function transientTrouble(list: ContainerFacts[], since: number): string[] | undefined {
  if (list.length === 0 || list.some(failedForGood)) return undefined;
  const lines: string[] = [];
  for (const c of list) {
    if (restartedSince(c, since))
      lines.push(`${c.service} exited while starting and its restart policy started it again (${c.restartCount}×)`);
    // Failures while starting are expected; a failure after a success is a flap.
    const recent = c.probes.filter((p) => Date.parse(p.at) >= since);
    const flap = recent.filter((p, i) => !p.ok && recent.slice(0, i).some((q) => q.ok));
    if (flap.length && c.health === 'healthy')
      lines.push(
        `${c.service} failed ${flap.length} healthcheck probe(s) after passing and passes again${flap.at(-1)!.output ? ` (last: ${flap.at(-1)!.output})` : ''}`,
      );
  }
  if (lines.length > 0) return lines;
  // Nothing to name, yet everything runs or finished its job: worth one more look, not a failure.
  if (list.every((c) => c.status === 'running' || (c.status === 'exited' && c.exitCode === 0)))
    return [
      `no service failed: ${list.map((c) => `${c.service} ${c.status}${c.health ? ` ${c.health}` : ''}`).join(', ')}`,
    ];
  return undefined;
}

/**
 * `docker compose up --wait`, and once more when it failed but nothing has failed for good (see
 * transientTrouble): what happened is shown, with the last lines a restarted container wrote before
 * its restart; the second `up` also starts whatever Compose left waiting. Its exit code.
 */
export async function upWaiting(
  { compose }: Pick<Context, 'compose'>,
  target: ComposeTarget,
  services?: string[],
): Promise<number> {
  const since = Date.now();
  const code = await compose.up(target, services);
  if (code === 0) return code;
  const list = containers(target.project);
  const trouble = transientTrouble(list, since);
  if (!trouble) return code;
  say(`docker compose up --wait failed, but nothing in ${target.project} has failed for good:`);
  for (const line of trouble) say(`  ${line}`);
  for (const c of list.filter((c) => restartedSince(c, since))) {
    const before = docker(['logs', '--until', c.startedAt, '--tail', '15', c.id]);
    report(
      `--- last lines of ${c.service} before its restart ---\n${[before.out, before.err].filter(Boolean).join('\n') || '(none)'}`,
    );
  }
  const deadline = Date.now() + RESTART_LIMIT_MS;
  while (containers(target.project).some((c) => c.status === 'restarting') && Date.now() < deadline) await sleep(1000);
  say(`waiting for ${target.project} once more`);
  return compose.up(target, services);
}

/** Shows why a project did not come up: the state of every service, and the logs of those that failed. */
export async function explainFailure({ compose }: Pick<Context, 'compose'>, project: string): Promise<string[]> {
  const list = containers(project);
  const failed = list.filter((c) => failedForGood(c) || c.restartCount > 0);
  for (const c of list) {
    const state = c.status === 'exited' ? `exited (${c.exitCode})` : c.status;
    report(
      `  ${c.service.padEnd(26)} ${state} ${c.health}${c.restartCount > 0 ? ` (restarted ${c.restartCount}×)` : ''}`,
    );
  }
  for (const c of failed) {
    report(`--- last lines of ${c.service} ---`);
    await compose.logs(project, { service: c.service, tail: 15 });
    const probe = c.probes.filter((p) => !p.ok).at(-1);
    if (probe) report(`--- its last failed healthcheck (${probe.at}): ${probe.output || 'no output'}`);
  }
  return failed.map((c) => c.service);
}
