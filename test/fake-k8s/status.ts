/** Kubernetes `Status` bodies: every error answer of the fake API server has the real server's shape. */
export interface StatusCause { reason?: string; message: string; field?: string }
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

export class ApiError extends Error {
  constructor(readonly status: StatusBody, readonly headers: Record<string, string> = {}) {
    super(status.message);
  }
  get code(): number {
    return this.status.code;
  }
}

export function failure(code: number, reason: string, message: string, details?: StatusBody['details']): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

export const notFound = (resource: string, name: string) => new ApiError(failure(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource }));

export const alreadyExists = (resource: string, name: string) => new ApiError(failure(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource }));

export const conflict = (resource: string, name: string) =>
  new ApiError(failure(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: resource }));

/** 422 like the API server's field validation: `Pod "x" is invalid: [a: Required value, b: Invalid value: ...]`. */
export function invalid(kind: string, name: string, causes: StatusCause[]): ApiError {
  const parts = causes.map((c) => `${c.field ?? '<body>'}: ${c.message}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new ApiError(failure(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, { name, kind, causes }));
}

export const badRequest = (message: string) => new ApiError(failure(400, 'BadRequest', message));

export const methodNotAllowed = (message = 'the server does not allow this method on the requested resource') => new ApiError(failure(405, 'MethodNotAllowed', message, {}));

export const unsupportedMediaType = (contentType: string) =>
  new ApiError(failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got "${contentType}")`));

export const unauthorized = () => new ApiError(failure(401, 'Unauthorized', 'Unauthorized'));

/** The error of an injected fault, as the real server (or a proxy in front of it) would answer. */
export function injectedFault(code: 500 | 503 | 429 | 504): ApiError {
  switch (code) {
    case 429:
      return new ApiError(failure(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 }), { 'Retry-After': '1' });
    case 503:
      return new ApiError(failure(503, 'ServiceUnavailable', 'The server is currently unable to handle the request (injected fault)'));
    case 504:
      return new ApiError(failure(504, 'Timeout', 'Timeout: request did not complete within requested timeout - context deadline exceeded (injected fault)', {}));
    default:
      return new ApiError(failure(500, 'InternalError', 'Internal error occurred: injected fault', { causes: [{ message: 'injected fault' }] }));
  }
}

/** The body a watch sends (as an ERROR event) when the requested resourceVersion is no longer in the history. */
export const expired = (requested: number, oldest: number) => failure(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
