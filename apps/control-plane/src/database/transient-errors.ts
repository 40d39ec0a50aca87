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
