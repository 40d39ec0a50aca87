import type { IncomingMessage, ServerResponse } from 'node:http';

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
