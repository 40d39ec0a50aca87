import { Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { accessRequest } from '../logging/access-log';
import { isDatabaseUnavailable } from './transient-errors';

/** Methods that change nothing (RFC 9110 "safe"): handling them twice is harmless. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Long enough for the pool to drop its dead connections and open a fresh one, short next to a client's patience. */
export const RETRY_DELAY_MS = 250;

type Dispatch = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A request that is safe to repeat and failed because the database went away (a restart, a
 * failover) is handled once more, from the top (guards included: the token check reads the
 * database too), on a fresh connection from the pool. The exception filter asks first; anything
 * else, or a second failure, it answers itself (503 with Retry-After).
 *
 * Why not a Nest interceptor, as this was: a global interceptor puts rxjs and an AsyncResource
 * on every request's path, about a sixth of a cached status read's cost (issue 17); this costs
 * nothing until the database fails.
 */
export class SafeRequestRetry {
  private readonly logger = new Logger('DatabaseRetry');
  private readonly retried = new WeakSet<IncomingMessage>();
  private dispatch: Dispatch | null = null;

  constructor(private readonly delayMs = RETRY_DELAY_MS) {}

  /** The HTTP app that handles a request from the top (bootstrap.ts: the Express app). */
  dispatchTo(dispatch: Dispatch): void {
    this.dispatch = dispatch;
  }

  /** True when the request will be handled again (the caller must not answer it), false when the caller answers. */
  takeOver(req: IncomingMessage, res: ServerResponse, err: unknown): boolean {
    const dispatch = this.dispatch;
    if (!dispatch || !SAFE_METHODS.has(req.method ?? '') || !isDatabaseUnavailable(err) || this.retried.has(req) || res.headersSent) return false;
    this.retried.add(req);
    this.logger.warn(`${req.method} ${accessRequest(req).url}: the database went away (${(err as Error).message}); trying once more`);
    setTimeout(() => {
      if (!res.destroyed) dispatch(req, res);
    }, this.delayMs);
    return true;
  }
}
