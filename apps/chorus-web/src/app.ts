import express, { type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import type pg from 'pg';
import type { TaskStore } from '@chorus/db';
import type { Logger } from '@chorus/logger';
import type { ReadModel, Redis } from '@chorus/read-model';
import { STATUSES, type Status, isHash, taskInput } from '@chorus/tasks';
import { HttpError, errorHandler, sendError } from './errors.ts';
import { dashboard, messagePage, pendingPage, taskPage } from './pages.ts';
import { TaskViews } from './service.ts';

export interface Deps {
  pool: pg.Pool;
  redis: Redis;
  store: TaskStore;
  model: ReadModel;
  log: Logger;
}

const BODY_LIMIT = '16kb';

function parseInput(body: unknown) {
  const result = taskInput.safeParse(body ?? {});
  if (!result.success) throw new HttpError(400, 'invalid_task', result.error.issues.map((i) => i.message).join('; '));
  return result.data;
}

function hashParam(req: Request): string {
  const hash = String(req.params.hash);
  if (!isHash(hash)) throw new HttpError(400, 'invalid_hash', 'a task hash is 32 lower-case hex characters');
  return hash;
}

function statusQuery(value: unknown): Status | undefined {
  if (value === undefined || value === '') return undefined;
  if (!STATUSES.includes(value as Status)) throw new HttpError(400, 'invalid_status', `status must be one of ${STATUSES.join(', ')}`);
  return value as Status;
}

function limitQuery(value: unknown): number {
  if (value === undefined || value === '') return 50;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new HttpError(400, 'invalid_limit', 'limit must be a whole number from 1 to 500');
  return n;
}

const withTimeout = <T>(what: string, promise: Promise<T>, ms = 2000) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms))]);

export function createApp({ pool, redis, store, model, log }: Deps) {
  const views = new TaskViews(store, model);
  const app = express();
  app.disable('x-powered-by');
  app.use(pinoHttp({ logger: log, autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' } }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const checks = await Promise.allSettled([withTimeout('postgres', pool.query('SELECT 1')), withTimeout('redis', redis.ping())]);
    const [postgres, redisCheck] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : `down: ${(c.reason as Error).message}`));
    const failed = [postgres !== 'ok' ? 'postgres' : null, redisCheck !== 'ok' ? 'redis' : null].filter(Boolean);
    if (failed.length === 0) return res.json({ status: 'ready', postgres, redis: redisCheck });
    res.status(503).json({ status: 'not_ready', postgres, redis: redisCheck, error: { code: 'not_ready', message: `${failed.join(' and ')} unreachable` } });
  });

  // --- JSON API ----------------------------------------------------------------------------------
  const api = express.Router();
  // A body of another type is refused before anything reads it; a request without a body is fine.
  api.use((req, _res, next) => {
    if (req.is('application/json') === false) throw new HttpError(415, 'unsupported_media_type', 'send the request body as application/json');
    next();
  });
  api.use(express.json({ limit: BODY_LIMIT, strict: true }));

  api.post('/tasks', async (req, res) => {
    const { created, task } = await store.submit(parseInput(req.body));
    res.status(created ? 201 : 200).location(`/api/tasks/${task.hash}`).json(task);
  });

  api.get('/tasks', async (req, res) => {
    const tasks = await model.list({ status: statusQuery(req.query.status), limit: limitQuery(req.query.limit) });
    res.json({ tasks });
  });

  api.get('/stats', async (_req, res) => {
    const [stats, pipeline] = await Promise.all([model.stats(), views.pipeline()]);
    res.json({ ...stats, pipeline });
  });

  api.get('/tasks/:hash', async (req, res) => {
    const found = await views.lookup(hashParam(req));
    if (found.state === 'ready') return res.json(found.task);
    if (found.state === 'pending') return res.status(202).json({ hash: found.task.hash, state: 'pending' });
    sendError(res, 404, 'not_found', 'no task has this hash');
  });

  api.post('/tasks/:hash/cancel', async (req, res) => {
    const result = await store.cancel(hashParam(req));
    if (result.outcome === 'not_found') return sendError(res, 404, 'not_found', 'no task has this hash');
    if (result.outcome === 'conflict') {
      return sendError(res, 409, 'not_cancellable', `the task is ${result.status}; only PENDING_ANALYSIS or ANALYSIS_IN_PROGRESS tasks can be cancelled`);
    }
    res.status(202).json({ hash: result.task.hash, status: result.task.status, state: 'pending' });
  });

  api.delete('/tasks/:hash', async (req, res) => {
    const hash = hashParam(req);
    if (!(await store.remove(hash))) return sendError(res, 404, 'not_found', 'no task has this hash');
    res.status(202).json({ hash, deleted: true, state: 'pending' });
  });

  api.use((_req, res) => sendError(res, 404, 'not_found', 'no such endpoint'));
  app.use('/api', api);

  // --- Pages -------------------------------------------------------------------------------------
  const renderDashboard = async (res: Response, status: number, extra: { error?: string; notice?: string; form?: { query?: string; mode?: string }; filter?: Status } = {}) => {
    const [tasks, stats, pipeline] = await Promise.all([model.list({ status: extra.filter, limit: 50 }), model.stats(), views.pipeline()]);
    res.status(status).type('html').send(dashboard({ tasks, stats, pipeline, ...extra }));
  };

  app.get('/', async (req, res) => {
    let filter: Status | undefined;
    try {
      filter = statusQuery(req.query.status);
    } catch (error) {
      return renderDashboard(res, 400, { error: (error as Error).message });
    }
    await renderDashboard(res, 200, { filter, notice: req.query.deleted ? 'Task deleted; it leaves the list once the pipeline delivers the change.' : undefined });
  });

  app.post('/', express.urlencoded({ extended: false, limit: BODY_LIMIT }), async (req, res) => {
    const form = { query: typeof req.body?.query === 'string' ? req.body.query : undefined, mode: req.body?.mode };
    const parsed = taskInput.safeParse(req.body ?? {});
    if (!parsed.success) {
      return renderDashboard(res, 400, { error: parsed.error.issues.map((i) => i.message).join('; '), form });
    }
    const { task } = await store.submit(parsed.data);
    res.redirect(303, `/query/${task.hash}`);
  });

  const badLink = (res: Response) => res.status(400).type('html').send(messagePage('Bad link', 'A task hash is 32 lower-case hex characters.'));

  app.get('/query/:hash', async (req, res) => {
    const hash = String(req.params.hash);
    if (!isHash(hash)) return badLink(res);
    const found = await views.lookup(hash);
    const expect = STATUSES.includes(req.query.expect as Status) ? (req.query.expect as Status) : undefined;
    if (found.state === 'ready') return res.type('html').send(taskPage(found.task, expect));
    if (found.state === 'pending') return res.type('html').send(pendingPage(found.task));
    res.status(404).type('html').send(messagePage('No such task', `No task has the hash ${hash}.`));
  });

  app.post('/query/:hash/cancel', async (req, res) => {
    const hash = String(req.params.hash);
    if (!isHash(hash)) return badLink(res);
    const result = await store.cancel(hash);
    if (result.outcome === 'not_found') return res.status(404).type('html').send(messagePage('No such task', `No task has the hash ${hash}.`));
    if (result.outcome === 'conflict') {
      return res.status(409).type('html').send(messagePage('Cannot cancel', `The task is ${result.status}; only pending or running tasks can be cancelled.`));
    }
    res.redirect(303, `/query/${hash}?expect=CANCELLED`);
  });

  app.post('/query/:hash/delete', async (req, res) => {
    const hash = String(req.params.hash);
    if (!isHash(hash)) return badLink(res);
    if (!(await store.remove(hash))) return res.status(404).type('html').send(messagePage('No such task', `No task has the hash ${hash}.`));
    res.redirect(303, '/?deleted=1');
  });

  app.use((_req, res) => {
    res.status(404).type('html').send(messagePage('Not found', 'There is no page here.'));
  });
  app.use(errorHandler(log));
  return app;
}
