/**
 * `make secrets-export-prod FILE=<path>` and `make secrets-import-prod FILE=<path>`: prod's env file and its
 * own CA, sealed with a passphrase (secrets.ts), to keep off the host; and back onto a new host, before
 * `make restore-prod AT=<time>` rebuilds prod there from its object store.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'dotenv';
import { OperatorError } from '@chorus/errors';
import { PKI_FILES } from '@chorus/pki';
import { images } from '../bring-up.ts';
import { CA_ROOT_IN_PROXY } from '../certificates.ts';
import { PROXY_SERVICE } from '../compose-file.ts';
import { cleanEnv, docker } from '../compose.ts';
import type { Context } from '../context.ts';
import { readEnvFile } from '../env-file.ts';
import type { Environment } from '../environments.ts';
import { say } from '../output.ts';
import { checkDocker } from '../preflight.ts';
import { capture } from '../processes.ts';
import { type SecretsContent, open, seal } from '../secrets.ts';

const KEY_IN_PROXY = `/data/${PKI_FILES.rootKey}`;

function passphrase(ctx: Context, e: Environment, verb: 'seal' | 'open'): string {
  const value = ctx.env.SECRETS_PASSPHRASE;
  if (!value)
    throw new OperatorError(
      `set SECRETS_PASSPHRASE to the passphrase that ${verb === 'seal' ? 'will open the file (keep it apart from the file)' : 'the file was sealed with'}: SECRETS_PASSPHRASE=… make secrets-${verb === 'seal' ? 'export' : 'import'}-${e.name} FILE=<path>`,
      { exitCode: 2 },
    );
  return value;
}

function fileArgument(e: Environment, file: string | undefined, verb: 'export' | 'import'): string {
  if (!file) throw new OperatorError(`name the file: make secrets-${verb}-${e.name} FILE=<path>`, { exitCode: 2 });
  return resolve(file);
}

export async function exportSecrets(ctx: Context, e: Environment, file: string | undefined): Promise<void> {
  const path = fileArgument(e, file, 'export');
  if (existsSync(path))
    throw new OperatorError(`${path} exists: name a new file (an export never overwrites one)`, { exitCode: 2 });
  readEnvFile(ctx.root, e);
  const secret = passphrase(ctx, e, 'seal');
  checkDocker();
  const [certificate, key] = await Promise.all(
    [CA_ROOT_IN_PROXY, KEY_IN_PROXY].map((p) => ctx.compose.execResult(e.project, PROXY_SERVICE, ['cat', p])),
  );
  if (certificate!.code !== 0 || key!.code !== 0)
    throw new OperatorError(
      `${e.name}'s CA could not be read from its proxy: start ${e.name} with \`make run-${e.name}\` first, so that the export holds the CA its clients trust`,
    );
  const content: SecretsContent = {
    environment: e.name,
    exportedAt: new Date().toISOString(),
    envFile: readFileSync(resolve(ctx.root, e.envFile), 'utf8'),
    ca: { certificate: certificate!.out.trim(), key: key!.out.trim() },
  };
  writeFileSync(path, seal(content, secret), { mode: 0o600, flag: 'wx' });
  say(`${e.name}'s secrets (${e.envFile} and its CA) sealed into ${path}`);
  say(
    'keep it off this host, and the passphrase apart from it: with them and the object store, `make secrets-import-prod` and `make restore-prod AT=<time>` rebuild prod on a new host',
  );
}

export async function importSecrets(ctx: Context, e: Environment, file: string | undefined): Promise<void> {
  const path = fileArgument(e, file, 'import');
  if (!existsSync(path)) throw new OperatorError(`${path} does not exist`, { exitCode: 2 });
  const content = open(readFileSync(path, 'utf8'), passphrase(ctx, e, 'open'));
  if (content.environment !== e.name)
    throw new OperatorError(
      `refused, nothing changed: ${path} holds ${content.environment}'s secrets, and this is ${e.name}`,
      { exitCode: 2 },
    );
  const envPath = resolve(ctx.root, e.envFile);
  if (existsSync(envPath) && readFileSync(envPath, 'utf8') !== content.envFile)
    throw new OperatorError(
      `refused, nothing changed: ${e.envFile} exists and differs from the one in ${path}; move it away first if this host is to become the exported ${e.name}`,
      { exitCode: 2 },
    );
  checkDocker();
  const volume = `${e.project}_proxy_data_${e.name}`;
  if (content.ca) {
    // The CA goes into the proxy's volume, where proxy-certs takes it over at the first start.
    const vars = await images(ctx, { envFile: parse(content.envFile), vars: {} });
    // Made as Compose makes it, so that the project takes it as its own (and make clean-prod removes it).
    const made = docker([
      'volume',
      'create',
      '--label',
      `com.docker.compose.project=${e.project}`,
      '--label',
      `com.docker.compose.volume=proxy_data_${e.name}`,
      volume,
    ]);
    if (!made.ok) throw new OperatorError(`could not create volume ${volume}: ${made.err}`);
    const script = `set -e; mkdir -p "$(dirname ${CA_ROOT_IN_PROXY})"; if [ -s ${CA_ROOT_IN_PROXY} ] && ! printf '%s\\n' "$CA_CERT" | cmp -s - ${CA_ROOT_IN_PROXY}; then echo "this host's ${e.name} has a CA of its own" >&2; exit 3; fi; printf '%s\\n' "$CA_CERT" > ${CA_ROOT_IN_PROXY}; (umask 077; printf '%s\\n' "$CA_KEY" > ${KEY_IN_PROXY})`;
    const wrote = capture(
      'docker',
      [
        'run',
        '--rm',
        '--network',
        'none',
        '--user',
        '0:0',
        '-e',
        'CA_CERT',
        '-e',
        'CA_KEY',
        '-v',
        `${volume}:/data`,
        '--entrypoint',
        'sh',
        vars.CADDY_IMAGE!,
        '-c',
        script,
      ],
      { env: { ...cleanEnv(), CA_CERT: content.ca.certificate, CA_KEY: content.ca.key } },
    );
    if (!wrote.ok)
      throw new OperatorError(
        `refused: ${wrote.err.trim().split('\n').at(-1) || 'the CA could not be written'}; clean this host's prod (make clean-prod) if it is to become the exported one`,
        { exitCode: 2 },
      );
  }
  writeFileSync(envPath, content.envFile, { mode: 0o600 });
  say(
    `${e.name}'s secrets from ${path} (exported ${content.exportedAt}) are in place: ${e.envFile}${content.ca ? ` and its CA (in ${volume})` : ''}`,
  );
  say(`next: \`make restore-${e.name} AT=<time>\` rebuilds ${e.name} from its object store`);
}
