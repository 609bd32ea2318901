/**
 * prod's HTTPS certificate: where it comes from (.env.prod chooses; deploy/compose/proxy/Caddyfile serves it),
 * the checks on the operator's own files, and what the running proxy serves (make ca-prod, make status).
 *   internal  prod's own CA, made at the first start and kept in the proxy's data volume, its certificate
 *             renewed at each start within 90 days of its end (the proxy-certs one-shot, @chorus/pki; the default);
 *   acme      an ACME CA (Let's Encrypt unless ACME_CA names another), when ACME_EMAIL is set and
 *             PROD_HOSTNAMES holds a public name; localhost and 127.0.0.1 still from prod's own CA;
 *   files     the operator's certificate and key (TLS_CERT_FILE, TLS_KEY_FILE).
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { OperatorError } from '@chorus/errors';
import { PKI_FILES, PROXY_NAME } from '@chorus/pki';
import { daysLeft, servedCertificate } from '@chorus/tls-probe';
import { PROXY_SERVICE } from './compose-file.ts';
import type { Context } from './context.ts';

export type CertificateMode = 'internal' | 'acme' | 'files';

const HOST = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** PROD_HOSTNAMES: host names or IP addresses, separated by spaces. */
export const hostNames = z
  .string()
  .transform((s) => s.trim())
  .refine((s) => !s.includes(','), { error: 'separate the names with spaces, not commas' })
  .refine((s) => s.split(/\s+/).every((n) => n === '' || HOST.test(n) || isIP(n) !== 0), {
    error: 'expected host names or IP addresses, such as chorus.example.com 192.0.2.10',
  })
  .refine((s) => !s.split(/\s+/).includes(PROXY_NAME), {
    error: `${PROXY_NAME} is the name prod's own programs reach its proxy by, and always served: leave it out`,
  });

/** Names an ACME CA can certify: not localhost, a private suffix or an address (as Caddy decides). */
export const isPublicName = (name: string) =>
  isIP(name) === 0 && name.includes('.') && !/(^|\.)(localhost|local|internal|home\.arpa)$/i.test(name);

export interface CertificateSettings {
  PROD_HOSTNAMES?: string;
  ACME_EMAIL?: string;
  TLS_CERT_FILE?: string;
  TLS_KEY_FILE?: string;
}

export function certificateMode(v: CertificateSettings): CertificateMode {
  if (v.TLS_CERT_FILE || v.TLS_KEY_FILE) return 'files';
  return v.ACME_EMAIL ? 'acme' : 'internal';
}

/** What is wrong with the certificate settings, by key; [] when nothing is. */
export function certificateProblems(v: CertificateSettings, now = new Date()): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const names = (v.PROD_HOSTNAMES ?? '').split(/\s+/).filter(Boolean);
  if (v.ACME_EMAIL && (v.TLS_CERT_FILE || v.TLS_KEY_FILE))
    problems.push({
      path: ['ACME_EMAIL'],
      message:
        'set either ACME_EMAIL (certificates from an ACME CA) or TLS_CERT_FILE and TLS_KEY_FILE (your own), not both',
    });
  if (v.ACME_EMAIL && !names.some(isPublicName))
    problems.push({
      path: ['PROD_HOSTNAMES'],
      message: `an ACME CA certifies public names only: add prod's public host name (such as chorus.example.com) to PROD_HOSTNAMES${names.length ? ` (it holds ${names.join(' ')})` : ''}`,
    });
  if (!v.TLS_CERT_FILE !== !v.TLS_KEY_FILE) {
    problems.push({
      path: [v.TLS_CERT_FILE ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE'],
      message: 'set both TLS_CERT_FILE and TLS_KEY_FILE (absolute paths to PEM files), or neither',
    });
    return problems;
  }
  if (!v.TLS_CERT_FILE || !v.TLS_KEY_FILE) return problems;
  const read = (key: 'TLS_CERT_FILE' | 'TLS_KEY_FILE', path: string) => {
    if (!path.startsWith('/')) problems.push({ path: [key], message: `expected an absolute path, found ${path}` });
    else if (!existsSync(path)) problems.push({ path: [key], message: `${path} does not exist` });
    else return readFileSync(path);
    return undefined;
  };
  const cert = read('TLS_CERT_FILE', v.TLS_CERT_FILE);
  const key = read('TLS_KEY_FILE', v.TLS_KEY_FILE);
  if (!cert || !key) return problems;
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    return [...problems, { path: ['TLS_CERT_FILE'], message: `${v.TLS_CERT_FILE} is not a PEM certificate` }];
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key)))
      problems.push({ path: ['TLS_KEY_FILE'], message: `${v.TLS_KEY_FILE} is not the key of ${v.TLS_CERT_FILE}` });
  } catch {
    problems.push({ path: ['TLS_KEY_FILE'], message: `${v.TLS_KEY_FILE} is not a PEM private key` });
  }
  if (new Date(x509.validTo) < now)
    problems.push({ path: ['TLS_CERT_FILE'], message: `${v.TLS_CERT_FILE} expired on ${x509.validTo}` });
  return problems;
}

/** Days left under which make status warns about the certificate. */
export const CERTIFICATE_WARN_DAYS = 14;

/** make status's certificate line: subject, issuer and days left, flagged under CERTIFICATE_WARN_DAYS. */
export async function certificateLine(port: number, now = new Date()): Promise<string> {
  try {
    const c = await servedCertificate('127.0.0.1', port);
    const days = daysLeft(c, now);
    const warn =
      days < CERTIFICATE_WARN_DAYS
        ? ` — RENEW: under ${CERTIFICATE_WARN_DAYS} days left; make run-prod renews prod's own CA's certificate (an ACME CA's: make logs-prod shows the proxy's renewals; your own: replace TLS_CERT_FILE and run make run-prod)`
        : '';
    return `  certificate: ${c.subject}, issued by ${c.issuer}, ${days} days left${warn}`;
  } catch (error) {
    return `  certificate: none read on port ${port} (${(error as Error).message})`;
  }
}

/** Where the proxy keeps its own CA's root (where Caddy keeps its own CA's, so that one made by Caddy stands). */
export const CA_ROOT_IN_PROXY = `/data/${PKI_FILES.rootCert}`;

/** The leaf proxy-certs writes, and the mark of the one the proxy last loaded. */
const LEAF_IN_PROXY = `/data/${PKI_FILES.leafCert}`;
const LOADED_MARK = `${LEAF_IN_PROXY}.loaded`;

/**
 * Caddy reads its certificate files when it starts or reloads: a leaf proxy-certs issued since the proxy last
 * loaded one is loaded by a reload, which is graceful (connections open keep their server). True if it reloaded.
 */
export async function loadRenewedCertificate(ctx: Context, project: string): Promise<boolean> {
  const r = await ctx.compose.execResult(project, PROXY_SERVICE, [
    'sh',
    '-c',
    // No mark yet: the proxy started after proxy-certs' first leaf (this release's first start), so serves it.
    `[ -e ${LOADED_MARK} ] || { touch ${LOADED_MARK}; exit 3; }; [ ${LEAF_IN_PROXY} -nt ${LOADED_MARK} ] || exit 3; caddy reload --config /etc/caddy/Caddyfile --adapter caddyfile --force && touch ${LOADED_MARK}`,
  ]);
  if (r.code === 3) return false;
  if (r.code !== 0)
    throw new OperatorError(
      `the proxy did not load its renewed certificate (${r.err.split('\n').at(-1) || `exit ${r.code}`}): make logs-prod shows why; make run-prod tries again`,
    );
  return true;
}
