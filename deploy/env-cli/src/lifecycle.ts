/** Starting, stopping and deleting prod and dev. */
import { createInterface } from 'node:readline/promises';
import { OperatorError } from '@chorus/errors';
import { docker, down } from './compose.ts';
import { ensureProdEnvFile, readEnvFile } from './env-file.ts';
import type { Environment } from './environments.ts';
import { explainFailure, upWaiting } from './explain.ts';
import { SHARED_TAG, buildAppImages } from './app-images.ts';
import { devNativeVars } from './dev-native.ts';
import { describeImages, imageVars, resolveImages, wantedImages } from './images.ts';
import { say, seconds } from './output.ts';
import { checkDocker, checkPorts } from './preflight.ts';

export const APP_IMAGES = ['chorus-web', 'chorus-stream-processor', 'setup-connector'];

/**
 * Who dev's app containers run as: the host user, so that the mounted source stays editable, but never
 * root (a root host user maps to the Node image's own user, 1000).
 */
export function hostUser(uid = process.getuid?.(), gid = process.getgid?.()): { CHORUS_UID: string; CHORUS_GID: string } {
  return uid ? { CHORUS_UID: String(uid), CHORUS_GID: String(gid ?? uid) } : { CHORUS_UID: '1000', CHORUS_GID: '1000' };
}

function prepare(root: string, e: Environment): Record<string, string> {
  if (e.name === 'prod') {
    const volume = `${e.project}_postgres_data_prod`;
    const existing = docker(['volume', 'inspect', volume]).ok ? volume : undefined;
    const made = ensureProdEnvFile(root, e, process.env.POSTGRES_PASSWORD, existing);
    if (made === 'created') say(`created ${e.envFile} with a ${process.env.POSTGRES_PASSWORD ? 'supplied' : 'generated'} database password (not shown)`);
    else if (made !== 'kept') say(`added generated ${made.added.join(', ')} to ${e.envFile} (not shown)`);
  }
  return readEnvFile(root, e);
}

/** When setup-connector finished, and its summary line. */
function connectorOutcome(e: Environment): { finishedAt?: number; summary?: string } {
  const id = docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${e.project}`, '--filter', 'label=com.docker.compose.service=setup-connector']).out.split('\n')[0];
  if (!id) return {};
  const finished = docker(['inspect', '--format', '{{.State.FinishedAt}}', id]).out;
  const log = docker(['logs', '--tail', '20', id]);
  const summary = `${log.out}\n${log.err}`.split('\n').reverse().find((l) => l.includes('RUNNING ('));
  return { finishedAt: Date.parse(finished), summary: summary?.replace(/^\[[^\]]+\]\s*\w+:\s*/, '') };
}

export async function start(root: string, e: Environment, { build }: { build: boolean }) {
  const started = Date.now();
  checkDocker();
  await checkPorts(root, e);
  const imagesStarted = Date.now();
  const images = await resolveImages(root, { wanted: wantedImages(prepare(root, e)) });
  describeImages(images);
  const vars: Record<string, string> = { ...imageVars(images), CHORUS_APP_TAG: SHARED_TAG, ...(e.name === 'dev' ? { ...hostUser(), ...devNativeVars(root) } : {}) };
  if (build) await buildAppImages(root, APP_IMAGES, vars.NODE_IMAGE!);
  const buildMs = Date.now() - imagesStarted;
  const composeStarted = Date.now();
  say(`starting ${e.name} (${e.file})`);
  if ((await upWaiting(root, { ...e, vars })) !== 0) {
    const failed = await explainFailure(root, e.project);
    throw new OperatorError(`${e.name} did not become healthy${failed.length ? `: ${failed.join(', ')} failed (logs above)` : ''}; see \`make logs-${e.name}\``);
  }
  const ready = Date.now();
  const connector = connectorOutcome(e);
  const connectorMs = connector.finishedAt && connector.finishedAt > composeStarted ? connector.finishedAt - composeStarted : undefined;
  if (connector.summary) say(connector.summary);
  say(
    `${e.name} ready in ${seconds(ready - started)}: images ${seconds(buildMs)}, ` +
      `${connectorMs !== undefined ? `connector RUNNING after ${seconds(connectorMs)}, ` : ''}all services healthy after ${seconds(ready - composeStarted)}`,
  );
  if (e.url) say(`${e.name} UI: ${e.url}`);
}

/** Stops an environment by its project name alone, so it works even without its env file. */
export async function stop(root: string, e: Environment) {
  checkDocker();
  const code = await down(root, e.project);
  if (code !== 0) throw new OperatorError(`stopping ${e.name} failed (docker compose down exited ${code}); the lines above say why`);
  say(`${e.name}: stopped; its volumes are kept`);
}

export async function clean(root: string, e: Environment, { yes }: { yes: boolean }) {
  checkDocker();
  if (!yes) {
    if (!process.stdin.isTTY) throw new OperatorError(`refusing to delete ${e.name}'s volumes without a terminal to ask; pass --yes`);
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question(`Delete ${e.name}'s containers AND volumes (all its data)? Type "${e.name}" to confirm: `);
    rl.close();
    if (answer.trim() !== e.name) {
      say('nothing deleted');
      return;
    }
  }
  const code = await down(root, e.project, { volumes: true });
  if (code !== 0) throw new OperatorError(`deleting ${e.name} failed (docker compose down --volumes exited ${code}); its data may still be there`);
  say(`${e.name}: containers and volumes removed`);
}
