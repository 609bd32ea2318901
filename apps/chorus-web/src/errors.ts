import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '@chorus/logger';
import { defaults } from '@chorus/config';
import { MalformedRecordError } from '@chorus/read-model';

/**
 * An error the client caused or should know about; its message is safe to show. A 503 says when to try
 * again (Retry-After, in seconds), so that a client backs off rather than guessing.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
  }

  /** Sets the response's status and its Retry-After, if any; the caller sends the body. */
  applyTo(res: Response): Response {
    if (this.retryAfterS !== undefined) res.set('Retry-After', String(this.retryAfterS));
    return res.status(this.status);
  }
}

/**
 * Postgres or Redis did not answer, or refused the connection: a timeout, a closed or refused
 * connection, or the server shutting down. The client gets 503; the detail (hosts, addresses) is logged.
 */
export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; name?: string; message?: string };
  if (
    typeof e?.code === 'string' &&
    (/^(08|57P)/.test(e.code) ||
      e.code === '57014' ||
      ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'].includes(e.code))
  )
    return true;
  if (e?.name === 'MaxRetriesPerRequestError') return true;
  return /timeout exceeded when trying to connect|Query read timeout|Connection terminated|Command timed out|Connection is closed|Stream isn't writeable/i.test(
    e?.message ?? '',
  );
}

const UNAVAILABLE = new HttpError(
  503,
  'unavailable',
  'the service cannot reach its data right now; try again shortly',
  defaults.unavailableRetryAfterS,
);

/** The HttpError a failure means to the client, if it is one the client should be told about. */
export function asHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (isUnavailable(error)) return UNAVAILABLE;
  // Already logged where it was read (ReadModel's onMalformed).
  if (error instanceof MalformedRecordError)
    return new HttpError(
      500,
      'malformed_record',
      "this task's stored record is malformed; it was logged and is not shown",
    );
  return undefined;
}

export const sendError = (res: Response, status: number, code: string, message: string) =>
  res.status(status).json({ error: { code, message } });

/** Body-parser failures become 4xx with a JSON error body; anything else is logged and hidden behind a 500. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const http = asHttpError(error);
    if (http?.status === 503)
      log.warn(
        { err: (error as Error).message, method: req.method, url: req.originalUrl },
        'a dependency is unavailable',
      );
    if (http) return res.headersSent ? undefined : sendError(http.applyTo(res), http.status, http.code, http.message);
    const type = (error as { type?: string }).type;
    if (type === 'entity.parse.failed')
      return sendError(res, 400, 'invalid_json', 'the request body is not valid JSON');
    if (type === 'entity.too.large') return sendError(res, 413, 'payload_too_large', 'the request body is too large');
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      return sendError(res, 415, 'unsupported_media_type', 'the request body encoding is not supported');
    }
    log.error({ err: error, method: req.method, url: req.originalUrl }, 'request failed');
    if (res.headersSent) return;
    sendError(res, 500, 'internal', 'internal error');
  };
}
