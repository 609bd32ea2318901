/** Reading a served certificate: a real TLS server on 127.0.0.1 with a certificate openssl made. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daysLeft, servedCertificate } from '../src/index.ts';

describe('servedCertificate', () => {
  it('reads the subject, issuer and expiry a server presents, without trusting it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chorus-tls-probe-'));
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
        '-days',
        '10',
        '-subj',
        '/CN=probe.test',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
      ],
      { stdio: 'ignore' },
    );
    const server = createServer(
      { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) },
      (s) => s.end(),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const c = await servedCertificate('127.0.0.1', port, { servername: 'probe.test' });
      expect(c.subject).toBe('CN=probe.test');
      expect(c.issuer).toBe('CN=probe.test');
      expect(daysLeft(c)).toBeGreaterThanOrEqual(9);
      expect(daysLeft(c, new Date(Date.now() + 20 * 86_400_000))).toBeLessThan(0);
    } finally {
      server.close();
    }
  });

  it("shows the alternative names of a certificate whose subject is empty (as Caddy's own CA issues them)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chorus-tls-probe-'));
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
        '-days',
        '1',
        '-subj',
        '/',
        '-addext',
        'subjectAltName=DNS:proxy',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
      ],
      { stdio: 'ignore' },
    );
    const server = createServer(
      { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) },
      (s) => s.end(),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const c = await servedCertificate('127.0.0.1', (server.address() as { port: number }).port, {
        servername: 'proxy',
      });
      expect(c.subject).toBe('DNS:proxy');
    } finally {
      server.close();
    }
  });

  it('rejects, naming why, when nothing answers', async () => {
    await expect(servedCertificate('127.0.0.1', 1, { timeoutMs: 1000 })).rejects.toThrow(/ECONNREFUSED/);
  });
});
