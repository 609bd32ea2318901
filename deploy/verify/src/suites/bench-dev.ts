/**
 * `make bench-dev`: make bench's single-row steps against the running dev, as a developer has it (fsync
 * on, its own data beside, live reload): the driver runs on the host against dev's published ports. It
 * writes into dev, says so before it starts, and deletes the rows it wrote at the end (their deletes
 * reach the read model through CDC like any other).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { ROLES } from '@chorus/db';
import { OperatorError } from '@chorus/errors';
import { type BenchStep, benchStep, readReports } from '@chorus/load-reports';
import { benchTable, refusals, stageTable } from '../bench-report.ts';
import type { Context } from 'env-cli/context.ts';
import { ENVIRONMENTS } from 'env-cli/environments.ts';
import { print, say } from 'env-cli/output.ts';
import { attached, reporting } from 'env-cli/processes.ts';

export interface BenchDevOptions {
  single: number[];
  seconds: number;
  connections: number;
}

/** How programs on the host reach dev's published ports as the app role: the file `npx nx serve` uses too. */
const DEV_HOST_ENV = 'deploy/compose/dev-host.env';
/** The product's target for its write pattern on a developer's dev: 1,000 tx/s with p99 within this. */
export const DEV_TARGET = { rate: 1000, p99: 400 } as const;

export async function benchDev(ctx: Context, o: BenchDevOptions): Promise<void> {
  const e = ENVIRONMENTS.dev;
  const web = (await ctx.compose.services(e.project)).find((s) => s.Service === 'chorus-web');
  if (web?.Health !== 'healthy')
    throw new OperatorError(
      `dev is not running (chorus-web is ${web ? `${web.State}, ${web.Health || 'no health yet'}` : 'absent'}): start it with make run-dev, then run make bench-dev again`,
      { exitCode: 2 },
    );
  const label = `dev-${Date.now().toString(36)}`;
  say(
    `bench-dev WRITES INTO DEV: single-row INSERTs at ${o.single.join(', ')} tx/s over ${o.connections} connections, ${o.seconds} s each, labelled "bench ${label} …"; they are deleted at the end`,
  );
  if (
    (await attached('npx', ['nx', 'run', 'chorus-tester:build', '--output-style=static'], {
      cwd: ctx.root,
      env: ctx.env,
    })) !== 0
  )
    throw new OperatorError(
      'building the benchmark driver failed (npx nx run chorus-tester:build); the lines above say why',
    );
  const env = { ...ctx.env, ...parse(readFileSync(join(ctx.root, DEV_HOST_ENV))) };
  const args = [
    '--label',
    label,
    '--rates',
    '0',
    '--ramp',
    '0',
    '--api',
    '0',
    '--single',
    o.single.join(','),
    '--pattern-seconds',
    String(o.seconds),
    '--connections',
    String(o.connections),
  ];
  let steps: BenchStep[] = [];
  try {
    const run = await reporting('node', ['apps/chorus-tester/dist/main.cjs', 'bench', ...args], { cwd: ctx.root, env });
    if (run.code !== 0) throw new OperatorError(`the benchmark driver failed (exit ${run.code}); its output is above`);
    steps = readReports(benchStep, run.out);
  } finally {
    const removed = await ctx.compose.psql(
      e.project,
      ROLES.owner,
      `WITH gone AS (DELETE FROM task_queue WHERE user_query->>'query' LIKE 'bench ${label} %' RETURNING 1) SELECT count(*) FROM gone`,
    );
    say(
      removed.code === 0
        ? `bench-dev: deleted the ${removed.out.trim()} rows it wrote into dev`
        : `bench-dev: could not delete its rows (labelled "bench ${label} …"): ${removed.err.trim()}`,
    );
  }
  const command = `make bench-dev (env bench-dev --single ${o.single.join(',')} --seconds ${o.seconds} --connections ${o.connections})`;
  const target = steps.find((s) => s.offered === DEV_TARGET.rate)?.latency;
  print(
    [
      '',
      `Benchmark: ${command}`,
      'dev as it runs (fsync on, its data beside): one autocommit INSERT a row from the host through dev’s published Postgres port; latency from when each row was due to the processor writing it to Redis.',
      benchTable(steps, undefined, undefined),
      stageTable([['dev', steps]]),
      ...(target
        ? [
            `Target single-row ${DEV_TARGET.rate}/s p99 ≤ ${DEV_TARGET.p99} ms (dev): ${Math.round(target.p99)} ms, ${target.p99 <= DEV_TARGET.p99 ? 'met' : 'NOT met'}`,
          ]
        : []),
      '',
    ].join('\n'),
  );
  const refused = refusals(steps);
  if (refused) throw new OperatorError(`${refused}. See make status and make logs-dev`);
  const lost = steps.filter((s) => s.missing > 0);
  if (lost.length > 0)
    throw new OperatorError(
      `rows never reached dev's read model at ${lost.map((s) => `${s.offered} tx/s`).join(', ')}: see make status and make logs-dev`,
    );
}
