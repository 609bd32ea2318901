/** Sign-in, roles and API tokens, on a real PostgreSQL and Redis, as a browser and an API client meet them. */
import { describe, expect, it } from 'vitest';
import { defaults } from '@chorus/config';
import { useHarness } from './support/harness.ts';

const h = useHarness({ signIn: true, trustProxy: 'loopback' });
const json = { 'content-type': 'application/json' };
const task = (query: string) => JSON.stringify({ query, mode: 'flash' });

/** Signs in through the form; resolves to the response and the session cookie (`name=value`). */
async function signIn(
  name: string,
  password: string,
  { next, headers = {} }: { next?: string; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${h.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers,
    body: new URLSearchParams({ name, password, ...(next ? { next } : {}) }),
  });
  return { res, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? '' };
}

describe('without credentials', () => {
  it('a page redirects to /login (303), remembering where it was going', async () => {
    const res = await fetch(`${h.url}/query/${'a'.repeat(32)}?expect=CANCELLED`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(
      `/login?next=${encodeURIComponent(`/query/${'a'.repeat(32)}?expect=CANCELLED`)}`,
    );
    const login = await fetch(`${h.url}${res.headers.get('location')}`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('<form class="login" method="post" action="/login">');
  });

  it('the API answers 401 JSON, and writes nothing', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/tasks', undefined],
      ['POST', '/api/tasks', task('no credentials')],
      ['GET', '/events', undefined],
    ] as const) {
      const res = await fetch(`${h.url}${path}`, { method, headers: json, body });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    }
    expect(await h.rows()).toBe(0);
  });

  it('/healthz and /readyz stay open and reveal nothing', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(`${h.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(JSON.stringify(await res.json()), path).not.toMatch(/admin|session|token|password/i);
    }
  });
});

describe('accounts and roles', () => {
  it('signs an operator in with a session cookie that is HttpOnly and SameSite=Lax, Secure only over TLS', async () => {
    await h.addAccount('olga', 'operator', 'olga-password-1');
    const plain = await signIn('olga', 'olga-password-1', { next: '/?status=READY' });
    expect(plain.res.status).toBe(303);
    expect(plain.res.headers.get('location')).toBe('/?status=READY');
    const flags = plain.res.headers.get('set-cookie')!;
    expect(flags).toMatch(/^chorus\.sid=/);
    expect(flags).toMatch(/; HttpOnly/i);
    expect(flags).toMatch(/; SameSite=Lax/i);
    expect(flags).not.toMatch(/; Secure/i);
    // Behind a TLS proxy this app trusts (TRUST_PROXY), the cookie is Secure.
    const tls = await signIn('olga', 'olga-password-1', { headers: { 'x-forwarded-proto': 'https' } });
    expect(tls.res.headers.get('set-cookie')).toMatch(/; Secure/i);

    const page = await fetch(`${h.url}/`, { headers: { cookie: plain.cookie } });
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('Signed in as <strong>olga</strong> (operator)');
    expect(body).toContain('<form class="submit"');
  });

  it("a viewer reads, gets 403 on every write, and sees no write control; an operator's write gets 202", async () => {
    await h.addAccount('vera', 'viewer', 'vera-password-1');
    const operator = await h.addToken('deploy', 'operator');
    const created = await fetch(`${h.url}/api/tasks`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${operator}` },
      body: task('a task for the roles'),
    });
    expect(created.status).toBe(201);
    const { hash } = (await created.json()) as { hash: string };

    const { cookie } = await signIn('vera', 'vera-password-1');
    expect((await fetch(`${h.url}/api/tasks/${hash}`, { headers: { cookie } })).status).toBe(202);
    const writes: [string, string, RequestInit][] = [
      ['POST', '/api/tasks', { headers: { ...json, cookie }, body: task('a viewer writes') }],
      ['POST', `/api/tasks/${hash}/cancel`, { headers: { ...json, cookie } }],
      ['DELETE', `/api/tasks/${hash}`, { headers: { ...json, cookie } }],
      ['POST', '/', { headers: { cookie }, body: new URLSearchParams({ query: 'a viewer writes', mode: 'flash' }) }],
      ['POST', `/query/${hash}/cancel`, { headers: { cookie } }],
      ['POST', `/query/${hash}/delete`, { headers: { cookie } }],
    ];
    for (const [method, path, init] of writes)
      expect(
        (await fetch(`${h.url}${path}`, { method, redirect: 'manual', ...init })).status,
        `${method} ${path}`,
      ).toBe(403);
    expect((await h.pg.sql(`SELECT status FROM task_queue`)).rows).toEqual([{ status: 'PENDING_ANALYSIS' }]);
    const dashboard = await (await fetch(`${h.url}/`, { headers: { cookie } })).text();
    expect(dashboard).toContain('Signed in as <strong>vera</strong> (viewer)');
    expect(dashboard).not.toContain('<form class="submit"');

    const cancelled = await fetch(`${h.url}/api/tasks/${hash}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}` },
    });
    expect(cancelled.status).toBe(202);
  });

  it('a revoked token gets 401 at once; an unknown one too', async () => {
    const token = await h.addToken('short-lived', 'viewer');
    expect((await fetch(`${h.url}/api/tasks`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await h.accounts.revokeToken('short-lived');
    const revoked = await fetch(`${h.url}/api/tasks`, { headers: { authorization: `Bearer ${token}` } });
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { error: { message: string } }).error.message).toContain('unknown or revoked');
    expect((await fetch(`${h.url}/api/tasks`, { headers: { authorization: 'Bearer chorus_made-up' } })).status).toBe(
      401,
    );
  });

  it(`the ${defaults.signInLimits.perAccount + 1}th wrong password within a minute gets 429, and then so does the right one`, async () => {
    await h.addAccount('mallory-target', 'operator', 'the-right-password');
    const statuses: number[] = [];
    for (let i = 0; i <= defaults.signInLimits.perAccount; i++)
      statuses.push((await signIn('mallory-target', `wrong ${i}`)).res.status);
    expect(statuses).toEqual([...Array(defaults.signInLimits.perAccount).fill(401), 429]);
    const blocked = await signIn('mallory-target', 'the-right-password');
    expect(blocked.res.status).toBe(429);
    expect(Number(blocked.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.res.text()).toContain('Too many wrong passwords. Wait');
    expect(blocked.cookie).toBe('');
  });

  it('the access log names each request and its status, and never its token or session cookie', async () => {
    await h.addAccount('logged', 'operator', 'logged-password-1');
    const { cookie } = await signIn('logged', 'logged-password-1');
    const token = await h.addToken('logged-token', 'operator');
    expect((await fetch(`${h.url}/api/tasks?by=cookie`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${h.url}/api/tasks?by=token`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );
    await new Promise((resolve) => setImmediate(resolve));
    const lines = h.logLines.filter((l) => l.includes('/api/tasks?by='));
    expect(
      lines
        .map((l) => JSON.parse(l) as { req: { method: string; url: string }; res: { statusCode: number } })
        .map((l) => [l.req.method, l.req.url, l.res.statusCode]),
    ).toEqual([
      ['GET', '/api/tasks?by=cookie', 200],
      ['GET', '/api/tasks?by=token', 200],
    ]);
    const secrets = [token, cookie.split('=')[1]!, decodeURIComponent(cookie.split('=')[1]!)];
    for (const line of h.logLines) for (const secret of secrets) expect(line).not.toContain(secret);
  });

  it('a session in use has its idle time renewed in Redis on its first request, then at most once a minute', async () => {
    await h.addAccount('renewed', 'viewer', 'renewed-password-1');
    const { cookie } = await signIn('renewed', 'renewed-password-1');
    const key = `session:${/^s:([^.]+)\./.exec(decodeURIComponent(cookie.split('=')[1]!))![1]}`;
    const use = async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await fetch(`${h.url}/api/tasks`, { headers: { cookie } })).status).toBe(200);
      return h.client.pttl(key);
    };
    const afterSignIn = await h.client.pttl(key);
    const renewed = await use();
    const notAgain = await use();
    expect(renewed).toBeGreaterThan(afterSignIn - 100);
    expect(renewed).toBeGreaterThan(defaults.sessionIdleMs - 1000);
    expect(notAgain).toBeLessThan(renewed - 150);
  });

  it('sign-out ends the session', async () => {
    await h.addAccount('sam', 'viewer', 'sam-password-1');
    const { cookie } = await signIn('sam', 'sam-password-1');
    const out = await fetch(`${h.url}/logout`, { method: 'POST', redirect: 'manual', headers: { cookie } });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    expect((await fetch(`${h.url}/api/tasks`, { headers: { cookie } })).status).toBe(401);
  });

  it('the OpenAPI description declares the token and the session, and a 401 on every operation', async () => {
    const token = await h.addToken('reader', 'viewer');
    const doc = (await (
      await fetch(`${h.url}/api/openapi.json`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      security: Record<string, string[]>[];
      components: { securitySchemes: Record<string, { type: string; scheme?: string; in?: string; name?: string }> };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.components.securitySchemes.apiToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'chorus.sid' });
    expect(doc.security).toEqual([{ apiToken: [] }, { session: [] }]);
    for (const [path, operations] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(operations))
        expect(op.responses['401'], `${method} ${path}`).toBeDefined();
  });

  it('never sends a browser elsewhere after sign-in', async () => {
    await h.addAccount('nina', 'viewer', 'nina-password-1');
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      expect((await signIn('nina', 'nina-password-1', { next })).res.headers.get('location'), next).toBe('/');
    }
  });
});
