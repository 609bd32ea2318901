/**
 * Express's `trust proxy` from TRUST_PROXY. Its own forms (addresses, subnets, `loopback`, `uniquelocal`, a hop
 * count) go to Express as they are. Host names (prod's `proxy` service) are looked up now and every few seconds,
 * since a recreated proxy comes back on another address: only a request from one of their addresses has its
 * X-Forwarded-* believed.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from '@chorus/logger';
import { defaults } from '@chorus/config';

const KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal', 'true', 'false']);
const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;
/** A host name, as opposed to an address, a subnet, a hop count or one of Express's keywords. */
const isName = (item: string) =>
  HOST_NAME.test(item) && /[a-z]/i.test(item) && !KEYWORDS.has(item.toLowerCase()) && !isIP(item);

export type TrustProxy = string | ((address: string) => boolean);

/** TRUST_PROXY's host names, [] for Express's own forms, or undefined for a mix of both (settings refuse it). */
export function proxyNames(value: string): string[] | undefined {
  const items = value.split(',').map((s) => s.trim());
  const names = items.filter(isName);
  return names.length === 0 || names.length === items.length ? names : undefined;
}

/** The trust-proxy setting, and a stop for its lookups. */
export function trustProxy(value: string, log: Logger): { setting: TrustProxy; stop(): void } {
  const names = proxyNames(value) ?? [];
  if (names.length === 0) return { setting: value, stop: () => undefined };
  let trusted = new Set<string>();
  const refresh = async () => {
    const found = new Set<string>();
    for (const name of names) {
      try {
        for (const a of await lookup(name, { all: true })) found.add(a.address);
      } catch (error) {
        log.warn({ name, err: (error as Error).message }, 'a trusted proxy name does not resolve');
      }
    }
    trusted = found;
  };
  void refresh();
  const timer = setInterval(() => void refresh(), defaults.trustedProxyLookupMs);
  timer.unref();
  const setting = (address: string) => trusted.has(address.replace(/^::ffff:/, ''));
  return { setting, stop: () => clearInterval(timer) };
}
