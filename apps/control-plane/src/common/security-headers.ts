import { buildSwaggerHTML, getSwaggerAssetsAbsoluteFSPath } from '@nestjs/swagger/dist/swagger-ui';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Directives = Record<string, string[]>;

/**
 * The portal's policy: script only from our own files (never inline), no plugins, no <base>,
 * never framed. Styles and images from us (React sets style through the DOM, which CSP allows).
 */
export const PORTAL_CSP: Directives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-src': ["'self'"],
  'worker-src': ["'self'"],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
};

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The <style> elements Swagger UI's scripts render (its logo's SVG), as written in its bundles. */
function swaggerScriptStyles(): string[] {
  const dir = getSwaggerAssetsAbsoluteFSPath();
  return ['swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js'].flatMap((file) => {
    const code = readFileSync(join(dir, file), 'utf8');
    return [...code.matchAll(/createElement\("style",null,("(?:[^"\\]|\\.)*")\)/g)].map((m) => JSON.parse(m[1]) as string);
  });
}

/**
 * Swagger UI's page (@nestjs/swagger) carries two inline <style> blocks and one style attribute,
 * and its scripts render one more <style>; they are allowed by hash, computed from the same
 * template and bundles the page is built from. Its scripts are files under /api/docs, so
 * script-src stays 'self'.
 */
export function swaggerUiCsp(): Directives {
  const html = buildSwaggerHTML('./', {});
  const blocks = [...[...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]), ...swaggerScriptStyles()].map(sha256);
  const attributes = [...html.matchAll(/\sstyle="([^"]*)"/g)].map((m) => sha256(m[1]));
  return { ...PORTAL_CSP, 'style-src': ["'self'", ...new Set(blocks), ...(attributes.length ? ["'unsafe-hashes'", ...new Set(attributes)] : [])] };
}

/**
 * The headers a helmet middleware sets, taken once: with fixed directives (no nonces, no
 * functions) they are the same on every response, and setting them from a list costs a
 * fraction of helmet's dozen middleware calls per request.
 */
export function headersOf(handler: RequestHandler): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const res = { setHeader: (name: string, value: string) => void headers.push([name, String(value)]), removeHeader: () => undefined };
  let done = false;
  handler({ method: 'GET', headers: {} } as Request, res as unknown as Response, () => (done = true));
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be precomputed');
  return headers;
}

/** Share links carry their token in the path: pages under them never send a Referer. */
const TOKEN_IN_PATH = /^\/(api\/)?share\//;

/**
 * Security headers on everything the portal origin serves (API, portal, share pages, API docs):
 * CSP, Referrer-Policy, nosniff, frame denial, and HSTS only when the public URL is https.
 * Routes that serve other content (share page, stored files, the sandboxed report) replace the
 * CSP with their own, stricter one.
 */
export function securityHeaders(publicUrl: string): RequestHandler {
  const https = new URL(publicUrl).protocol === 'https:';
  const common = {
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'same-origin' as const },
    xFrameOptions: { action: 'deny' as const },
    // Cross-origin isolation of the portal's window: a notebook tab it opens cannot reach back.
    crossOriginOpenerPolicy: { policy: 'same-origin' as const },
    crossOriginResourcePolicy: { policy: 'same-origin' as const },
  };
  const withPolicy = (directives: Directives) =>
    helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives: https ? { ...directives, 'upgrade-insecure-requests': [] } : directives } });
  const portal = headersOf(withPolicy(PORTAL_CSP));
  const docs = headersOf(withPolicy(swaggerUiCsp()));
  return (req: Request, res: Response, next: NextFunction) => {
    const headers = req.path === '/api/docs' || req.path.startsWith('/api/docs/') ? docs : portal;
    for (const [name, value] of headers) res.setHeader(name, value);
    if (TOKEN_IN_PATH.test(req.path)) res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  };
}
