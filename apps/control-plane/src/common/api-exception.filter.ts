import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger, Optional } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import type { ApiError } from '@trialhub/contracts';
import { databaseInputError } from './database-input-error';
import { SafeRequestRetry } from '../database/safe-request-retry';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../database/transient-errors';

/** Body-parser and similar middleware errors carry `status` and `type`. */
interface MiddlewareError { status?: number; statusCode?: number; type?: string; message?: string }

const MIDDLEWARE_MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'The request body is not valid JSON.',
  'entity.too.large': 'The request body is too large.',
  'encoding.unsupported': 'The request body uses an unsupported encoding.',
  'charset.unsupported': 'The request body uses an unsupported character set.',
  'request.aborted': 'The request was aborted before its body was complete.',
};

const DATABASE_UNAVAILABLE_MESSAGE = 'Our database is briefly unavailable (restarting or unreachable). Please try again in a few seconds.';

/** Every error leaves as `{ statusCode, error, message, details?, requestId }`; nothing a client sends yields a 500. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  /** `retry`: the app's (DatabaseModule); middleware that answers errors itself has none. */
  constructor(@Optional() private readonly retry?: SafeRequestRetry) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string }>();
    if (this.retry?.takeOver(req, res, exception)) return;
    const body = this.toBody(exception);
    body.requestId = typeof req.id === 'string' ? req.id : undefined;
    if (databaseInputError(exception)) this.logger.warn({ err: exception, requestId: body.requestId, path: req.url }, 'A request value reached the database unchecked: its DTO should refuse it');
    if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE) this.logger.warn({ err: exception, requestId: body.requestId, path: req.url }, 'Answered 503');
    else if (body.statusCode >= 500) this.logger.error({ err: exception, requestId: body.requestId, path: req.url }, 'Unhandled error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Nothing was wrong with the request: say when to ask again.
    if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE && !res.getHeader('Retry-After')) res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    res.status(body.statusCode).json(body);
  }

  toBody(exception: unknown): ApiError {
    if (isDatabaseUnavailable(exception)) {
      return { statusCode: HttpStatus.SERVICE_UNAVAILABLE, error: 'Service Unavailable', message: DATABASE_UNAVAILABLE_MESSAGE };
    }
    exception = databaseInputError(exception) ?? exception;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse() as string | { message?: string | string[]; details?: string[]; fields?: Record<string, string[]> };
      let message: string;
      let details: string[] | undefined;
      if (typeof response === 'string') message = response;
      else if (Array.isArray(response.message)) {
        details = response.message;
        message = response.message.join('; ');
      } else message = response.message ?? exception.message;
      if (typeof response === 'object' && response.details) details = response.details;
      const fields = typeof response === 'object' ? response.fields : undefined;
      return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, ...(details ? { details } : {}), ...(fields ? { fields } : {}) };
    }
    const mw = exception as MiddlewareError;
    const status = mw?.status ?? mw?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = (mw.type && MIDDLEWARE_MESSAGES[mw.type]) || mw.message || STATUS_CODES[status] || 'Bad request';
      return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
    }
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, error: 'Internal Server Error', message: 'Something went wrong on our side. Please try again; if it keeps happening, contact support with the request id.' };
  }
}
