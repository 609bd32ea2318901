/** The JSON API under /api. Errors are HttpErrors, rendered as `{error: {code, message}}` by errorHandler. */
import express, { type Request, type Response } from 'express';
import type { TaskStore } from '@chorus/db';
import type { ReadModel } from '@chorus/read-model';
import { HttpError, sendError } from './errors.ts';
import { BODY_LIMIT } from './limits.ts';
import type { Access } from './access.ts';
import { ALLOWED_METHODS, openApiDocument } from './openapi.ts';
import { refuseCrossSite } from './security.ts';
import { requireOperator } from './sign-in.ts';
import { cancelTask, deleteTask, hashParam, limitQuery, readTaskInput, statusQuery, taskNotFound } from './requests.ts';
import type { TaskViews } from './task-views.ts';

export function apiRoutes({ store, model, views }: { store: TaskStore; model: ReadModel; views: TaskViews }) {
  async function submit(req: Request, res: Response) {
    const read = readTaskInput(req.body);
    if (!read.ok) throw new HttpError(400, 'invalid_task', read.message);
    const { created, task } = await store.submit(read.input);
    res
      .status(created ? 201 : 200)
      .location(`/api/tasks/${task.hash}`)
      .json(task);
  }

  async function list(req: Request, res: Response) {
    const tasks = await model.list({ status: statusQuery(req.query.status), limit: limitQuery(req.query.limit) });
    res.json({ tasks });
  }

  async function stats(_req: Request, res: Response) {
    const [counts, pipeline] = await Promise.all([model.stats(), views.pipeline()]);
    res.json({ ...counts, pipeline });
  }

  async function show(req: Request, res: Response) {
    const hash = hashParam(req);
    const found = await views.lookup(hash);
    if (found.state === 'ready') return res.json(found.task);
    if (found.state === 'pending') return res.status(202).json({ hash: found.task.hash, state: 'pending' });
    throw taskNotFound(hash);
  }

  async function cancel(req: Request, res: Response) {
    const task = await cancelTask(store, hashParam(req));
    res.status(202).json({ hash: task.hash, status: task.status, state: 'pending' });
  }

  async function remove(req: Request, res: Response) {
    const hash = hashParam(req);
    await deleteTask(store, hash);
    res.status(202).json({ hash, deleted: true, state: 'pending' });
  }

  const api = express.Router();
  api.use(refuseCrossSite);
  // A body of another type is refused before anything reads it; a request without a body is fine,
  // whether it says so with Content-Length: 0 or says nothing.
  api.use((req, _res, next) => {
    const bodyless = req.headers['content-length'] === '0' && req.headers['transfer-encoding'] === undefined;
    if (!bodyless && req.is('application/json') === false)
      throw new HttpError(415, 'unsupported_media_type', 'send the request body as application/json');
    next();
  });
  api.use(express.json({ limit: BODY_LIMIT, strict: true }));
  api.get('/openapi.json', (_req, res) => void res.json(openApiDocument((res.locals.access as Access).signIn)));
  api.post('/tasks', requireOperator, submit);
  api.get('/tasks', list);
  api.get('/stats', stats);
  api.get('/tasks/:hash', show);
  api.post('/tasks/:hash/cancel', requireOperator, cancel);
  api.delete('/tasks/:hash', requireOperator, remove);
  api.use((req, res) => {
    const allowed =
      req.path === '/openapi.json' ? ['GET', 'HEAD'] : ALLOWED_METHODS.find((a) => a.path.test(req.path))?.methods;
    if (!allowed) return sendError(res, 404, 'not_found', 'no such endpoint');
    res.set('Allow', allowed.join(', '));
    if (req.method === 'OPTIONS') return void res.status(204).end();
    sendError(
      res,
      405,
      'method_not_allowed',
      `${req.method} is not allowed on ${req.baseUrl}${req.path}; it takes ${allowed.join(', ')}`,
    );
  });
  return api;
}
