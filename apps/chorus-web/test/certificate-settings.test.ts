import { describe, expect, it } from 'vitest';
import { loadCertificateSettings } from '../src/settings.ts';

describe("issue-certificate's settings", () => {
  it("names prod's host names first (the CRL's host), then localhost, 127.0.0.1 and the proxy's own name, once each", () => {
    const s = loadCertificateSettings({
      CHORUS_ENV: 'prod',
      PROD_HOSTNAMES: ' chorus.example.com  192.0.2.10 localhost ',
    });
    expect(s.caName).toBe('CHORUS prod');
    expect(s.names).toEqual(['chorus.example.com', '192.0.2.10', 'localhost', '127.0.0.1', 'proxy']);
  });

  it('names localhost first without PROD_HOSTNAMES', () => {
    expect(loadCertificateSettings({ CHORUS_ENV: 'test' }).names).toEqual(['localhost', '127.0.0.1', 'proxy']);
  });
});
