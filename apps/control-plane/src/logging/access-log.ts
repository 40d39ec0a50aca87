import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** Nest's start-up chatter (one line per module and per route): detail for debug, not for info. */
export const STARTUP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication', 'WebSocketsController']);

/** Path segments that are secrets themselves (share links carry their token): never written to the log. */
const SECRET_PATHS = /^(\/(?:share|api\/share)\/)[^/?#]+/;

/** The request as the access line shows it: method, path (query dropped: it may carry tokens), id, client address; no headers. */
export function accessRequest(req: IncomingMessage & { id?: unknown; raw?: IncomingMessage }) {
  const raw = req.raw ?? req;
  const path = (raw.url ?? '').split('?')[0].replace(SECRET_PATHS, '$1…');
  return { id: req.id ?? (raw as { id?: unknown }).id, method: raw.method, url: path, remoteAddress: raw.socket?.remoteAddress };
}

export function accessResponse(res: ServerResponse & { raw?: ServerResponse }) {
  return { statusCode: (res.raw ?? res).statusCode };
}

/** Probes and scrapes: every few seconds from every kubelet and Prometheus, nothing to read. */
const UNLOGGED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The caller's own X-Request-Id when it is a plain token (it is echoed and logged), else undefined. */
export function callerRequestId(req: IncomingMessage): string | undefined {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : undefined;
}

/**
 * Gives every request its id (`req.id`, echoed as X-Request-Id; error bodies carry it) and
 * writes one access line when the response is done: at info, or error for a 5xx; "request
 * aborted" when the client left first. One line from the root logger (whose serializers turn
 * `req` and `res` into accessRequest and accessResponse), no per-request logger.
 */
export function accessLog(logger: Logger) {
  return (req: IncomingMessage & { id?: string }, res: ServerResponse, next: () => void): void => {
    // Handled once more after the database went away (database/safe-request-retry.ts): same request, same line.
    if (req.id !== undefined) return next();
    const id = callerRequestId(req) ?? randomUUID();
    req.id = id;
    res.setHeader('x-request-id', id);
    if (!UNLOGGED_PATHS.has(req.url ?? '')) {
      const started = Date.now();
      res.once('close', () => {
        const level = res.statusCode >= 500 ? 'error' : 'info';
        if (!logger.isLevelEnabled(level)) return;
        const done = res.writableFinished && !req.readableAborted;
        logger[level]({ req, res, responseTime: Date.now() - started }, done ? 'request completed' : 'request aborted');
      });
    }
    next();
  };
}
