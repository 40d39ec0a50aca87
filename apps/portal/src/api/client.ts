import type { ApiError } from '@trialhub/contracts';

/** An API call that failed, carrying the server's message (never its raw JSON). */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: string[] = [],
    /** The problems by body field (`email`, `password`), for forms to show beside each field. */
    readonly fields: Record<string, string[]> = {},
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

const CSRF_COOKIE = 'trialhub_csrf';
const CSRF_HEADER = 'x-csrf-token';

/** The CSRF cookie's value; the server requires it echoed in a header on cookie-authenticated writes. */
export function csrfToken(cookies: string = typeof document === 'undefined' ? '' : document.cookie): string | null {
  for (const part of cookies.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join('='));
  }
  return null;
}

function isApiError(body: unknown): body is ApiError {
  return typeof body === 'object' && body !== null && typeof (body as ApiError).message === 'string';
}

/** Turns any failed response into a sentence a person can act on. */
async function errorFrom(res: Response): Promise<ApiRequestError> {
  const text = await res.text().catch(() => '');
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* an HTML error page from a proxy, for example */
  }
  if (isApiError(body)) return new ApiRequestError(res.status, body.message, body.details ?? [], body.fields ?? {});
  if (res.status === 429) return new ApiRequestError(429, 'Too many attempts. Wait a minute and try again.');
  if (res.status >= 500) return new ApiRequestError(res.status, `Trialhub could not answer (${res.status}). Try again in a moment.`);
  return new ApiRequestError(res.status, `The request failed (${res.status} ${res.statusText}).`);
}

/** Listeners told when any call answers 401, so the app can return to the log-in page. */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** One JSON call to the control plane (same origin, cookies included). */
export async function apiRequest<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = csrfToken();
    if (csrf) headers[CSRF_HEADER] = csrf;
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiRequestError(0, 'Cannot reach Trialhub. Check your connection and try again.');
  }
  if (!res.ok) {
    const error = await errorFrom(res);
    if (res.status === 401 && !path.startsWith('/api/auth/')) unauthorizedListeners.forEach((l) => l());
    throw error;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A readable message for anything thrown (API errors, bugs), never a stack trace. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiRequestError) return error.message;
  return 'Something went wrong in the portal. Reload the page and try again.';
}
