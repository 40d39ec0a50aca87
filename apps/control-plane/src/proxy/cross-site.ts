import type { IncomingHttpHeaders } from 'node:http';
import { csrfTokenFor } from '../auth/auth.guard';
import { CSRF_HEADER } from '../auth/cookies';
import type { AuthUser } from '../auth/auth-user';
import { safeEqual } from '../common/crypto';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser request from another site? The proxy authenticates to Jupyter with its token,
 * and Jupyter skips its own origin and XSRF checks for token-authenticated requests, so the
 * proxy makes them: a request whose Origin is neither our public URL nor the Host it was
 * sent to is refused (WebSocket upgrades included).
 */
export function isForeignOrigin(headers: IncomingHttpHeaders, publicUrl: string): boolean {
  const origin = headers.origin;
  if (!origin || origin === 'null') return origin === 'null';
  if (origin === new URL(publicUrl).origin) return false;
  try {
    return new URL(origin).host !== headers.host;
  } catch {
    return true;
  }
}

/**
 * Cookie-authenticated writes carry a double-submit token, as Jupyter would demand:
 * Jupyter's own (`X-XSRFToken` = the `_xsrf` cookie, which its web UI always sends) or
 * Trialhub's (`x-csrf-token` = the `trialhub_csrf` value, as the portal sends it).
 */
export function hasWriteToken(method: string, user: AuthUser, headers: IncomingHttpHeaders, cookies: Map<string, string>, secret: string): boolean {
  if (SAFE_METHODS.has(method) || user.via === 'bearer') return true;
  const jupyterHeader = headers['x-xsrftoken'];
  const jupyterCookie = cookies.get('_xsrf');
  if (typeof jupyterHeader === 'string' && jupyterHeader && jupyterCookie && (safeEqual(jupyterHeader, jupyterCookie) || safeEqual(decodeSafe(jupyterHeader), jupyterCookie))) return true;
  const ours = headers[CSRF_HEADER];
  return typeof ours === 'string' && safeEqual(ours, csrfTokenFor(secret, user.tokenHash));
}

function decodeSafe(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
