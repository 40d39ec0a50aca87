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

/** Every value a Cookie header carries under `name` (more than one means a sibling origin planted one). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    if (value) out.push(value);
  }
  return out;
}

/** Trialhub's own cookies (portal log-in, CSRF, the notebook origin's log-in): never handed to Jupyter. */
const isTrialhubCookie = (c: string) => c.startsWith('trialhub_') || c.startsWith('__Host-trialhub_') || c.startsWith('__Secure-trialhub_');

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

/** The Cookie header to hand to Jupyter: the user's Trialhub log-ins and CSRF cookies stay with the control plane. */
export function cookiesForJupyter(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c && !isTrialhubCookie(c));
  return kept.length ? kept.join('; ') : undefined;
}
