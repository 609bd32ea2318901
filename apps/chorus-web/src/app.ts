import express from 'express';
import type { Redis } from 'ioredis';
import { pinoHttp } from 'pino-http';
import type pg from 'pg';
import type { TaskStore } from '@chorus/db';
import type { Logger } from '@chorus/logger';
import type { ReadModel } from '@chorus/read-model';
import { apiRoutes } from './api-routes.ts';
import { errorHandler } from './errors.ts';
import { healthRoutes } from './health-routes.ts';
import { LiveChanges } from './live.ts';
import { pageRoutes } from './page-routes.ts';
import { securityHeaders } from './security.ts';
import { setEnvironment } from './templates.ts';
import { TaskViews } from './task-views.ts';
import { WritePause } from './write-pause.ts';

export interface Deps {
  /** The environment's name, shown on every page (CHORUS_ENV). */
  env?: string;
  pool: pg.Pool;
  redis: Redis;
  store: TaskStore;
  model: ReadModel;
  log: Logger;
}

export function createApp({ pool, redis, store, model, log, env = 'local' }: Deps) {
  setEnvironment(env);
  const views = new TaskViews(store, model);
  const app = express();
  app.disable('x-powered-by');
  app.use(pinoHttp({ logger: log, autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' } }));
  app.use(securityHeaders());
  app.use(healthRoutes({ pool, redis, log }));
  app.use(new WritePause(model).start().middleware());
  app.use(new LiveChanges(redis, log).start().routes());
  app.use('/api', apiRoutes({ store, model, views }));
  app.use(pageRoutes({ store, model, views }));
  app.use(errorHandler(log));
  return app;
}
