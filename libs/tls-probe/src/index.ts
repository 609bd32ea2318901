/**
 * The certificate a TLS server presents, read without trusting it: make status shows prod's, and the web app
 * exports its expiry for Prometheus's alert.
 */
import { connect } from 'node:tls';

export interface ServedCertificate {
  subject: string;
  issuer: string;
  /** When it expires. */
  validTo: Date;
}

/**
 * A distinguished name on one line ("CN=x, O=y"). A leaf from Caddy's own CA has an empty subject (its names are
 * in subjectAltName only): Node then gives undefined, shown as its alternative names.
 */
const flat = (dn: string | undefined, alt?: string) => dn?.replace(/\n/g, ', ') || alt || '(empty)';

/** The certificate `host:port` presents for `servername` (SNI); rejects within `timeoutMs`. */
export function servedCertificate(
  host: string,
  port: number,
  { servername = 'localhost', timeoutMs = 5000 }: { servername?: string; timeoutMs?: number } = {},
): Promise<ServedCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, servername, rejectUnauthorized: false, timeout: timeoutMs }, () => {
      // Anything thrown here would be thrown on the socket's event, past every caller: rejected instead.
      try {
        const c = socket.getPeerX509Certificate();
        socket.end();
        if (!c) return reject(new Error('the server presented no certificate'));
        resolve({ subject: flat(c.subject, c.subjectAltName), issuer: flat(c.issuer), validTo: new Date(c.validTo) });
      } catch (error) {
        reject(error as Error);
      }
    });
    socket.on('timeout', () => socket.destroy(new Error(`no TLS answer within ${timeoutMs} ms`)));
    socket.on('error', reject);
  });
}

/** Whole days from `now` until the certificate expires (negative once it has). */
export const daysLeft = (c: Pick<ServedCertificate, 'validTo'>, now = new Date()) =>
  Math.floor((c.validTo.getTime() - now.getTime()) / 86_400_000);
