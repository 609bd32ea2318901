/** `make idle-cost`: what the running environments cost with nobody using them (CPU and memory). */
import { OperatorError } from '@chorus/errors';
import { sleep } from '@chorus/wait';
import { projectContainers, projects } from '../compose.ts';
import type { Context } from '../context.ts';
import { type ContainerCost, type Sample, containerSample, costOf, summarize } from '../idle-cost.ts';
import { print, say, table } from '../output.ts';
import { checkDocker } from '../preflight.ts';

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MiB`;

export async function idleCost(_ctx: Context, { seconds }: { seconds: number }): Promise<void> {
  checkDocker();
  const running = projects()
    .filter((p) => p.startsWith('chorus-'))
    .flatMap((project) =>
      projectContainers(project)
        .filter((c) => c.running)
        .map((c) => ({ project, service: c.number > 1 ? `${c.service}-${c.number}` : c.service, id: c.id })),
    );
  if (running.length === 0)
    throw new OperatorError('no environment is running: start one (make run-prod, make run-dev)');
  say(`idle cost: ${running.length} containers, measured over ${seconds} s with nobody using them`);
  const before = new Map<string, Sample>();
  for (const c of running) before.set(c.id, await containerSample(c.id));
  const started = Date.now();
  await sleep(seconds * 1000);
  const windowMs = Date.now() - started;
  const costs: ContainerCost[] = [];
  for (const c of running) {
    const after = await containerSample(c.id).catch(() => undefined);
    if (after) costs.push({ project: c.project, service: c.service, ...costOf(before.get(c.id)!, after, windowMs) });
  }
  const rows = summarize(costs);
  const top = (list: ContainerCost[], pick: (c: ContainerCost) => number, show: (n: number) => string) =>
    [...list]
      .sort((a, b) => pick(b) - pick(a))
      .slice(0, 3)
      .map((c) => `${c.service} ${show(pick(c))}`)
      .join(', ');
  print(
    table(
      ['environment', 'containers', 'CPU, share of one core', 'most CPU', 'memory (no page cache)', 'most memory'],
      [
        ...rows.map((r) => [
          r.project,
          String(r.top.length),
          percent(r.cpu),
          top(r.top, (c) => c.cpu, percent),
          mib(r.memoryBytes),
          top(r.top, (c) => c.memoryBytes, mib),
        ]),
        ...(rows.length > 1
          ? [
              [
                'together',
                String(costs.length),
                percent(rows.reduce((s, r) => s + r.cpu, 0)),
                '',
                mib(rows.reduce((s, r) => s + r.memoryBytes, 0)),
                '',
              ],
            ]
          : []),
      ],
    ),
  );
}
