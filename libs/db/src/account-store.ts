/**
 * Who may use an environment's UI and API: accounts (a name, a role and a password hash) and API tokens
 * (a name, a role and the token's SHA-256). Hashing is the caller's; this file only stores.
 */
import type pg from 'pg';

/** viewer reads; operator also submits, cancels and deletes. */
export const USER_ROLES = ['viewer', 'operator'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** An account's or a token's name: what `make user-add-prod NAME=` and `make token-add-prod NAME=` accept. */
export const NAME_PATTERN = '^[a-z][a-z0-9._-]{0,39}$';

export const ACCOUNT_TABLES = ['public.accounts', 'public.api_tokens'] as const;

export interface Account {
  name: string;
  role: UserRole;
  passwordHash: string;
  createdAt: string;
}

export interface ApiToken {
  name: string;
  role: UserRole;
  createdAt: string;
}

export class AccountStore {
  constructor(private readonly db: pg.Pool | pg.ClientBase) {}

  async find(name: string): Promise<Account | undefined> {
    const { rows } = await this.db.query('SELECT name, role, password_hash, created_at FROM accounts WHERE name = $1', [
      name,
    ]);
    return (
      rows[0] && {
        name: rows[0].name,
        role: rows[0].role,
        passwordHash: rows[0].password_hash,
        createdAt: rows[0].created_at.toISOString(),
      }
    );
  }

  async list(): Promise<Omit<Account, 'passwordHash'>[]> {
    const { rows } = await this.db.query('SELECT name, role, created_at FROM accounts ORDER BY name');
    return rows.map((r) => ({ name: r.name, role: r.role, createdAt: r.created_at.toISOString() }));
  }

  /** Adds the account; false when the name is taken (nothing changed). */
  async add(name: string, role: UserRole, passwordHash: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'INSERT INTO accounts (name, role, password_hash) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
      [name, role, passwordHash],
    );
    return rowCount === 1;
  }

  /** Sets the account's password, creating it with `role` if it is missing. */
  async setPassword(name: string, role: UserRole, passwordHash: string): Promise<void> {
    await this.db.query(
      'INSERT INTO accounts (name, role, password_hash) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET password_hash = EXCLUDED.password_hash',
      [name, role, passwordHash],
    );
  }

  async remove(name: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM accounts WHERE name = $1', [name])).rowCount === 1;
  }

  async count(): Promise<number> {
    return Number((await this.db.query('SELECT count(*) AS n FROM accounts')).rows[0].n);
  }

  /** Adds a token by its hash; false when the name is taken. */
  async addToken(name: string, role: UserRole, tokenHash: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'INSERT INTO api_tokens (name, role, token_hash) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
      [name, role, tokenHash],
    );
    return rowCount === 1;
  }

  /** The token with this hash, if it has not been revoked. */
  async findToken(tokenHash: string): Promise<ApiToken | undefined> {
    const { rows } = await this.db.query('SELECT name, role, created_at FROM api_tokens WHERE token_hash = $1', [
      tokenHash,
    ]);
    return rows[0] && { name: rows[0].name, role: rows[0].role, createdAt: rows[0].created_at.toISOString() };
  }

  async tokens(): Promise<ApiToken[]> {
    const { rows } = await this.db.query('SELECT name, role, created_at FROM api_tokens ORDER BY name');
    return rows.map((r) => ({ name: r.name, role: r.role, createdAt: r.created_at.toISOString() }));
  }

  async revokeToken(name: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM api_tokens WHERE name = $1', [name])).rowCount === 1;
  }
}
