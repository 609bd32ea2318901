/** TRUST_PROXY by host name: only the addresses the name resolves to are believed; Express's own forms pass through. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '@chorus/logger';
import { proxyNames, trustProxy } from '../src/trusted-proxy.ts';
import { loadSettings } from '../src/settings.ts';

const log = createLogger({ name: 'test', level: 'silent' });

describe('TRUST_PROXY', () => {
  it('tells host names from the forms Express reads itself, and refuses a mix', () => {
    expect(proxyNames('proxy')).toEqual(['proxy']);
    expect(proxyNames('proxy, edge.example')).toEqual(['proxy', 'edge.example']);
    expect(proxyNames('loopback')).toEqual([]);
    expect(proxyNames('10.0.0.0/8, 127.0.0.1, ::1')).toEqual([]);
    expect(proxyNames('1')).toEqual([]);
    expect(proxyNames('proxy, 10.0.0.1')).toBeUndefined();
    expect(() => loadSettings({ TRUST_PROXY: 'proxy, 10.0.0.1', CHORUS_SIGN_IN: 'off' })).toThrow(/TRUST_PROXY/);
  });

  it("believes only the name's addresses, as they resolve", async () => {
    const { setting, stop } = trustProxy('localhost', log);
    try {
      const trusts = setting as (address: string) => boolean;
      await expect.poll(() => trusts('127.0.0.1')).toBe(true);
      expect(trusts('::ffff:127.0.0.1')).toBe(true);
      expect(trusts('10.0.0.7')).toBe(false);
    } finally {
      stop();
    }
  });

  it('hands an Express form over unchanged', () => {
    expect(trustProxy('loopback', log).setting).toBe('loopback');
  });
});
