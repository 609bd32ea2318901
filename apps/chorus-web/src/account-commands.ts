/**
 * The account commands the env CLI runs in the web container (`make user-add-prod`, `make token-add-prod`
 * …): they print for an operator, and a password or token only once, when it is made.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { AccountStore, NAME_PATTERN, USER_ROLES, type UserRole } from '@chorus/db';
import { OperatorError } from '@chorus/errors';
import { ADMIN, generatePassword, generateToken, hashPassword, tokenHash } from './accounts.ts';
import { poolConfig, redisOptions } from './clients.ts';
import { loadAccountSettings } from './settings.ts';
import { SESSION_PREFIX, sessionStore } from './sign-in.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

export function checkName(name: string, what: 'account' | 'token'): string {
  if (!new RegExp(NAME_PATTERN).test(name)) {
    throw new OperatorError(
      `${what} name ${JSON.stringify(name)} is not allowed: use 1 to 40 lower-case letters, digits, dots, dashes and underscores, starting with a letter`,
    );
  }
  return name;
}

export function checkRole(role: string | undefined): UserRole {
  if (!USER_ROLES.includes(role as UserRole))
    throw new OperatorError(
      `role ${JSON.stringify(role ?? '')} is not one of ${USER_ROLES.join(', ')} (viewer reads; operator also submits, cancels and deletes)`,
    );
  return role as UserRole;
}

async function withAccounts<T>(fn: (accounts: AccountStore, redis: Redis) => Promise<T>): Promise<T> {
  const settings = loadAccountSettings();
  const pool = new pg.Pool(poolConfig(settings.postgres, 10_000));
  const redis = new Redis(settings.redisUrl, { ...redisOptions(10_000), lazyConnect: true });
  try {
    return await fn(new AccountStore(pool), redis);
  } finally {
    await pool.end();
    redis.disconnect();
  }
}

/** Signs the account out everywhere: its sessions are deleted from Redis. */
async function endSessions(redis: Redis, name: string): Promise<number> {
  const store = sessionStore(redis);
  const sessions = await new Promise<{ id: string; who?: { name: string } }[]>((resolve, reject) =>
    store.all((error, all) =>
      error ? reject(error) : resolve((all ?? []) as unknown as { id: string; who?: { name: string } }[]),
    ),
  );
  const ended = sessions.filter((s) => s.who?.name === name);
  if (ended.length > 0) await redis.del(...ended.map((s) => `${SESSION_PREFIX}${s.id}`));
  return ended.length;
}

export const listUsers = () =>
  withAccounts(async (accounts) => {
    const all = await accounts.list();
    if (all.length === 0) say('no accounts');
    for (const a of all) say(`${a.name.padEnd(24)} ${a.role.padEnd(9)} since ${a.createdAt}`);
  });

export const addUser = (name: string, role: string | undefined) =>
  withAccounts(async (accounts) => {
    checkName(name, 'account');
    const password = generatePassword();
    if (!(await accounts.add(name, checkRole(role), await hashPassword(password)))) {
      throw new OperatorError(
        `an account named ${name} exists already; remove it first (make user-remove-prod NAME=${name}) to change its role or password`,
      );
    }
    say(`account ${name} (${role}) added. Its password, shown this once:\n\n  ${password}\n`);
  });

export const removeUser = (name: string) =>
  withAccounts(async (accounts, redis) => {
    if (!(await accounts.remove(checkName(name, 'account'))))
      throw new OperatorError(`there is no account named ${name} (make users-prod lists them)`);
    say(`account ${name} removed; ${await endSessions(redis, name)} session(s) of it ended`);
  });

export const listTokens = () =>
  withAccounts(async (accounts) => {
    const all = await accounts.tokens();
    if (all.length === 0) say('no API tokens');
    for (const t of all) say(`${t.name.padEnd(24)} ${t.role.padEnd(9)} since ${t.createdAt}`);
  });

export const addToken = (name: string, role: string | undefined, { replace = false } = {}) =>
  withAccounts(async (accounts) => {
    checkName(name, 'token');
    const token = generateToken();
    if (replace) await accounts.revokeToken(name);
    if (!(await accounts.addToken(name, checkRole(role), tokenHash(token)))) {
      throw new OperatorError(
        `a token named ${name} exists already; revoke it first (make token-remove-prod NAME=${name}) or choose another name`,
      );
    }
    say(
      replace
        ? token
        : `token ${name} (${role}) added. Send it as "Authorization: Bearer <token>"; it is shown this once:\n\n  ${token}\n`,
    );
  });

export const removeToken = (name: string) =>
  withAccounts(async (accounts) => {
    if (!(await accounts.revokeToken(checkName(name, 'token'))))
      throw new OperatorError(`there is no token named ${name} (make tokens-prod lists them)`);
    say(`token ${name} revoked: a request that sends it now gets 401`);
  });

/** Sets the admin's password to CHORUS_ADMIN_PASSWORD (which the env CLI has just written into the env file), re-creating the account if it was removed. */
export const resetAdmin = () =>
  withAccounts(async (accounts, redis) => {
    const { adminPassword } = loadAccountSettings();
    if (!adminPassword)
      throw new OperatorError(
        'CHORUS_ADMIN_PASSWORD is not set; run this through make reset-admin-prod, which sets it',
      );
    await accounts.setPassword(ADMIN.name, ADMIN.role, await hashPassword(adminPassword));
    say(`admin's password reset; ${await endSessions(redis, ADMIN.name)} session(s) of it ended`);
  });

/** At install (the migrate step): the admin, when there is no account at all yet. */
export async function ensureAdmin(client: pg.ClientBase, password: string | undefined): Promise<string | undefined> {
  const accounts = new AccountStore(client);
  if (!password || (await accounts.count()) > 0) return undefined;
  await accounts.add(ADMIN.name, ADMIN.role, await hashPassword(password));
  return `account ${ADMIN.name} (${ADMIN.role}) created; its password is CHORUS_ADMIN_PASSWORD in the environment's env file`;
}
