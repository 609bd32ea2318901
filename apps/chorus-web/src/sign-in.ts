/**
 * Sign-in: sessions (express-session, kept in the environment's Redis), API tokens (Authorization:
 * Bearer), the login and logout routes, and the rate limit on wrong passwords (rate-limiter-flexible, in
 * Redis, so that it holds across restarts). After `signIn()`, every request has `res.locals.access`.
 */
import RedisStore from 'connect-redis';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { defaults } from '@chorus/config';
import type { AccountStore } from '@chorus/db';
import { type Access, OPEN, type Who, canWrite } from './access.ts';
import { TokenCheck, checkPassword } from './accounts.ts';
import { HttpError, sendError } from './errors.ts';
import { BODY_LIMIT } from './limits.ts';
import { refuseCrossSite } from './security.ts';
import { loginPage } from './templates.ts';

declare module 'express-session' {
  interface SessionData {
    who: Who;
  }
}

/** Where sessions live in Redis, and the cookie that names one. The account commands remove them by this prefix. */
export const SESSION_PREFIX = 'session:';
export const SESSION_COOKIE = 'chorus.sid';

/**
 * Sessions in Redis, whose idle expiry is renewed at most once a `renewEveryMs` per session. express-session
 * renews it on every request and holds the response until Redis answers: a second round trip on each API
 * call. A session may so end up to that much before its idle time is up.
 */
class SessionStore extends RedisStore {
  private readonly renewed = new Map<string, number>();

  constructor(
    redis: Redis,
    private readonly renewEveryMs: number,
  ) {
    super({ client: redis, prefix: SESSION_PREFIX });
  }

  override async touch(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): Promise<void> {
    const now = Date.now();
    if (now - (this.renewed.get(sid) ?? 0) < this.renewEveryMs) return cb?.();
    // Forgetting every session at once only costs each one an early renewal.
    if (this.renewed.size >= MAX_REMEMBERED) this.renewed.clear();
    this.renewed.set(sid, now);
    return super.touch(sid, sess, cb);
  }
}

const MAX_REMEMBERED = 10_000;

export const sessionStore = (redis: Redis, renewEveryMs: number = defaults.sessionRenewMs) =>
  new SessionStore(redis, renewEveryMs);

/** Only a path on this site: never another host (`//evil`), never back to the login page. */
const safeNext = (next: unknown) =>
  typeof next === 'string' && /^\/(?![/\\])/.test(next) && !next.startsWith('/login') ? next : '/';

/** Requests a browser makes for a page, as opposed to the JSON API and the event stream. */
const wantsPage = (req: Request) => !req.path.startsWith('/api/') && req.path !== '/events';

export interface SignInOptions {
  redis: Redis;
  accounts: AccountStore;
  /** The key that signs session cookies; sign-in is off without it. */
  sessionSecret?: string;
}

export function signIn({ redis, accounts, sessionSecret }: SignInOptions): express.Router {
  const router = express.Router();
  if (!sessionSecret) {
    router.use((_req, res, next) => {
      res.locals.access = OPEN;
      next();
    });
    router.get('/login', (_req, res) => res.redirect(303, '/'));
    return router;
  }

  const limits = defaults.signInLimits;
  const tokens = new TokenCheck(accounts);
  const perAccount = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: 'sign-in:account',
    points: limits.perAccount,
    duration: limits.windowS,
  });
  const perAddress = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: 'sign-in:address',
    points: limits.perAddress,
    duration: limits.windowS,
  });

  router.use(
    session({
      store: sessionStore(redis),
      name: SESSION_COOKIE,
      secret: sessionSecret,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      // Secure when the request came over TLS (directly, or through a proxy that TRUST_PROXY trusts).
      cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: defaults.sessionIdleMs },
    }),
  );

  router.get('/login', (req, res) => {
    if (req.session.who) return res.redirect(303, safeNext(req.query.next));
    res.type('html').send(loginPage({ next: safeNext(req.query.next) }));
  });

  const form = express.urlencoded({ extended: false, limit: BODY_LIMIT });
  router.post('/login', refuseCrossSite, form, async (req, res) => {
    const name = typeof req.body?.name === 'string' ? req.body.name.trim().toLowerCase() : '';
    const password = typeof req.body?.password === 'string' ? req.body.password : '';
    const next = safeNext(req.body?.next);
    const [account, address] = await Promise.all([perAccount.get(name), perAddress.get(req.ip ?? 'unknown')]);
    const blocked = [
      account && account.consumedPoints >= limits.perAccount ? account : null,
      address && address.consumedPoints >= limits.perAddress ? address : null,
    ].filter((r) => r !== null);
    if (blocked.length > 0) {
      const wait = Math.ceil(Math.max(...blocked.map((r) => r.msBeforeNext)) / 1000);
      return res
        .status(429)
        .set('Retry-After', String(wait))
        .type('html')
        .send(loginPage({ next, name, error: `Too many wrong passwords. Wait ${wait} s, then try again.` }));
    }
    const who = name && password ? await checkPassword(accounts, name, password) : undefined;
    if (!who) {
      await Promise.all([perAccount.penalty(name), perAddress.penalty(req.ip ?? 'unknown')]);
      return res
        .status(401)
        .type('html')
        .send(loginPage({ next, name, error: 'Wrong name or password.' }));
    }
    await perAccount.delete(name);
    // A new session id at sign-in, so that an id planted before it is worth nothing.
    await new Promise<void>((resolve, reject) =>
      req.session.regenerate((error) => (error ? reject(error) : resolve())),
    );
    req.session.who = who;
    await new Promise<void>((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())));
    res.redirect(303, next);
  });

  router.post('/logout', refuseCrossSite, (req, res, next) => {
    req.session.destroy((error) => {
      if (error) return next(error);
      res.clearCookie(SESSION_COOKIE).redirect(303, '/login');
    });
  });

  router.use(async (req, res, next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (bearer) {
      const who = await tokens.check(bearer);
      if (!who) return unauthenticated(res, 'this API token is unknown or revoked');
      res.locals.access = { signIn: 'required', who, via: 'token' } satisfies Access;
      return next();
    }
    if (req.session.who) {
      res.locals.access = { signIn: 'required', who: req.session.who, via: 'session' } satisfies Access;
      return next();
    }
    if (wantsPage(req) && (req.method === 'GET' || req.method === 'HEAD'))
      return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    if (wantsPage(req)) return res.redirect(303, '/login');
    unauthenticated(res, 'sign in, or send an API token as Authorization: Bearer <token>');
  });
  return router;
}

function unauthenticated(res: Response, message: string) {
  res.set('WWW-Authenticate', 'Bearer realm="chorus"');
  sendError(res, 401, 'unauthenticated', message);
}

/** Before a route that changes tasks: a viewer gets 403. */
export const requireOperator: RequestHandler = (_req: Request, res: Response, next: NextFunction) => {
  const access = res.locals.access as Access;
  if (canWrite(access)) return next();
  next(
    new HttpError(403, 'forbidden', 'your role (viewer) only reads; an operator can submit, cancel and delete tasks'),
  );
};
