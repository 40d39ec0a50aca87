import type { IncomingHttpHeaders } from 'node:http';
import { safeEqual } from '../common/crypto';
import type { NotebookVia } from './notebook-access.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser request from anywhere but the session's own notebook origin? The proxy
 * authenticates to Jupyter with its token, and Jupyter skips its own origin and XSRF checks for
 * token-authenticated requests, so the proxy makes them: an Origin other than this notebook's
 * (the portal's, another notebook's, an opaque `null`) is refused, WebSocket upgrades included.
 * No Origin at all is a same-origin GET or a program; those pass (writes still need a token).
 */
export function isForeignOrigin(headers: IncomingHttpHeaders, notebookOrigin: string): boolean {
  const origin = headers.origin;
  if (origin === undefined || origin === '') return false;
  return origin.toLowerCase() !== notebookOrigin;
}

/**
 * Cookie-authenticated writes carry Jupyter's double-submit token (`X-XSRFToken` = the `_xsrf`
 * cookie, which its web UI always sends), as Jupyter itself would demand. Bearer-token writes
 * (API clients) need none: no browser sends that header by itself.
 */
export function hasWriteToken(method: string, via: NotebookVia, headers: IncomingHttpHeaders, cookies: Map<string, string>): boolean {
  if (SAFE_METHODS.has(method) || via === 'bearer') return true;
  const jupyterHeader = headers['x-xsrftoken'];
  const jupyterCookie = cookies.get('_xsrf');
  return typeof jupyterHeader === 'string' && !!jupyterHeader && !!jupyterCookie && (safeEqual(jupyterHeader, jupyterCookie) || safeEqual(decodeSafe(jupyterHeader), jupyterCookie));
}

function decodeSafe(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
