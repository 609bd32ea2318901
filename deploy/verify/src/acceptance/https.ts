/**
 * fetch for prod's HTTPS, trusting one CA (prod's own, as make ca-prod writes it): Node's fetch takes its CAs
 * only when the process starts, and prod's CA is made after this suite has started. Same shape as fetch
 * (a WHATWG Response), never following a redirect, so that a test sees each answer.
 */
import { request } from 'node:https';

export interface TrustingInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  signal?: AbortSignal;
}

export function trustingFetch(ca: string | Buffer): (url: string, init?: TrustingInit) => Promise<Response> {
  return (url, init = {}) =>
    new Promise((resolve, reject) => {
      const body = init.body === undefined ? undefined : String(init.body);
      const headers: Record<string, string> = { ...init.headers };
      if (init.body instanceof URLSearchParams) headers['content-type'] ??= 'application/x-www-form-urlencoded';
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const req = request(url, { method: init.method ?? 'GET', headers, ca, signal: init.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const out = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) out.append(name, v);
          const status = res.statusCode ?? 0;
          // A Response cannot carry a body with these statuses.
          const empty = status === 204 || status === 304;
          resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers: out }));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
}
