import type { ErrorRequestHandler } from 'express';
import { SpecInputError } from '../lib/openapi/intake/errors';
import { InvalidCursorError } from '../lib/db/runs';
import { InvalidTargetError } from '../lib/core/target';
import { RunConflictError } from '../lib/runs/run-options';

export interface ErrorDetail {
  field?: string;
  message: string;
}

/** An error the client can act on; rendered as `{ error: { code, message, details } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);

/** Postgres refusing text (a NUL character, `\u0000` in JSON): only a request's own text gets there. */
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05']);

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (UNSTORABLE_TEXT_CODES.has(String((err as { code?: unknown }).code))) {
    const message = 'the request holds text that cannot be stored: a NUL character (U+0000)';
    return new HttpError(400, 'invalid_request', message, [{ message }]);
  }
  if (err instanceof SpecInputError) {
    const code = err.status === 413 ? 'payload_too_large' : err.status === 422 ? 'spec_unavailable' : 'invalid_spec';
    return new HttpError(err.status, code, err.message, [{ field: err.field, message: err.message }]);
  }
  if (err instanceof InvalidTargetError) return new HttpError(400, 'invalid_request', err.message, err.details);
  if (err instanceof RunConflictError) {
    const details = err.differences.map((d) => ({ field: d.field, message: `is ${d.existing} in run ${err.runId}, ${d.requested} in this request` }));
    return new HttpError(409, 'run_conflict', err.message, details);
  }
  if (err instanceof InvalidCursorError) return new HttpError(400, 'invalid_request', err.message, [{ field: 'cursor', message: err.message }]);
  const bodyError = err as { type?: string; status?: number; limit?: number };
  if (bodyError.type === 'entity.too.large') {
    return new HttpError(413, 'payload_too_large', `request body is larger than the limit of ${bodyError.limit} bytes`);
  }
  if (bodyError.type === 'entity.parse.failed') {
    return new HttpError(400, 'invalid_json', `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (bodyError.status === 415) return new HttpError(415, 'unsupported_media_type', (err as Error).message);
  if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
    return new HttpError(bodyError.status, 'invalid_request', (err as Error).message);
  }
  return new HttpError(500, 'internal', 'internal error');
}

export function errorHandler(log: (err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const httpError = toHttpError(err);
    if (httpError.status >= 500) log(err);
    res.status(httpError.status).json({ error: { code: httpError.code, message: httpError.message, details: httpError.details } });
  };
}
