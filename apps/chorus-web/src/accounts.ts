/**
 * Passwords and API tokens: generated here, hashed here, checked here. Passwords with bcrypt (slow on
 * purpose); tokens, which are long and random, by SHA-256, so that each request finds its token by index.
 */
import { createHash, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { defaults } from '@chorus/config';
import type { AccountStore, UserRole } from '@chorus/db';
import { isUnavailable } from './errors.ts';

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
export async function checkPassword(
  accounts: AccountStore,
  name: string,
  password: string,
): Promise<{ name: string; role: UserRole } | undefined> {
  const account = await accounts.find(name);
  const ok = await bcrypt.compare(
    password,
    account?.passwordHash ?? (await (nobody ??= hashPassword(generatePassword()))),
  );
  return ok && account ? { name: account.name, role: account.role } : undefined;
}

/**
 * API tokens, checked against Postgres. A token checked good within `graceMs` still counts while Postgres
 * does not answer (nobody can revoke one then either), so that its reads go on from the read model.
 */
export class TokenCheck {
  private readonly good = new Map<string, { who: { name: string; role: UserRole }; at: number }>();
  /** After Postgres failed to answer, known tokens are taken from memory for a while without asking it again. */
  private awayUntil = 0;

  constructor(
    private readonly accounts: AccountStore,
    private readonly graceMs: number = defaults.tokenGraceMs,
  ) {}

  /** The token's name and role, unless it is unknown or revoked. */
  async check(token: string): Promise<{ name: string; role: UserRole } | undefined> {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const hash = tokenHash(token);
    const known = this.good.get(hash);
    const usable = known && Date.now() - known.at < this.graceMs ? known.who : undefined;
    if (usable && Date.now() < this.awayUntil) return usable;
    let found;
    try {
      found = await this.accounts.findToken(hash);
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      this.awayUntil = Date.now() + defaults.dependencyTimeoutMs * 5;
      if (usable) return usable;
      throw error;
    }
    if (!found) return void this.good.delete(hash);
    const who = { name: `token:${found.name}`, role: found.role };
    this.good.set(hash, { who, at: Date.now() });
    return who;
  }
}
