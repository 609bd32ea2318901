import express from 'express';
import type { Redis } from 'ioredis';
import { pinoHttp } from 'pino-http';
import type pg from 'pg';
import { AccountStore, type TaskStore } from '@chorus/db';
import type { Logger } from '@chorus/logger';
import type { ReadModel } from '@chorus/read-model';
import { apiRoutes } from './api-routes.ts';
import { errorHandler } from './errors.ts';
import { healthRoutes } from './health-routes.ts';
import { LiveChanges } from './live.ts';
import type { WebMetrics } from './metrics.ts';
import { pageRoutes } from './page-routes.ts';
import { securityHeaders } from './security.ts';
import { signIn } from './sign-in.ts';
import { setEnvironment } from './templates.ts';
import { TaskViews } from './task-views.ts';
import type { TrustProxy } from './trusted-proxy.ts';
import { WritePause } from './write-pause.ts';
import { WriteStoreWatch } from './write-store-watch.ts';

export interface Deps {
  /** The environment's name, shown on every page (CHORUS_ENV). */
  env?: string;
  pool: pg.Pool;
  redis: Redis;
  store: TaskStore;
  model: ReadModel;
  log: Logger;
  /** The key that signs session cookies: sign-in is required with one, off without (CHORUS_SIGN_IN). */
  sessionSecret?: string;
  /** Express's `trust proxy`: which proxies' X-Forwarded-* to believe (TRUST_PROXY, see trusted-proxy.ts; none by default). */
  trustProxy?: TrustProxy;
  /** Times every request for /metrics (served on a port of its own; see metrics.ts). */
  metrics?: WebMetrics;
}

export function createApp({ pool, redis, store, model, log, env = 'local', sessionSecret, trustProxy, metrics }: Deps) {
  setEnvironment(env);
  const written = new WriteStoreWatch(store, log);
  const views = new TaskViews(store, model, written);
  const app = express();
  app.disable('x-powered-by');
  if (trustProxy) app.set('trust proxy', trustProxy);
  if (metrics) app.use(metrics.middleware);
  app.use(
    pinoHttp({
      logger: log,
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      // One short line a request, never its headers: they carry session cookies and API tokens.
      serializers: {
        req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(securityHeaders());
  app.use(healthRoutes({ pool, redis, log }));
  app.use(signIn({ redis, accounts: new AccountStore(pool), sessionSecret }));
  // Whatever a request that may write did, the next page counts Postgres's tasks again.
  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') res.on('finish', () => written.changed());
    next();
  });
  app.use(new WritePause(model).start().middleware());
  app.use(new LiveChanges(redis, log).start().routes());
  app.use('/api', apiRoutes({ store, model, views }));
  app.use(pageRoutes({ store, model, views }));
  app.use(errorHandler(log));
  return app;
}
