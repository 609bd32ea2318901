/**
 * prod's own certificate authority: its root, the leaf it signs for the proxy, and its revocation list, made
 * with WebCrypto (ECDSA P-256, as Caddy's own CA makes its root, so a root Caddy made is taken over as it is).
 */
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[1]);

type CryptoKey = webcrypto.CryptoKey;

const DAY_MS = 86_400_000;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** How long each lives: a leaf within what browsers accept of a private CA, renewed well before its end. */
export const LIFETIME_DAYS = { root: 3650, leaf: 365 } as const;

export interface Authority {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

export interface Leaf {
  cert: x509.X509Certificate;
  /** Its key, PEM (PKCS #8). */
  keyPem: string;
}

/** Curves a taken-over root may use, by OpenSSL's name. */
const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384' };

/** A positive serial number of 16 random bytes, as hex. */
const serial = () => {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
};

const days = (from: Date, n: number) => new Date(from.getTime() + n * DAY_MS);

/** A root's key from PEM (SEC 1 as Caddy writes it, or PKCS #8); undefined for a curve this CA does not sign with. */
export async function importRootKey(pem: string): Promise<CryptoKey | undefined> {
  const key = createPrivateKey(pem);
  const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (key.asymmetricKeyType !== 'ec' || !curve) return undefined;
  const der = key.export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: curve }, true, ['sign']);
}

/** A key as PEM: SEC 1 for a root (the form Caddy reads and writes), PKCS #8 for a leaf. */
export async function keyPem(key: CryptoKey, form: 'sec1' | 'pkcs8'): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: form, format: 'pem' }) as string;
}

const newKeys = () =>
  webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]) as Promise<webcrypto.CryptoKeyPair>;

/** A new root, named `name` (such as "CHORUS prod"). */
export async function makeRoot(name: string, now: Date): Promise<Authority> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name} Root CA`,
    notBefore: days(now, -1),
    notAfter: days(now, LIFETIME_DAYS.root),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, key: keys.privateKey };
}

/** A server certificate for `names` (host names and addresses), whose revocation list is at `crlUrl`. */
export async function issueLeaf(ca: Authority, names: string[], crlUrl: string, now: Date): Promise<Leaf> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names[0]}`,
    issuer: ca.cert.subject,
    notBefore: days(now, -1),
    notAfter: days(now, LIFETIME_DAYS.leaf),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      new x509.CRLDistributionPointsExtension([crlUrl]),
    ],
  });
  return { cert, keyPem: await keyPem(keys.privateKey, 'pkcs8') };
}

export interface Revoked {
  serial: string;
  /** When it was replaced. */
  date: Date;
}

/** The CA's revocation list, naming `revoked` (leaves replaced before their end), valid as long as a new leaf. */
export async function makeCrl(ca: Authority, revoked: Revoked[], now: Date): Promise<x509.X509Crl> {
  return x509.X509CrlGenerator.create({
    issuer: ca.cert.subject,
    thisUpdate: now,
    nextUpdate: days(now, LIFETIME_DAYS.leaf),
    entries: revoked.map((r) => ({
      serialNumber: r.serial,
      revocationDate: r.date,
      reason: x509.X509CrlReason.superseded,
    })),
    signingKey: ca.key,
    signingAlgorithm: SIGNING,
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(ca.cert)],
  });
}

/** The leaf's names (its subjectAltName), in order. */
export function leafNames(cert: x509.X509Certificate): string[] {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  return san?.names.items.map((n) => n.value) ?? [];
}

/** The addresses of the leaf's revocation list. */
export function leafCrlUrls(cert: x509.X509Certificate): string[] {
  const dp = cert.getExtension(x509.CRLDistributionPointsExtension);
  return (
    dp?.distributionPoints.flatMap(
      (p) =>
        p.distributionPoint?.fullName?.flatMap((g) =>
          g.uniformResourceIdentifier ? [g.uniformResourceIdentifier] : [],
        ) ?? [],
    ) ?? []
  );
}

export { x509 };
