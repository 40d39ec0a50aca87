import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { Observable, catchError, throwError, timer, switchMap } from 'rxjs';
import { isDatabaseUnavailable } from './transient-errors';

/** Methods that change nothing (RFC 9110 "safe"): running their handler twice is harmless. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Long enough for the pool to drop its dead connections and open a fresh one, short next to a client's patience. */
export const RETRY_DELAY_MS = 250;

/**
 * A request that is safe to repeat and failed because the database went away (a restart, a
 * failover) runs its handler once more, on a fresh connection from the pool. Anything else,
 * or a second failure, goes to the exception filter, which answers 503 with Retry-After.
 */
@Injectable()
export class RetrySafeRequestsInterceptor implements NestInterceptor {
  private readonly logger = new Logger('DatabaseRetry');

  constructor(private readonly delayMs = RETRY_DELAY_MS) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    if (!SAFE_METHODS.has(req.method)) return next.handle();
    return next.handle().pipe(
      catchError((err: unknown) => {
        if (!isDatabaseUnavailable(err)) return throwError(() => err);
        this.logger.warn(`${req.method} ${req.path}: the database went away (${(err as Error).message}); trying once more`);
        return timer(this.delayMs).pipe(switchMap(() => next.handle()));
      }),
    );
  }
}
