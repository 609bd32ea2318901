/**
 * Passwords and API tokens: generated here, hashed here, checked here. Passwords with bcrypt (slow on
 * purpose); tokens, which are long and random, by SHA-256, so that each request finds its token by index.
 */
import { createHash, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { defaults } from '@chorus/config';
import type { AccountStore, UserRole } from '@chorus/db';

/** The admin made at install (`make run-prod`) and reset by `make reset-admin-prod`. */
export const ADMIN = { name: 'admin', role: 'operator' } as const satisfies { name: string; role: UserRole };

export const TOKEN_PREFIX = 'chorus_';

export const generatePassword = () => randomBytes(18).toString('base64url');
export const generateToken = () => `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export const hashPassword = (password: string, cost: number = defaults.passwordCost) => bcrypt.hash(password, cost);

/** A hash compared when the account does not exist, so that a wrong name takes as long as a wrong password. */
let nobody: Promise<string> | undefined;

/** The account's name and role if the password is its own. */
export async function checkPassword(accounts: AccountStore, name: string, password: string): Promise<{ name: string; role: UserRole } | undefined> {
  const account = await accounts.find(name);
  const ok = await bcrypt.compare(password, account?.passwordHash ?? (await (nobody ??= hashPassword(generatePassword()))));
  return ok && account ? { name: account.name, role: account.role } : undefined;
}

/** The token's name and role, unless it is unknown or revoked. */
export async function checkToken(accounts: AccountStore, token: string): Promise<{ name: string; role: UserRole } | undefined> {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const found = await accounts.findToken(tokenHash(token));
  return found && { name: `token:${found.name}`, role: found.role };
}
