/**
 * `make ca-prod`: the CA prod's certificate comes from, copied out of the proxy's data volume beside .env.prod,
 * with its fingerprint and how to trust it. With ACME or the operator's own files, only localhost and
 * 127.0.0.1 are served from prod's own CA.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { OperatorError } from '@chorus/errors';
import { CA_ROOT_IN_PROXY, certificateMode } from '../certificates.ts';
import { PROXY_SERVICE } from '../compose-file.ts';
import type { Context } from '../context.ts';
import { readEnvFile } from '../env-file.ts';
import type { Environment } from '../environments.ts';
import { say } from '../output.ts';
import { checkDocker } from '../preflight.ts';

/** The host file `make ca-prod` writes the CA certificate to: beside .env.prod, git-ignored like it. */
export const caFile = (ctx: Pick<Context, 'root'>, e: Environment) =>
  resolve(ctx.root, dirname(e.envFile), `${e.name}-ca.crt`);

/** The proxy's CA certificate, read from the running proxy; written to caFile. */
export async function exportCa(ctx: Context, e: Environment): Promise<{ path: string; cert: X509Certificate }> {
  const read = await ctx.compose.execResult(e.project, PROXY_SERVICE, ['cat', CA_ROOT_IN_PROXY]);
  if (read.code !== 0)
    throw new OperatorError(
      `${e.name}'s proxy holds no CA certificate yet (${read.err.split('\n').at(-1) || `exit ${read.code}`}): start ${e.name} with \`make run-${e.name}\`, whose first start makes it`,
    );
  const cert = new X509Certificate(read.out);
  const path = caFile(ctx, e);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${read.out.trim()}\n`);
  return { path, cert };
}

export async function ca(ctx: Context, e: Environment) {
  checkDocker();
  const mode = certificateMode(readEnvFile(ctx.root, e));
  const { path, cert } = await exportCa(ctx, e);
  const shown = relative(process.cwd(), path) || path;
  say(`${e.name}'s CA certificate: ${shown}`);
  say(`  subject ${cert.subject.replace(/\n/g, ', ')}; valid until ${cert.validTo}`);
  say(`  SHA-256 fingerprint ${cert.fingerprint256}`);
  if (mode !== 'internal')
    say(
      `  ${e.name} serves its public names with ${mode === 'acme' ? 'certificates from its ACME CA' : 'your certificate (TLS_CERT_FILE)'}; this CA signs only localhost and 127.0.0.1`,
    );
  say('Trust it, after checking the fingerprint:');
  say(`  curl:               curl --cacert ${shown} https://localhost:5001/healthz`);
  say(
    `  this host (Debian): sudo cp ${shown} /usr/local/share/ca-certificates/chorus-${e.name}.crt && sudo update-ca-certificates`,
  );
  say("  a browser:          import it as an authority in the browser's certificate settings");
}
