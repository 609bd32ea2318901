/**
 * prod's certificate, kept in the proxy's data volume and brought up to date at each start (a one-shot before
 * the proxy): the CA is made once (or a root Caddy made is kept: users already trust it), and the leaf is
 * issued again when it is missing, names other hosts, points elsewhere for its CRL, or nears its end. A
 * replaced leaf goes on the CRL, which the proxy serves at the address every leaf names.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OperatorError } from '@chorus/errors';
import {
  LIFETIME_DAYS,
  type Authority,
  type Revoked,
  issueLeaf,
  importRootKey,
  keyPem,
  leafCrlUrls,
  leafNames,
  makeCrl,
  makeRoot,
  x509,
} from './authority.ts';

const DAY_MS = 86_400_000;

/** A leaf is issued again with fewer days than this left: every start within this window renews it. */
export const RENEW_DAYS = 90;

/** Where each file lives in the data directory (the proxy's /data). */
export const PKI_FILES = {
  /** The root, where Caddy keeps its own CA's: `make ca-prod` reads it, and ACME mode's localhost uses it. */
  rootCert: 'caddy/pki/authorities/local/root.crt',
  rootKey: 'caddy/pki/authorities/local/root.key',
  /** The leaf the proxy serves. */
  leafCert: 'chorus/tls/cert.pem',
  leafKey: 'chorus/tls/key.pem',
  /** The revocation list, served by the proxy at /pki/ca.crl (DER). */
  crl: 'chorus/pki/ca.crl',
} as const;

/**
 * The name prod's own programs reach the proxy by on prod's network (its Compose service): every leaf names it
 * too, so that they verify the proxy with prod's CA whatever certificate users get.
 */
export const PROXY_NAME = 'proxy';

/** The path the proxy serves the CRL at. */
export const CRL_PATH = '/pki/ca.crl';

export interface CertificateRequest {
  /** The proxy's data directory. */
  dir: string;
  /** Host names and addresses the leaf is for; the first also names it, and the CRL's host. */
  names: string[];
  /** The port clients reach the proxy on (the CRL's address). */
  port: number;
  /** The CA's name: "CHORUS prod". */
  caName: string;
  now?: Date;
}

export interface CertificateOutcome {
  ca: 'made' | 'kept';
  /** Why a leaf was issued; undefined when the one there was kept. */
  issued?: string;
  notAfter: Date;
  crlUrl: string;
}

/** The address every leaf names for the CRL. */
export const crlUrl = (names: string[], port: number) =>
  `https://${names[0]!.includes(':') ? `[${names[0]}]` : names[0]}${port === 443 ? '' : `:${port}`}${CRL_PATH}`;

/** Why the leaf must be issued again; undefined when it serves as it is. */
export function renewalReason(
  leaf: x509.X509Certificate | undefined,
  caVerifies: boolean,
  names: string[],
  url: string,
  now: Date,
): string | undefined {
  if (!leaf) return 'there was none';
  if (!caVerifies) return 'the one there is not signed by this CA';
  const had = leafNames(leaf);
  if (had.join(' ') !== names.join(' ')) return `its names changed (it had ${had.join(' ')})`;
  if (leafCrlUrls(leaf).join(' ') !== url) return `its CRL address changed (it had ${leafCrlUrls(leaf).join(' ')})`;
  const left = Math.floor((leaf.notAfter.getTime() - now.getTime()) / DAY_MS);
  if (left < RENEW_DAYS) return `${left} days were left (renewed under ${RENEW_DAYS})`;
  return undefined;
}

/** PEM as a file holds it: ending in a newline, so that files concatenated into a bundle stay readable. */
const pemFile = (pem: string) => `${pem.trimEnd()}\n`;

/** Writes `data` to `path` whole or not at all (a temporary file, then a rename). */
function writeAtomic(path: string, data: string | Uint8Array, mode: number) {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.new`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

const read = (dir: string, file: string) =>
  existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : undefined;

/** Whether `keyPem` is the key of `cert` (a start that stopped between the two writes leaves them apart). */
function keyFits(cert: x509.X509Certificate, keyPem: string | undefined): boolean {
  if (!keyPem) return false;
  try {
    const spki = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    return Buffer.compare(spki, Buffer.from(cert.publicKey.rawData)) === 0;
  } catch {
    return false;
  }
}

/** The CA in `dir`, or a new one; fails, naming the file, on a root and key that do not make a CA. */
async function authority(dir: string, caName: string, now: Date): Promise<{ ca: Authority; made: boolean }> {
  const certPem = read(dir, PKI_FILES.rootCert);
  const key = read(dir, PKI_FILES.rootKey);
  if (!certPem && !key) {
    const ca = await makeRoot(caName, now);
    writeAtomic(join(dir, PKI_FILES.rootKey), pemFile(await keyPem(ca.key, 'sec1')), 0o600);
    writeAtomic(join(dir, PKI_FILES.rootCert), pemFile(ca.cert.toString('pem')), 0o644);
    return { ca, made: true };
  }
  const where = join(dir, dirname(PKI_FILES.rootCert));
  if (!certPem || !key)
    throw new OperatorError(
      `${where} holds the CA's ${certPem ? 'certificate but not its key' : 'key but not its certificate'}: restore the missing file from a copy, or move both aside to make a new CA (users then trust the new one: make ca-prod)`,
    );
  const cert = new x509.X509Certificate(certPem);
  const imported = await importRootKey(key);
  if (!imported)
    throw new OperatorError(
      `${join(dir, PKI_FILES.rootKey)} is not an ECDSA P-256 or P-384 key: this CA signs with those only. Move the root aside to make a new CA`,
    );
  if (cert.notAfter < now)
    throw new OperatorError(
      `the CA ${cert.subject} expired on ${cert.notAfter.toISOString()}: move ${where} aside to make a new one, then trust it (make ca-prod)`,
    );
  return { ca: { cert, key: imported }, made: false };
}

/** Brings the CA, the leaf and the CRL in `req.dir` up to date; see the file's comment. */
export async function ensureCertificate(req: CertificateRequest): Promise<CertificateOutcome> {
  const now = req.now ?? new Date();
  const url = crlUrl(req.names, req.port);
  const { ca, made } = await authority(req.dir, req.caName, now);
  const leafPem = read(req.dir, PKI_FILES.leafCert);
  const leaf = leafPem ? new x509.X509Certificate(leafPem) : undefined;
  const signed = leaf ? await leaf.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }) : false;
  const why = renewalReason(leaf, signed && keyFits(leaf!, read(req.dir, PKI_FILES.leafKey)), req.names, url, now);
  const crlPem = existsSync(join(req.dir, PKI_FILES.crl)) ? readFileSync(join(req.dir, PKI_FILES.crl)) : undefined;
  if (!why && crlPem) return { ca: made ? 'made' : 'kept', notAfter: leaf!.notAfter, crlUrl: url };

  // The entries still worth naming: those revoked less than a leaf's life ago (older ones have ended).
  const previous = crlPem ? new x509.X509Crl(crlPem) : undefined;
  const stillValid = (d: Date) => now.getTime() - d.getTime() < LIFETIME_DAYS.leaf * DAY_MS;
  const revoked: Revoked[] =
    previous && (await previous.verify({ publicKey: ca.cert.publicKey }))
      ? previous.entries
          .filter((e) => stillValid(e.revocationDate))
          .map((e) => ({ serial: e.serialNumber, date: e.revocationDate }))
      : [];
  let next = leaf!;
  if (why) {
    if (leaf && signed && leaf.notAfter > now) revoked.push({ serial: leaf.serialNumber, date: now });
    const issued = await issueLeaf(ca, req.names, url, now);
    // The CRL first: a leaf that names it is never served before it exists.
    writeAtomic(join(req.dir, PKI_FILES.crl), new Uint8Array((await makeCrl(ca, revoked, now)).rawData), 0o644);
    writeAtomic(join(req.dir, PKI_FILES.leafKey), pemFile(issued.keyPem), 0o600);
    writeAtomic(join(req.dir, PKI_FILES.leafCert), pemFile(issued.cert.toString('pem')), 0o644);
    next = issued.cert;
  } else {
    writeAtomic(join(req.dir, PKI_FILES.crl), new Uint8Array((await makeCrl(ca, revoked, now)).rawData), 0o644);
  }
  return { ca: made ? 'made' : 'kept', issued: why, notAfter: next.notAfter, crlUrl: url };
}
