/**
 * What the acceptance suite may do on this host. Nothing it runs may stop, restart or write into a
 * prod or dev that was running before it started: on such a host it checks them read-only and says
 * which checks it skipped and why. On a host with neither running (CI), it runs every check.
 */
export type Env = 'prod' | 'dev';

export interface Host {
  /** The environment had running containers before the suite started. */
  running: Record<Env, boolean>;
}

export interface Plan {
  /** `make run-<env>`: may rebuild images and recreate containers, so only for an environment not already serving. */
  start: Record<Env, boolean>;
  /** Submit a task through the UI (a write), and check it reaches only that environment. */
  submit: Record<Env, boolean>;
  /** `make stop-prod` then `make run-prod`, to show the data survives. */
  restartProd: boolean;
  /** Stop, or delete the volumes of, what the suite started, at the end. */
  leaveAsFound: true;
  skipped: { check: string; why: string }[];
}

const ENVS: Env[] = ['prod', 'dev'];

export function plan(host: Host): Plan {
  const skipped: Plan['skipped'] = [];
  const start = { prod: !host.running.prod, dev: !host.running.dev };
  const submit = { ...start };
  for (const env of ENVS) {
    if (!host.running[env]) continue;
    const why = `${env} was already running before the suite started; the suite never restarts it or writes into it`;
    skipped.push({ check: `make run-${env} (it would recreate containers whose image changed)`, why });
    skipped.push({ check: `a task submitted through ${env}'s UI, and its isolation from the other environment`, why });
  }
  if (host.running.prod) {
    skipped.push({
      check: 'prod data survives make stop-prod and make run-prod',
      why: 'prod was already running before the suite started; stopping it would take a live prod down',
    });
  }
  return { start, submit, restartProd: !host.running.prod, leaveAsFound: true, skipped };
}
