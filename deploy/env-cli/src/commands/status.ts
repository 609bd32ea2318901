/** `make status`: every environment and test run, read-only, by project name (no env file needed). */
import { backupAge } from '@chorus/backup-manifest';
import { listBackups } from '../backups.ts';
import { certificateLine } from '../certificates.ts';
import { PROXY_SERVICE, readComposeFile, servicePort } from '../compose-file.ts';
import type { Context } from '../context.ts';
import { alertingLine } from '../alerts.ts';
import { readEnvFile } from '../env-file.ts';
import { ENVIRONMENTS, type Environment } from '../environments.ts';
import { print, say, span } from '../output.ts';
import { checkDocker } from '../preflight.ts';
import { readState } from '../release.ts';
import {
  archiveLine,
  cdcNamesOf,
  connectorLine,
  imageLine,
  processorLines,
  prometheusLine,
  slotLine,
  testRuns,
} from '../system.ts';

/** The newest backup's age against the schedule, flagged when it is overdue. */
async function backupLine(ctx: Context, project: string): Promise<string> {
  const listing = await listBackups(ctx, project);
  if (!listing) return '  backups: the backup service is not running';
  const { newest, ageMs, overdue } = backupAge(listing, new Date());
  const every = `every ${span(listing.schedule.everyMs)}, keeping ${listing.schedule.keep}`;
  if (!newest) return `  backups: NONE yet (${every}); make backup-prod takes one now`;
  return `  backups: last ${newest.name}, ${span(ageMs!)} ago${overdue ? ' — OVERDUE: older than the schedule; make logs-prod shows why' : ''} (${every}; make backups-prod lists them)`;
}

/** The env file's settings, or none when it is invalid (make run-<env> names each problem). */
function envFileOrNothing(ctx: Context, e: Environment): Record<string, string> {
  try {
    return readEnvFile(ctx.root, e);
  } catch {
    return {};
  }
}

export async function status(ctx: Context) {
  checkDocker();
  for (const e of [ENVIRONMENTS.prod, ENVIRONMENTS.dev]) {
    const list = await ctx.compose.services(e.project);
    if (list.length === 0) {
      say(`${e.name}: not running`);
      continue;
    }
    say(`${e.name} (${e.project})${e.url ? ` — ${e.url}` : ''}`);
    const releases = e.name === 'prod' ? readState(ctx, e) : undefined;
    if (releases)
      print(
        `  release ${releases.current.release} (deployed ${releases.current.at}); previous ${releases.previous ? `${releases.previous.release} (make rollback-prod returns to it)` : 'none recorded'}`,
      );
    const https = servicePort(readComposeFile(ctx.root, e), PROXY_SERVICE);
    if (https) print(await certificateLine(https));
    if (e.name === 'prod') print(await backupLine(ctx, e.project));
    if (e.name === 'prod') print(await archiveLine(ctx, e.project));
    print(await alertingLine(ctx, e.project, e.name, envFileOrNothing(ctx, e)));
    for (const s of list) {
      const ports = [
        ...new Set(
          (s.Publishers ?? [])
            .filter((p) => p.PublishedPort)
            .map((p) => `${p.URL}:${p.PublishedPort}->${p.TargetPort}`),
        ),
      ].join(', ');
      const state = s.State === 'exited' ? `exited (${s.ExitCode})` : s.State;
      print(
        `  ${s.Service.padEnd(26)} ${state.padEnd(12)} ${(s.Health || '-').padEnd(10)} ${ports.padEnd(28)} ${imageLine(s.Image)}`,
      );
    }
    const names = cdcNamesOf(e.project, e.name);
    print(await connectorLine(ctx, e.project, names));
    print(await slotLine(ctx, e.project, names));
    for (const line of await processorLines(ctx, e.project)) print(line);
    print(await prometheusLine(ctx, e.project));
  }
  const runs = await testRuns(ctx);
  if (runs.length === 0) say('test: no runs');
  for (const r of runs) {
    say(
      `test run ${r.project}: ${r.state === 'live' ? 'live (its owner is running)' : 'STALE (its owner is gone): `make clean-test` removes it'}, ${r.services} container(s)`,
    );
    if (r.state === 'live') print(await connectorLine(ctx, r.project, cdcNamesOf(r.project, ENVIRONMENTS.test.name)));
  }
}
