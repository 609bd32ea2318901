/** The tester's clients, from its settings (read once, on first use): Postgres as the app role, and the read model in Redis. */
import { Redis } from 'ioredis';
import pg from 'pg';
import { defaults } from '@chorus/config';
import { ReadModel } from '@chorus/read-model';
import { type TesterSettings, testerSettings } from './settings.ts';

let loaded: TesterSettings | undefined;
export const settings = (): TesterSettings => (loaded ??= testerSettings());

/** A pool of the app role's connections; a connection not made within `connectTimeoutMs` fails its write. */
export function openPool(max = 4, connectTimeoutMs: number = defaults.dependencyTimeoutMs): pg.Pool {
  const pool = new pg.Pool({ ...settings().postgres, max, connectionTimeoutMillis: connectTimeoutMs });
  // A killed Postgres drops idle clients; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** The Redis client and the read model over it; `redis` is for what the read model does not do (a flush, a raw protocol check). */
export function openReadModel(): { model: ReadModel; redis: Redis } {
  const redis = new Redis(settings().redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 5000 });
  redis.on('error', () => undefined);
  return { model: new ReadModel(redis), redis };
}

/**
 * Where sign-in is on, the admin's session cookie (signed in once, through the form); '' where it is off.
 * Rejects, saying why, when the admin cannot sign in.
 */
let session: Promise<string> | undefined;
export function adminCookie(): Promise<string> {
  return (session ??= (async () => {
    const { webUrl, adminPassword } = settings();
    if ((await fetch(`${webUrl}/api/stats`, { redirect: 'manual' })).status === 200) return '';
    if (!adminPassword)
      throw new Error('sign-in is on here, and the tester has no CHORUS_ADMIN_PASSWORD to sign in with');
    const res = await fetch(`${webUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ name: 'admin', password: adminPassword }),
    });
    if (res.status !== 303) throw new Error(`signing in as admin answered ${res.status}`);
    return res.headers.get('set-cookie')!.split(';')[0]!;
  })());
}
