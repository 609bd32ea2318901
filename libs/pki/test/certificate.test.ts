import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OperatorError } from '@chorus/errors';
import { PKI_FILES, RENEW_DAYS, crlUrl, ensureCertificate } from '../src/index.ts';

const DAY = 86_400_000;
const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'chorus-pki-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const file = (dir: string, f: keyof typeof PKI_FILES) => join(dir, PKI_FILES[f]);
const leafOf = (dir: string) => new X509Certificate(readFileSync(file(dir, 'leafCert')));
const rootOf = (dir: string) => new X509Certificate(readFileSync(file(dir, 'rootCert')));
const request = (dir: string, names = ['localhost', '127.0.0.1'], now = new Date('2026-12-06T12:00:00Z')) => ({
  dir,
  names,
  port: 5001,
  caName: 'CHORUS prod',
  now,
});
/** openssl's own reading of the CRL: the serials it revokes, after checking it against the root. */
const crlSerials = (dir: string) => {
  const text = execFileSync(
    'openssl',
    ['crl', '-inform', 'DER', '-in', file(dir, 'crl'), '-noout', '-text', '-CAfile', file(dir, 'rootCert')],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return [...text.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => m[1]!.replace(/^0+/, ''));
};
/** openssl verify of the leaf against the root, with the CRL checked. */
const verifies = (dir: string) => {
  const crlPem = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', file(dir, 'crl')], { encoding: 'utf8' });
  writeFileSync(join(dir, 'crl.pem'), crlPem);
  try {
    execFileSync(
      'openssl',
      [
        'verify',
        '-crl_check',
        '-CAfile',
        file(dir, 'rootCert'),
        '-CRLfile',
        join(dir, 'crl.pem'),
        file(dir, 'leafCert'),
      ],
      {
        stdio: 'pipe',
      },
    );
    return true;
  } catch {
    return false;
  }
};

describe("prod's own CA", () => {
  it('makes a CA and a leaf for the names, with a CRL address, that openssl verifies against the CA and its CRL', async () => {
    const dir = fresh();
    const out = await ensureCertificate(request(dir, ['localhost', '127.0.0.1', 'chorus.example.com']));
    expect(out).toMatchObject({ ca: 'made', issued: 'there was none', crlUrl: 'https://localhost:5001/pki/ca.crl' });
    const leaf = leafOf(dir);
    expect(leaf.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, DNS:chorus.example.com');
    expect(leaf.checkIssued(rootOf(dir))).toBe(true);
    expect(leaf.infoAccess).toBeUndefined();
    expect(
      execFileSync('openssl', ['x509', '-in', file(dir, 'leafCert'), '-noout', '-ext', 'crlDistributionPoints'], {
        encoding: 'utf8',
      }),
    ).toContain('URI:https://localhost:5001/pki/ca.crl');
    expect(rootOf(dir).ca).toBe(true);
    expect(rootOf(dir).subject).toBe('CN=CHORUS prod Root CA');
    expect(verifies(dir)).toBe(true);
    expect(statSync(file(dir, 'leafKey')).mode & 0o777).toBe(0o600);
    expect(statSync(file(dir, 'rootKey')).mode & 0o777).toBe(0o600);
    expect(readFileSync(file(dir, 'rootKey'), 'utf8')).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    // Each PEM file ends its line, so that files concatenated into one bundle stay readable.
    for (const f of ['rootCert', 'rootKey', 'leafCert', 'leafKey'] as const)
      expect(readFileSync(file(dir, f), 'utf8')).toMatch(/-----\n$/);
    expect(
      new X509Certificate(readFileSync(file(dir, 'leafCert'))).checkPrivateKey(
        createPrivateKey(readFileSync(file(dir, 'leafKey'))),
      ),
    ).toBe(true);
  });

  it('keeps the leaf at the next start, and renews it within the renewal window', async () => {
    const dir = fresh();
    const start = new Date('2026-12-06T12:00:00Z');
    await ensureCertificate(request(dir, undefined, start));
    const first = leafOf(dir).serialNumber;
    const kept = await ensureCertificate(request(dir, undefined, new Date(start.getTime() + 30 * DAY)));
    expect(kept.ca).toBe('kept');
    expect(kept.issued).toBeUndefined();
    expect(leafOf(dir).serialNumber).toBe(first);
    const daysIn = 365 - RENEW_DAYS + 2;
    const renewed = await ensureCertificate(request(dir, undefined, new Date(start.getTime() + daysIn * DAY)));
    expect(renewed.issued).toMatch(/days were left/);
    expect(leafOf(dir).serialNumber).not.toBe(first);
    // The replaced leaf is on the CRL; the new one verifies.
    expect(crlSerials(dir)).toEqual([first.replace(/^0+/, '')]);
  });

  it('issues a leaf again when the names change, revoking the one it replaces', async () => {
    const dir = fresh();
    await ensureCertificate(request(dir));
    const first = leafOf(dir);
    const out = await ensureCertificate(request(dir, ['chorus.example.com', 'localhost', '127.0.0.1']));
    expect(out.issued).toBe('its names changed (it had localhost 127.0.0.1)');
    expect(out.crlUrl).toBe('https://chorus.example.com:5001/pki/ca.crl');
    expect(crlSerials(dir)).toEqual([first.serialNumber.replace(/^0+/, '')]);
    expect(verifies(dir)).toBe(true);
    // The old leaf, checked against the new CRL, is refused.
    writeFileSync(file(dir, 'leafCert'), first.toString());
    expect(verifies(dir)).toBe(false);
  });

  it("takes over a root Caddy made (an EC key in SEC 1 form), so users' trust of it stands", async () => {
    const dir = fresh();
    await ensureCertificate(request(dir));
    const root = readFileSync(file(dir, 'rootCert'), 'utf8');
    const other = fresh();
    mkdirSync(dirname(file(other, 'rootCert')), { recursive: true });
    writeFileSync(file(other, 'rootCert'), root);
    writeFileSync(file(other, 'rootKey'), readFileSync(file(dir, 'rootKey')));
    const out = await ensureCertificate(request(other));
    expect(out).toMatchObject({ ca: 'kept', issued: 'there was none' });
    expect(readFileSync(file(other, 'rootCert'), 'utf8')).toBe(root);
    expect(verifies(other)).toBe(true);
  });

  it('issues again a leaf not signed by this CA, or whose key is not its own', async () => {
    const dir = fresh();
    await ensureCertificate(request(dir));
    writeFileSync(
      file(dir, 'leafKey'),
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    expect((await ensureCertificate(request(dir))).issued).toBe('the one there is not signed by this CA');
    expect(verifies(dir)).toBe(true);
  });

  it('refuses a CA with its key missing, naming the file and the fix, and writes nothing', async () => {
    const dir = fresh();
    await ensureCertificate(request(dir));
    rmSync(file(dir, 'rootKey'));
    rmSync(file(dir, 'leafCert'));
    const failed = ensureCertificate(request(dir));
    await expect(failed).rejects.toBeInstanceOf(OperatorError);
    await expect(failed).rejects.toThrow(/holds the CA's certificate but not its key: restore the missing file/);
    expect(() => statSync(file(dir, 'leafCert'))).toThrow();
  });

  it('names the CRL by the first name, and by the port unless it is 443', () => {
    expect(crlUrl(['proxy'], 443)).toBe('https://proxy/pki/ca.crl');
    expect(crlUrl(['::1'], 5001)).toBe('https://[::1]:5001/pki/ca.crl');
  });
});
