import { ConnectionIsNotSetError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

/** SQLSTATEs worth retrying: serialization failure, deadlock, too many connections, shutdown in progress, cannot connect now. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01', '53300', '57P01', '57P02', '57P03']);
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * True when a database call failed for reasons that say nothing about the work itself (the pool
 * had no free connection in time, the server restarted, a deadlock victim): the caller should
 * retry later, never record the work as failed.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code ?? (err as { driverError?: { code?: unknown } }).driverError?.code;
  if (typeof code === 'string' && (RETRYABLE_SQLSTATES.has(code) || RETRYABLE_CODES.has(code))) return true;
  return /timeout exceeded when trying to connect|Connection terminated|connection is insecure|Client has encountered a connection error/i.test(err.message);
}

/** SQLSTATEs of a server that is going away or not yet back: admin shutdown, crash shutdown, cannot connect now, too many connections. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001', '08004']);

/**
 * True when the database itself could not be reached or went away mid-request (a restart, a
 * failover, a full pool), as opposed to a query that failed on its merits. Such a request
 * answers 503 with Retry-After: nothing was wrong with it.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // TypeORM's own words for "the connection this transaction used is gone".
  if (err instanceof QueryRunnerProviderAlreadyReleasedError || err instanceof QueryRunnerAlreadyReleasedError || err instanceof ConnectionIsNotSetError) return true;
  const code = (err as { code?: unknown }).code ?? (err as { driverError?: { code?: unknown } }).driverError?.code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || RETRYABLE_CODES.has(code))) return true;
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command/i.test(err.message);
}

/** Seconds a client is asked to wait (Retry-After) when the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;
