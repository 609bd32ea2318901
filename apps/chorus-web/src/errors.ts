import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '@chorus/logger';
import { MalformedRecordError } from '@chorus/read-model';

/** An error the client caused or should know about; its message is safe to show. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The HttpError a failure means to the client, if it is one the client should be told about. */
export function asHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  // Already logged where it was read (ReadModel's onMalformed).
  if (error instanceof MalformedRecordError) return new HttpError(500, 'malformed_record', "this task's stored record is malformed; it was logged and is not shown");
  return undefined;
}

export const sendError = (res: Response, status: number, code: string, message: string) =>
  res.status(status).json({ error: { code, message } });

/** Body-parser failures become 4xx with a JSON error body; anything else is logged and hidden behind a 500. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const http = asHttpError(error);
    if (http) return sendError(res, http.status, http.code, http.message);
    const type = (error as { type?: string }).type;
    if (type === 'entity.parse.failed') return sendError(res, 400, 'invalid_json', 'the request body is not valid JSON');
    if (type === 'entity.too.large') return sendError(res, 413, 'payload_too_large', 'the request body is too large');
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      return sendError(res, 415, 'unsupported_media_type', 'the request body encoding is not supported');
    }
    log.error({ err: error, method: req.method, url: req.originalUrl }, 'request failed');
    if (res.headersSent) return;
    sendError(res, 500, 'internal', 'internal error');
  };
}
