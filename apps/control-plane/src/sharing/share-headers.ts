import type { Response } from 'express';

/** Every answer under /share and /api/share: out of search indexes, no referrer leaks of the token, never framed by other sites. */
export function setShareHeaders(res: Response, frame: 'deny' | 'same-origin' = 'deny'): void {
  res.setHeader('X-Robots-Tag', 'noindex, nofollow');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', frame === 'deny' ? 'DENY' : 'SAMEORIGIN');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
}
