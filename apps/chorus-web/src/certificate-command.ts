/**
 * `issue-certificate`: the one-shot before prod's proxy (and the test environment's) that keeps its own CA,
 * the certificate the proxy serves and the CA's revocation list up to date in the proxy's data volume.
 */
import { ensureCertificate } from '@chorus/pki';
import { createLogger } from '@chorus/logger';
import { loadCertificateSettings } from './settings.ts';

export async function issueCertificate(o: { dir: string; port: number }): Promise<number> {
  const settings = loadCertificateSettings();
  const log = createLogger({ name: 'chorus-web', level: settings.logLevel });
  const out = await ensureCertificate({ dir: o.dir, port: o.port, names: settings.names, caName: settings.caName });
  const until = out.notAfter.toISOString().slice(0, 10);
  if (out.ca === 'made') log.info(`made the CA ${settings.caName} Root CA (make ca-prod prints it)`);
  log.info(
    out.issued
      ? `issued a certificate for ${settings.names.join(' ')}, valid until ${until}, because ${out.issued}; its CRL: ${out.crlUrl}`
      : `the certificate for ${settings.names.join(' ')} stands until ${until}`,
  );
  return 0;
}
