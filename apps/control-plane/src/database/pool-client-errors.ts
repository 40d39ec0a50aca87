import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

interface PgClient { on(event: 'error', listener: (err: Error) => void): unknown }
interface PgPool { on(event: 'connect', listener: (client: PgClient) => void): unknown; _clients?: PgClient[] }

const logger = new Logger('DatabasePool');

/**
 * A pooled connection that the server terminates (a restart, a failover) emits `error`. pg-pool
 * and TypeORM listen only while they hold the connection; seen in a restart under load, one
 * dying between their hands with no listener, and an `error` event without a listener ends
 * the process. Every pooled connection gets a listener of its own for its whole life: the
 * pool still discards the connection, and the requests on it answer 503.
 */
export function guardPoolClientErrors(dataSource: DataSource): void {
  const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
  if (!pool) return;
  const guard = (client: PgClient) => client.on('error', (err) => logger.warn(`A database connection was lost: ${err.message}`));
  for (const client of pool._clients ?? []) guard(client);
  pool.on('connect', guard);
}
