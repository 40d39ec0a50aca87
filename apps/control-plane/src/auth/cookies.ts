import { hmac } from '../common/crypto';

export const SESSION_COOKIE = 'trialhub_session';
export const CSRF_COOKIE = 'trialhub_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** The CSRF token of a log-in: derived from its token hash, so nothing more is stored. */
export const csrfTokenFor = (secret: string, tokenHash: string): string => hmac(secret, `csrf:${tokenHash}`);
/** Log-ins last as long as the longest trial would, then one must log in again. */
export const AUTH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;
