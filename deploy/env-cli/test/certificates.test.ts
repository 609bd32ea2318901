/** .env.prod's certificate settings: the mode they choose, and every problem named before prod starts. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificateMode, certificateProblems, hostNames, isPublicName } from '../src/certificates.ts';

const dir = mkdtempSync(join(tmpdir(), 'chorus-certs-'));
/** A self-signed certificate and its key, made by openssl. */
function pair(name: string, days = 30) {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-days',
      String(days),
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
const messages = (v: Parameters<typeof certificateProblems>[0], now?: Date) =>
  certificateProblems(v, now).map((p) => `${p.path.join('.')}: ${p.message}`);

describe("prod's certificate settings", () => {
  it('choose the mode: own files, then ACME, else prod’s own CA', () => {
    expect(certificateMode({})).toBe('internal');
    expect(certificateMode({ ACME_EMAIL: 'ops@example.com', PROD_HOSTNAMES: 'chorus.example.com' })).toBe('acme');
    expect(certificateMode({ TLS_CERT_FILE: '/a.crt', TLS_KEY_FILE: '/a.key' })).toBe('files');
  });

  it('take host names and addresses separated by spaces', () => {
    expect(hostNames.safeParse('chorus.example.com 192.0.2.10 ::1').success).toBe(true);
    expect(hostNames.safeParse('a.example.com,b.example.com').error?.issues[0]?.message).toMatch(/spaces, not commas/);
    expect(hostNames.safeParse('bad_name!').success).toBe(false);
    // The name prod's own programs reach the proxy by is always served: given again, Caddy would refuse to start.
    expect(hostNames.safeParse('chorus.example.com proxy').error?.issues[0]?.message).toMatch(
      /proxy is the name .* leave it out/,
    );
    expect(['chorus.example.com', 'localhost', 'box.local', '10.0.0.1', 'x.internal'].map(isPublicName)).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('refuse ACME without a public name, and ACME with own files', () => {
    expect(messages({ ACME_EMAIL: 'ops@example.com', PROD_HOSTNAMES: 'localhost 10.0.0.5' })).toEqual([
      "PROD_HOSTNAMES: an ACME CA certifies public names only: add prod's public host name (such as chorus.example.com) to PROD_HOSTNAMES (it holds localhost 10.0.0.5)",
    ]);
    const { cert, key } = pair('both');
    expect(
      messages({
        ACME_EMAIL: 'ops@example.com',
        PROD_HOSTNAMES: 'chorus.example.com',
        TLS_CERT_FILE: cert,
        TLS_KEY_FILE: key,
      })[0],
    ).toMatch(/^ACME_EMAIL: set either ACME_EMAIL/);
  });

  it('check own files: both set, absolute, present, PEM, a matching key, not expired', () => {
    const good = pair('good');
    const other = pair('other');
    expect(messages({ TLS_CERT_FILE: good.cert, TLS_KEY_FILE: good.key })).toEqual([]);
    expect(messages({ TLS_CERT_FILE: good.cert })).toEqual([
      'TLS_KEY_FILE: set both TLS_CERT_FILE and TLS_KEY_FILE (absolute paths to PEM files), or neither',
    ]);
    expect(messages({ TLS_CERT_FILE: 'cert.pem', TLS_KEY_FILE: good.key })).toEqual([
      'TLS_CERT_FILE: expected an absolute path, found cert.pem',
    ]);
    expect(messages({ TLS_CERT_FILE: join(dir, 'none.crt'), TLS_KEY_FILE: good.key })).toEqual([
      `TLS_CERT_FILE: ${join(dir, 'none.crt')} does not exist`,
    ]);
    writeFileSync(join(dir, 'junk.crt'), 'not a certificate');
    expect(messages({ TLS_CERT_FILE: join(dir, 'junk.crt'), TLS_KEY_FILE: good.key })).toEqual([
      `TLS_CERT_FILE: ${join(dir, 'junk.crt')} is not a PEM certificate`,
    ]);
    expect(messages({ TLS_CERT_FILE: good.cert, TLS_KEY_FILE: other.key })).toEqual([
      `TLS_KEY_FILE: ${other.key} is not the key of ${good.cert}`,
    ]);
    expect(messages({ TLS_CERT_FILE: good.cert, TLS_KEY_FILE: good.cert })).toEqual([
      `TLS_KEY_FILE: ${good.cert} is not a PEM private key`,
    ]);
    const inTwoMonths = new Date(Date.now() + 60 * 86_400_000);
    expect(messages({ TLS_CERT_FILE: good.cert, TLS_KEY_FILE: good.key }, inTwoMonths)[0]).toMatch(
      /^TLS_CERT_FILE: .*good\.crt expired on /,
    );
  });
});
