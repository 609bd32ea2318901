/** The HTML pages: the dashboard with its form, the task page and its cancel and delete buttons. */
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import type { TaskStore } from '@chorus/db';
import type { ReadModel } from '@chorus/read-model';
import { STATUSES, type Status } from '@chorus/tasks';
import { asHttpError } from './errors.ts';
import { BODY_LIMIT } from './limits.ts';
import type { Access } from './access.ts';
import { refuseCrossSite } from './security.ts';
import { requireOperator } from './sign-in.ts';
import { cancelTask, deleteTask, hashParam, readTaskInput, statusQuery, taskNotFound } from './requests.ts';
import { type DashboardData, dashboard, messagePage, pendingPage, taskPage } from './templates.ts';
import type { TaskViews } from './task-views.ts';

/** The page title for each error a page route can meet. */
const TITLES: Record<string, string> = {
  invalid_hash: 'Bad link',
  not_found: 'No such task',
  not_cancellable: 'Cannot cancel',
  cross_site_request: 'Refused',
  forbidden: 'Not allowed',
  malformed_record: 'Unreadable task',
  unavailable: 'Temporarily unavailable',
};
const sentence = (message: string) => `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;

export function pageRoutes({ store, model, views }: { store: TaskStore; model: ReadModel; views: TaskViews }) {
  async function renderDashboard(
    res: Response,
    status: number,
    extra: Partial<Pick<DashboardData, 'error' | 'notice' | 'form' | 'filter'>> = {},
  ) {
    const [tasks, stats, pipeline, minutes] = await Promise.all([
      model.list({ status: extra.filter, limit: 50 }),
      model.stats(),
      views.pipeline(),
      model.lastMinutes(),
    ]);
    res
      .status(status)
      .type('html')
      .send(dashboard({ access: res.locals.access as Access, tasks, stats, pipeline, minutes, ...extra }));
  }

  async function showDashboard(req: Request, res: Response) {
    let filter: Status | undefined;
    try {
      filter = statusQuery(req.query.status);
    } catch (error) {
      return renderDashboard(res, 400, { error: (error as Error).message });
    }
    await renderDashboard(res, 200, {
      filter,
      notice: req.query.deleted ? 'Task deleted; it leaves the list once the pipeline delivers the change.' : undefined,
    });
  }

  async function submitForm(req: Request, res: Response) {
    const read = readTaskInput(req.body);
    if (!read.ok) {
      const form = { query: typeof req.body?.query === 'string' ? req.body.query : undefined, mode: req.body?.mode };
      return renderDashboard(res, 400, { error: read.message, form });
    }
    const { task } = await store.submit(read.input);
    res.redirect(303, `/query/${task.hash}`);
  }

  async function showTask(req: Request, res: Response) {
    const hash = hashParam(req);
    const found = await views.lookup(hash);
    const expect = STATUSES.includes(req.query.expect as Status) ? (req.query.expect as Status) : undefined;
    const access = res.locals.access as Access;
    if (found.state === 'ready') return res.type('html').send(taskPage(access, found.task, expect, found.arrivalMs));
    if (found.state === 'pending') return res.type('html').send(pendingPage(access, found.task));
    throw taskNotFound(hash);
  }

  async function cancelForm(req: Request, res: Response) {
    const hash = hashParam(req);
    await cancelTask(store, hash);
    res.redirect(303, `/query/${hash}?expect=CANCELLED`);
  }

  async function deleteForm(req: Request, res: Response) {
    await deleteTask(store, hashParam(req));
    res.redirect(303, '/?deleted=1');
  }

  /** A user's mistake as a page; anything else goes on to the JSON error handler's 500. */
  const renderError: ErrorRequestHandler = (error, _req, res, next) => {
    const http = asHttpError(error);
    if (!http) return next(error);
    http
      .applyTo(res)
      .type('html')
      .send(messagePage(TITLES[http.code] ?? 'Error', sentence(http.message), res.locals.access as Access | undefined));
  };

  const pages = express.Router();
  pages.use(refuseCrossSite);
  const form = express.urlencoded({ extended: false, limit: BODY_LIMIT });
  pages.get('/', showDashboard);
  pages.post('/', requireOperator, form, submitForm);
  pages.get('/query/:hash', showTask);
  pages.post('/query/:hash/cancel', requireOperator, cancelForm);
  pages.post('/query/:hash/delete', requireOperator, deleteForm);
  pages.use((_req, res) => {
    res
      .status(404)
      .type('html')
      .send(messagePage('Not found', 'There is no page here.', res.locals.access as Access | undefined));
  });
  pages.use(renderError);
  return pages;
}
