import type { IncomingHttpHeaders } from 'node:http';
import { SESSION_COOKIE } from '../auth/cookies';

/** Cookies of a request, parsed without a middleware (WebSocket upgrades bypass Express). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      /* keep it as sent */
    }
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/** The Trialhub log-in a request carries: a bearer header (API clients) or the session cookie (browsers). */
export function requestCredentials(headers: IncomingHttpHeaders, cookies: Map<string, string>): { token: string; via: 'cookie' | 'bearer' } | null {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) {
    const token = auth.slice(7).trim();
    return token ? { token, via: 'bearer' } : null;
  }
  const cookie = cookies.get(SESSION_COOKIE);
  return cookie ? { token: cookie, via: 'cookie' } : null;
}

/** The Cookie header to hand to Jupyter: the user's Trialhub log-in and CSRF cookies stay with the control plane. */
export function cookiesForJupyter(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c && !c.startsWith('trialhub_'));
  return kept.length ? kept.join('; ') : undefined;
}
