/**
 * The upgrade check's writer (deploy/verify/writer) in a container on a project's network, writing
 * through its web app's API until stopped; its report parsed with the writer's own schema.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OperatorError } from '@chorus/errors';
import { PROXY_SERVICE } from 'env-cli/compose-file.ts';
import { docker, projectContainers } from 'env-cli/compose.ts';
import type { Context } from 'env-cli/context.ts';
import { finished } from 'env-cli/processes.ts';
import { webToken } from 'env-cli/web-client.ts';
import { type ApiWriterReport, apiWriterReport } from '@chorus/load-reports';

const BUNDLE = 'deploy/verify/dist/writer.cjs';

export interface RunningWriter {
  /** Stops it (SIGTERM: it waits for the answers in flight) and resolves to its report. */
  stop(): Promise<ApiWriterReport>;
}

export async function startWriter(
  ctx: Context,
  project: string,
  o: {
    rate: number;
    label: string;
    image: string;
    /** Through the project's HTTPS proxy (https://proxy), trusting this CA file, rather than to the web app itself. */
    viaProxy?: { caFile: string };
  },
): Promise<RunningWriter> {
  const bundle = join(ctx.root, BUNDLE);
  if (!existsSync(bundle)) throw new OperatorError(`${BUNDLE} is missing: build it with \`npx nx run verify:build\``);
  const name = `${project}-writer`;
  // The network of what it writes to, whatever the release named it.
  const service = o.viaProxy ? PROXY_SERVICE : 'chorus-web';
  const container = projectContainers(project, service).find((c) => c.running)?.name ?? '';
  const network = docker([
    'inspect',
    '--format',
    '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}',
    container,
  ]).out.split(' ')[0];
  if (!network) throw new OperatorError(`${project}'s ${service} is not running: the writer has nowhere to write`);
  const route = o.viaProxy
    ? [
        '-e',
        `BASE=https://${PROXY_SERVICE}`,
        '-v',
        `${o.viaProxy.caFile}:/run/ca.crt:ro`,
        '-e',
        'NODE_EXTRA_CA_CERTS=/run/ca.crt',
      ]
    : ['-e', 'BASE=http://chorus-web:3000'];
  const token = await webToken(ctx, project, { name: 'upgrade-writer' });
  const run = finished(
    'docker',
    [
      'run',
      '--rm',
      '-i',
      '--name',
      name,
      '--network',
      network,
      ...route,
      '-e',
      'CHORUS_TOKEN',
      '-e',
      `RATE=${o.rate}`,
      '-e',
      `LABEL=${o.label}`,
      o.image,
      'node',
      '-',
    ],
    { env: { ...process.env, CHORUS_TOKEN: token }, input: readFileSync(bundle, 'utf8') },
  );
  return {
    async stop() {
      docker(['kill', '--signal', 'TERM', name]);
      const r = await run;
      const last = r.out.split('\n').at(-1) ?? '';
      const parsed = apiWriterReport.safeParse(last ? JSON.parse(last) : undefined);
      if (!parsed.success)
        throw new OperatorError(`the writer stopped without its report: ${r.err.split('\n').slice(-3).join(' ')}`);
      return parsed.data;
    },
  };
}
